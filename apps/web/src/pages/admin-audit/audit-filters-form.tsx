// The audit log's filter form (person, target, action, time range) with Apply, Clear and Export CSV.
import { type FormEvent, useState } from 'react';
import { TextField } from '../../components/ui.js';
import { KNOWN_AUDIT_ACTIONS } from '../../lib/audit-format.js';
import type { FieldErrors } from '../../lib/errors.js';
import type { AuditSearch } from '../../lib/search-params.js';
import { PersonPicker } from './person-picker.js';

type Draft = Record<keyof AuditSearch, string>;
const NO_FILTERS: Draft = { userId: '', targetId: '', action: '', from: '', to: '' };

/** `<input type="datetime-local">` speaks local wall time; the URL and the server speak ISO 8601 instants. */
function toLocalInput(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

function toInstant(local: string): string {
  const date = new Date(local);
  return local === '' || Number.isNaN(date.getTime()) ? local : date.toISOString();
}

/**
 * The fields start from the filters in the URL (`applied`) and change nothing until applied;
 * `errors` are the applied filters' errors, by field.
 */
export function AuditFiltersForm({
  applied,
  errors,
  canExport,
  exporting,
  onApply,
  onExport,
}: {
  applied: AuditSearch;
  errors: FieldErrors;
  canExport: boolean;
  exporting: boolean;
  onApply: (filters: AuditSearch) => void;
  onExport: () => void;
}) {
  const [draft, setDraft] = useState<Draft>(() => ({
    userId: applied.userId ?? '',
    targetId: applied.targetId ?? '',
    action: applied.action ?? '',
    from: toLocalInput(applied.from ?? ''),
    to: toLocalInput(applied.to ?? ''),
  }));

  const apply = (filters: Draft) =>
    onApply({
      userId: filters.userId.trim() || undefined,
      targetId: filters.targetId.trim() || undefined,
      action: filters.action.trim() || undefined,
      from: toInstant(filters.from) || undefined,
      to: toInstant(filters.to) || undefined,
    });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    apply(draft);
  };

  return (
    <search>
      <form className="toolbar" onSubmit={submit} noValidate>
        <PersonPicker
          userId={draft.userId || undefined}
          error={errors.userId}
          // A pick is a complete choice: it applies at once, with the other fields as they stand.
          onChange={(userId) => {
            const next = { ...draft, userId: userId ?? '' };
            setDraft(next);
            apply(next);
          }}
        />
        <TextField
          label="Target id"
          name="targetId"
          placeholder="any target"
          maxLength={100}
          value={draft.targetId}
          error={errors.targetId}
          onChange={(e) => setDraft({ ...draft, targetId: e.target.value })}
        />
        <TextField
          label="Action"
          name="action"
          list="audit-actions"
          placeholder="any action"
          maxLength={100}
          value={draft.action}
          error={errors.action}
          onChange={(e) => setDraft({ ...draft, action: e.target.value })}
        />
        <datalist id="audit-actions">
          {KNOWN_AUDIT_ACTIONS.map((action) => (
            <option key={action} value={action} />
          ))}
        </datalist>
        <TextField
          label="From"
          name="from"
          type="datetime-local"
          value={draft.from}
          error={errors.from}
          onChange={(e) => setDraft({ ...draft, from: e.target.value })}
        />
        <TextField
          label="Until (exclusive)"
          name="to"
          type="datetime-local"
          value={draft.to}
          error={errors.to}
          onChange={(e) => setDraft({ ...draft, to: e.target.value })}
        />
        <div className="toolbar-buttons">
          <button type="submit">Apply filters</button>
          <button
            type="button"
            className="button-secondary"
            onClick={() => {
              setDraft(NO_FILTERS);
              onApply({});
            }}
          >
            Clear
          </button>
          <button type="button" className="button-secondary" disabled={!canExport || exporting} onClick={onExport}>
            {exporting ? 'Exporting…' : 'Export CSV'}
          </button>
        </div>
      </form>
    </search>
  );
}
