// The create / edit form of a project, validated with the server's own input schemas.
import { CreateProjectInput, UpdateProjectInput } from '@keel/api/schemas';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { FormError, TextAreaField, TextField } from '../../components/ui.js';
import { type FieldErrors, formErrorsOf, validate } from '../../lib/errors.js';
import { useTRPC } from '../../lib/trpc.js';

export type Editing = { mode: 'create' } | { mode: 'edit'; id: string; name: string; description: string | null };

export function ProjectForm({
  editing,
  teamId,
  onDone,
  onCancel,
}: {
  editing: Editing;
  /** The team a new project is created in; undefined for a personal one. */
  teamId?: string | undefined;
  onDone: (message: string) => void;
  onCancel: () => void;
}) {
  const trpc = useTRPC();
  const titleId = useId();
  const [values, setValues] = useState({
    name: editing.mode === 'edit' ? editing.name : '',
    description: editing.mode === 'edit' ? (editing.description ?? '') : '',
  });
  const [errors, setErrors] = useState<FieldErrors>({});
  const onError = (error: unknown) => setErrors(formErrorsOf(error, { CONFLICT: 'name' }));
  const create = useMutation(
    trpc.projects.create.mutationOptions({ onSuccess: (p) => onDone(`Created “${p.name}”.`), onError }),
  );
  const update = useMutation(
    trpc.projects.update.mutationOptions({ onSuccess: (p) => onDone(`Saved “${p.name}”.`), onError }),
  );
  const busy = create.isPending || update.isPending;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const description = values.description.trim() === '' ? null : values.description;
    if (editing.mode === 'create') {
      const result = validate(CreateProjectInput, { name: values.name, description, teamId });
      if (!result.ok) return setErrors(result.errors);
      setErrors({});
      create.mutate(result.data);
    } else {
      const result = validate(UpdateProjectInput, { id: editing.id, name: values.name, description });
      if (!result.ok) return setErrors(result.errors);
      setErrors({});
      update.mutate(result.data);
    }
  };

  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby={titleId}>
      <h2 id={titleId}>{editing.mode === 'create' ? 'New project' : `Edit “${editing.name}”`}</h2>
      <FormError errors={errors} />
      <TextField
        label="Project name"
        name="name"
        required
        maxLength={100}
        autoFocus
        value={values.name}
        error={errors.name}
        onChange={(e) => setValues({ ...values, name: e.target.value })}
      />
      <TextAreaField
        label="Description"
        name="description"
        rows={3}
        maxLength={2000}
        value={values.description}
        error={errors.description}
        onChange={(e) => setValues({ ...values, description: e.target.value })}
      />
      <div className="actions">
        <button type="button" className="button-secondary" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : editing.mode === 'create' ? 'Create project' : 'Save changes'}
        </button>
      </div>
    </form>
  );
}
