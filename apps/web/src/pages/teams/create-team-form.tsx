// The "Create team" form (teams.create): the caller becomes the new team's OWNER.
import type { RouterOutputs } from '@keel/api';
import { CreateTeamInput } from '@keel/api/schemas';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { FormError, TextField } from '../../components/ui.js';
import { type FieldErrors, formErrorsOf, validate } from '../../lib/errors.js';
import { useTRPC } from '../../lib/trpc.js';

export function CreateTeamForm({ onCreated }: { onCreated: (team: RouterOutputs['teams']['create']) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const create = useMutation(
    trpc.teams.create.mutationOptions({
      onSuccess: async (team) => {
        // The list and the frame's switcher both read teams.list.
        await queryClient.invalidateQueries({ queryKey: trpc.teams.list.queryKey() });
        setName('');
        onCreated(team);
      },
      onError: (error) => setErrors(formErrorsOf(error, { CONFLICT: 'name' })),
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const result = validate(CreateTeamInput, { name });
    if (!result.ok) return setErrors(result.errors);
    setErrors({});
    create.mutate(result.data);
  };
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="create-team-title">
      <h2 id="create-team-title">Create team</h2>
      <FormError errors={errors} />
      <TextField
        label="Team name"
        name="name"
        required
        maxLength={100}
        hint="You become its owner, and invite the others."
        value={name}
        error={errors.name}
        onChange={(e) => setName(e.target.value)}
      />
      <div className="actions">
        <button type="submit" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create team'}
        </button>
      </div>
    </form>
  );
}
