// The "Create API key" form (apiKeys.create): a name, a scope and a lifetime in days, checked with the
// server's own CreateApiKeyInput before sending; refusals show beside their fields.
import type { RouterOutputs } from '@keel/api';
import { API_KEY_DEFAULT_DAYS, API_KEY_MAX_DAYS, CreateApiKeyInput } from '@keel/api/schemas';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { FormError, TextField } from '../../components/ui.js';
import { type FieldErrors, formErrorsOf, validate } from '../../lib/errors.js';
import { useTRPC } from '../../lib/trpc.js';
import { type ApiKeyScope, SCOPE_EXPLANATIONS, SCOPE_LABELS } from './api-key-cells.js';

export type CreatedApiKey = RouterOutputs['apiKeys']['create'];

const SCOPES: readonly ApiKeyScope[] = ['read', 'write'];
const EMPTY = { name: '', scope: 'read' as ApiKeyScope, expiresInDays: String(API_KEY_DEFAULT_DAYS) };

export function CreateKeyForm({ onCreated }: { onCreated: (created: CreatedApiKey) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [values, setValues] = useState(EMPTY);
  const [errors, setErrors] = useState<FieldErrors>({});
  const create = useMutation(
    trpc.apiKeys.create.mutationOptions({
      // The answer holds the key itself: the mutation cache forgets it as soon as it is handed on.
      gcTime: 0,
      onSuccess: (created) => {
        void queryClient.invalidateQueries({ queryKey: trpc.apiKeys.list.queryKey() });
        setValues(EMPTY);
        onCreated(created);
        create.reset();
      },
      // More live keys than one person may hold is about no field.
      onError: (error) => setErrors(formErrorsOf(error)),
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    // A number field holds '' for anything that is not a number, which the schema refuses as such.
    const days = values.expiresInDays.trim() === '' ? Number.NaN : Number(values.expiresInDays);
    const result = validate(CreateApiKeyInput, { name: values.name, scope: values.scope, expiresInDays: days });
    if (!result.ok) return setErrors(result.errors);
    setErrors({});
    create.mutate(result.data);
  };
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="create-key-title">
      <h2 id="create-key-title">Create API key</h2>
      <FormError errors={errors} />
      <div className="create-key-fields">
        <TextField
          label="Name"
          name="name"
          autoComplete="off"
          required
          maxLength={100}
          hint="What the key is for, such as the script or the machine that uses it."
          value={values.name}
          error={errors.name}
          onChange={(e) => setValues({ ...values, name: e.target.value })}
        />
        <TextField
          label="Expires in (days)"
          name="expiresInDays"
          type="number"
          inputMode="numeric"
          min={1}
          max={API_KEY_MAX_DAYS}
          step={1}
          required
          hint={`From 1 to ${API_KEY_MAX_DAYS} days; ${API_KEY_DEFAULT_DAYS} unless you choose otherwise.`}
          value={values.expiresInDays}
          error={errors.expiresInDays}
          onChange={(e) => setValues({ ...values, expiresInDays: e.target.value })}
        />
      </div>
      <ScopeChoice value={values.scope} error={errors.scope} onChange={(scope) => setValues({ ...values, scope })} />
      <div className="actions">
        <button type="submit" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create key'}
        </button>
      </div>
    </form>
  );
}

/** Read or write, each radio described by what it allows. */
function ScopeChoice({
  value,
  error,
  onChange,
}: {
  value: ApiKeyScope;
  error: string | undefined;
  onChange: (scope: ApiKeyScope) => void;
}) {
  const id = useId();
  return (
    <fieldset className="field scope-choice" aria-describedby={error ? `${id}-error` : undefined}>
      <legend className="label">Scope</legend>
      {SCOPES.map((scope) => (
        <div key={scope} className="scope-option">
          <input
            type="radio"
            id={`${id}-${scope}`}
            name="scope"
            value={scope}
            checked={value === scope}
            aria-describedby={`${id}-${scope}-hint`}
            onChange={() => onChange(scope)}
          />
          <label htmlFor={`${id}-${scope}`}>{SCOPE_LABELS[scope]}</label>
          <span className="field-hint" id={`${id}-${scope}-hint`}>
            {SCOPE_EXPLANATIONS[scope]}
          </span>
        </div>
      ))}
      {error ? (
        <span className="field-error" id={`${id}-error`}>
          {error}
        </span>
      ) : null}
    </fieldset>
  );
}
