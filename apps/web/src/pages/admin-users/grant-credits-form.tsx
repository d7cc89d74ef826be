// The form an admin grants credits with, validated with the server's GrantInput.
import { GrantInput } from '@keel/api/schemas';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { FormError, TextField } from '../../components/ui.js';
import { type FieldErrors, formErrorsOf, validate } from '../../lib/errors.js';
import { formatCredits, formatNumber } from '../../lib/format.js';
import { useTRPC } from '../../lib/trpc.js';
import type { AdminUser } from './admin-users-table.js';

export function GrantCreditsForm({
  user,
  onDone,
  onCancel,
}: {
  user: AdminUser;
  onDone: (message: string) => void;
  onCancel: () => void;
}) {
  const trpc = useTRPC();
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const grant = useMutation(
    trpc.admin.credits.grant.mutationOptions({
      onSuccess: (result, input) =>
        onDone(
          `Granted ${formatCredits(input.amount)} to ${user.name}; their balance is ${formatNumber(result.balance)}.`,
        ),
      onError: (error) => setErrors(formErrorsOf(error)),
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const result = validate(GrantInput, {
      userId: user.id,
      amount: amount.trim() === '' ? undefined : Number(amount),
      reason,
    });
    if (!result.ok) return setErrors(result.errors);
    setErrors({});
    grant.mutate(result.data);
  };
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="grant-title">
      <h2 id="grant-title">Grant credits to {user.name}</h2>
      <FormError errors={errors} />
      <TextField
        label="Amount"
        name="amount"
        type="number"
        inputMode="numeric"
        min={1}
        max={1_000_000}
        step={1}
        autoFocus
        value={amount}
        error={errors.amount}
        onChange={(e) => setAmount(e.target.value)}
      />
      <TextField
        label="Reason"
        name="reason"
        maxLength={200}
        value={reason}
        error={errors.reason}
        onChange={(e) => setReason(e.target.value)}
      />
      <div className="actions">
        <button type="button" className="button-secondary" onClick={onCancel} disabled={grant.isPending}>
          Cancel
        </button>
        <button type="submit" disabled={grant.isPending}>
          {grant.isPending ? 'Granting…' : 'Grant credits'}
        </button>
      </div>
    </form>
  );
}
