// Credits: the balance (kept live by events.onEvent), a transfer form with a user picker, and the ledger.
import { TransferInput } from '@keel/api/schemas';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useState } from 'react';
import { Alert, EmptyState, ErrorState, FormError, Loading, TextField, usePageTitle } from '../components/ui.js';
import { errorMessage, type FieldErrors, formErrorsOf, validate } from '../lib/errors.js';
import { formatDateTime, formatNumber, shortId } from '../lib/format.js';
import { useCurrentUser } from '../lib/session-context.js';
import { useTRPC } from '../lib/trpc.js';

const HISTORY_PAGE = 20;
const SEARCH_DEBOUNCE_MS = 250;

/** A fresh key per intended transfer: a double submit or a retry after a timeout moves credits once. */
function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
}

export function CreditsPage() {
  usePageTitle('Credits');
  const trpc = useTRPC();
  const user = useCurrentUser();
  const balance = useQuery(trpc.credits.balance.queryOptions());

  return (
    <section aria-labelledby="credits-title">
      <h1 id="credits-title">Credits</h1>
      <div className="card balance-card">
        <h2>Balance</h2>
        {balance.isPending ? (
          <Loading label="Loading balance…" />
        ) : balance.isError ? (
          <ErrorState error={balance.error} onRetry={() => void balance.refetch()} />
        ) : (
          <p className="balance" data-testid="balance" aria-live="polite">
            {formatNumber(balance.data.balance)} <span className="muted">credits</span>
          </p>
        )}
      </div>
      {user.role === 'GUEST' ? (
        <Alert tone="info">Guests can read their balance but cannot send credits.</Alert>
      ) : (
        <TransferForm />
      )}
      <History />
    </section>
  );
}

interface Recipient {
  id: string;
  name: string;
  email: string;
}

function UserPicker({
  value,
  onChange,
  error,
}: {
  value: Recipient | null;
  onChange: (recipient: Recipient | null) => void;
  error?: string | undefined;
}) {
  const trpc = useTRPC();
  const me = useCurrentUser();
  const id = useId();
  const [text, setText] = useState('');
  const [query, setQuery] = useState('');
  useEffect(() => {
    const handle = setTimeout(() => setQuery(text.trim()), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(handle);
  }, [text]);
  const results = useQuery({
    ...trpc.users.search.queryOptions({ query, limit: 8 }),
    enabled: query.length > 0 && value === null,
  });

  if (value) {
    return (
      <div className="field">
        <span className="label">Recipient</span>
        <div className="picked" data-testid="recipient">
          <span>
            {value.name} <span className="muted">({value.email})</span>
          </span>
          <button type="button" className="button-secondary" onClick={() => onChange(null)}>
            Change
          </button>
        </div>
      </div>
    );
  }
  const people = (results.data?.items ?? []).filter((person) => person.id !== me.id);
  return (
    <div className="field picker">
      <label htmlFor={id}>Recipient</label>
      <input
        id={id}
        type="search"
        placeholder="Search by name or email"
        value={text}
        maxLength={100}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        aria-controls={`${id}-results`}
        onChange={(e) => setText(e.target.value)}
      />
      {error ? (
        <span className="field-error" id={`${id}-error`}>
          {error}
        </span>
      ) : null}
      <div id={`${id}-results`} className="picker-results" aria-live="polite">
        {query.length === 0 ? null : results.isPending ? (
          <Loading label="Searching…" />
        ) : results.isError ? (
          <ErrorState error={results.error} />
        ) : people.length === 0 ? (
          <EmptyState>Nobody matches “{query}”.</EmptyState>
        ) : (
          <ul aria-label="Matching people">
            {people.map((person) => (
              <li key={person.id}>
                <button type="button" className="picker-option" onClick={() => onChange(person)}>
                  {person.name} <span className="muted">{person.email}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

function TransferForm() {
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
        setSent(`Sent ${formatNumber(result.amount)} credits to ${recipient?.name ?? 'the recipient'}.`);
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

const DIRECTION_LABEL = { in: 'Received', out: 'Sent', grant: 'Granted' } as const;

function History() {
  const trpc = useTRPC();
  const history = useInfiniteQuery(
    trpc.credits.history.infiniteQueryOptions(
      { limit: HISTORY_PAGE },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
  );
  const entries = history.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <div className="card">
      <h2 id="history-title">History</h2>
      {history.isPending ? (
        <Loading label="Loading history…" />
      ) : history.isError && entries.length === 0 ? (
        <ErrorState error={history.error} onRetry={() => void history.refetch()} />
      ) : entries.length === 0 ? (
        <EmptyState>No credits have moved yet.</EmptyState>
      ) : (
        <>
          <div className="table-wrap">
            <table aria-labelledby="history-title">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">What</th>
                  <th scope="col" className="num">
                    Amount
                  </th>
                  <th scope="col">With</th>
                  <th scope="col">Note</th>
                  <th scope="col" className="num">
                    Balance after
                  </th>
                </tr>
              </thead>
              <tbody>
                {entries.map((entry) => (
                  <tr key={entry.id}>
                    <td data-label="When">{formatDateTime(entry.createdAt)}</td>
                    <td data-label="What">{DIRECTION_LABEL[entry.direction]}</td>
                    <td data-label="Amount" className={`num amount-${entry.direction}`}>
                      {entry.direction === 'out' ? '−' : '+'}
                      {formatNumber(entry.amount)}
                    </td>
                    <td data-label="With" title={entry.counterpartyId ?? undefined}>
                      {shortId(entry.counterpartyId)}
                    </td>
                    <td data-label="Note" className="muted">
                      {entry.note || '—'}
                    </td>
                    <td data-label="Balance after" className="num">
                      {formatNumber(entry.balanceAfter)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {history.hasNextPage ? (
            <button
              type="button"
              className="button-secondary load-more"
              disabled={history.isFetchingNextPage}
              onClick={() => void history.fetchNextPage()}
            >
              {history.isFetchingNextPage ? 'Loading…' : 'Load more'}
            </button>
          ) : null}
          {history.isFetchNextPageError ? <Alert tone="error">{errorMessage(history.error)}</Alert> : null}
        </>
      )}
    </div>
  );
}
