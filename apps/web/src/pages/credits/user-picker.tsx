// The recipient picker of the transfer form: search people by name or email, pick one.
import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { EmptyState, ErrorState, Loading } from '../../components/ui.js';
import { useCurrentUser } from '../../lib/session-context.js';
import { useTRPC } from '../../lib/trpc.js';
import { useDebouncedValue } from '../../lib/use-debounced-value.js';

const SEARCH_DEBOUNCE_MS = 250;

export interface Recipient {
  id: string;
  name: string;
  email: string;
}

export function UserPicker({
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
  const query = useDebouncedValue(text.trim(), SEARCH_DEBOUNCE_MS);
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
