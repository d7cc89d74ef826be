// The "Send credits" form: a recipient, an amount and a note, sent once per intended transfer.
import { TransferInput } from '@keel/api/schemas';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Alert, FormError, TextField } from '../../components/ui.js';
import { type FieldErrors, formErrorsOf, validate } from '../../lib/errors.js';
import { formatCredits } from '../../lib/format.js';
import { useTRPC } from '../../lib/trpc.js';
import { type Recipient, UserPicker } from './user-picker.js';

/** A fresh key per intended transfer: a double submit or a retry after a timeout moves credits once. */
function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

export function TransferForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [recipient, setRecipient] = useState<Recipient | null>(null);
  const [amount, setAmount] = useState('');
  const [note, setNote] = useState('');
  const [idempotencyKey, setIdempotencyKey] = useState(newIdempotencyKey);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [sent, setSent] = useState<string | null>(null);
  // Bumped after a transfer so the picker forgets its search text along with the recipient.
  const [round, setRound] = useState(0);
  const transfer = useMutation(
    trpc.credits.transfer.mutationOptions({
      onSuccess: async (result) => {
        setSent(`Sent ${formatCredits(result.amount)} to ${recipient?.name ?? 'the recipient'}.`);
        setRecipient(null);
        setAmount('');
        setNote('');
        setIdempotencyKey(newIdempotencyKey());
        setRound((n) => n + 1);
        await Promise.all([
          queryClient.invalidateQueries({ queryKey: trpc.credits.balance.queryKey() }),
          queryClient.invalidateQueries({ queryKey: trpc.credits.history.pathKey() }),
        ]);
      },
      // "Insufficient credits" is about the amount; a recipient deactivated meanwhile is NOT_FOUND.
      onError: (error) => setErrors(formErrorsOf(error, { BAD_REQUEST: 'amount', NOT_FOUND: 'toUserId' })),
    }),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSent(null);
    const result = validate(TransferInput, {
      toUserId: recipient?.id ?? '',
      amount: amount.trim() === '' ? undefined : Number(amount),
      note: note.trim() === '' ? undefined : note,
      idempotencyKey,
    });
    if (!result.ok) {
      // An empty picker fails as an invalid uuid; say what the person has to do instead.
      if (!recipient) result.errors.toUserId = 'Choose who receives the credits';
      return setErrors(result.errors);
    }
    setErrors({});
    transfer.mutate(result.data);
  };

  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="transfer-title">
      <h2 id="transfer-title">Send credits</h2>
      {sent ? <Alert tone="success">{sent}</Alert> : null}
      <FormError errors={errors} />
      <UserPicker
        key={round}
        value={recipient}
        onChange={(next) => {
          setRecipient(next);
          setIdempotencyKey(newIdempotencyKey());
        }}
        error={errors.toUserId}
      />
      <TextField
        label="Amount"
        name="amount"
        type="number"
        inputMode="numeric"
        min={1}
        max={1_000_000}
        step={1}
        value={amount}
        error={errors.amount}
        onChange={(e) => {
          setAmount(e.target.value);
          setIdempotencyKey(newIdempotencyKey());
        }}
      />
      <TextField
        label="Note (optional)"
        name="note"
        maxLength={200}
        value={note}
        error={errors.note}
        onChange={(e) => setNote(e.target.value)}
      />
      <div className="actions">
        <button type="submit" disabled={transfer.isPending}>
          {transfer.isPending ? 'Sending…' : 'Send credits'}
        </button>
      </div>
    </form>
  );
}
