// Renaming a team (teams.update, ADMIN+): the page's heading, the list and the switcher follow.
import { UpdateTeamInput } from '@keel/api/schemas';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { FormError, TextField } from '../../components/ui.js';
import { type FieldErrors, formErrorsOf, validate } from '../../lib/errors.js';
import { useTRPC } from '../../lib/trpc.js';
import type { Team } from './team-page.js';

export function TeamNameForm({
  team,
  onDone,
  onCancel,
}: {
  team: Team;
  onDone: (name: string) => void;
  onCancel: () => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState(team.name);
  const [errors, setErrors] = useState<FieldErrors>({});
  const update = useMutation(
    trpc.teams.update.mutationOptions({
      onSuccess: async (renamed) => {
        queryClient.setQueryData(trpc.teams.get.queryKey({ teamId: team.id }), renamed);
        await queryClient.invalidateQueries({ queryKey: trpc.teams.list.queryKey() });
        onDone(renamed.name);
      },
      onError: (error) => setErrors(formErrorsOf(error, { CONFLICT: 'name' })),
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const result = validate(UpdateTeamInput, { teamId: team.id, name });
    if (!result.ok) return setErrors(result.errors);
    setErrors({});
    update.mutate(result.data);
  };
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="rename-team-title">
      <h2 id="rename-team-title">Rename the team</h2>
      <FormError errors={errors} />
      <TextField
        label="Team name"
        name="name"
        required
        maxLength={100}
        value={name}
        error={errors.name}
        onChange={(e) => setName(e.target.value)}
      />
      <div className="actions">
        <button type="button" className="button-secondary" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" disabled={update.isPending}>
          {update.isPending ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}
