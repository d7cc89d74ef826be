// Inviting an address to a team (teams.invitations.create), at a role the caller may grant: an OWNER
// any, an ADMIN MEMBER or VIEWER.
import { CreateTeamInvitationInput, TeamRoleSchema } from '@keel/api/schemas';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { FormError, SelectField, TextField } from '../../components/ui.js';
import { type FieldErrors, formErrorsOf, validate } from '../../lib/errors.js';
import { grantableRoles, type TeamRole } from '../../lib/team-roles.js';
import { useTRPC } from '../../lib/trpc.js';
import type { TeamInvitation } from './team-invitations-section.js';
import type { Team } from './team-page.js';

export function TeamInviteForm({ team, onInvited }: { team: Team; onInvited: (invitation: TeamInvitation) => void }) {
  const trpc = useTRPC();
  const roles = grantableRoles(team.role);
  // The most common grant, and the lowest that still lets a person work: MEMBER.
  const initial = { email: '', role: (roles.includes('MEMBER') ? 'MEMBER' : roles[0]) ?? 'VIEWER' };
  const [values, setValues] = useState<{ email: string; role: TeamRole }>(initial);
  const [errors, setErrors] = useState<FieldErrors>({});
  const create = useMutation(
    trpc.teams.invitations.create.mutationOptions({
      onSuccess: (invitation) => {
        setValues(initial);
        onInvited(invitation);
      },
      // A member already, or an open invitation already: both are about the address.
      onError: (error) => setErrors(formErrorsOf(error, { CONFLICT: 'email' })),
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const result = validate(CreateTeamInvitationInput, { teamId: team.id, ...values });
    if (!result.ok) return setErrors(result.errors);
    setErrors({});
    create.mutate(result.data);
  };
  return (
    <form className="card invite-form" onSubmit={submit} noValidate aria-labelledby="team-invite-form-title">
      <h3 id="team-invite-form-title">Invite someone</h3>
      <FormError errors={errors} />
      <div className="invite-form-fields">
        <TextField
          label="Email"
          type="email"
          name="email"
          autoComplete="off"
          required
          hint="The invitation link is mailed there; it works for 7 days."
          value={values.email}
          error={errors.email}
          onChange={(e) => setValues({ ...values, email: e.target.value })}
        />
        <SelectField
          label="Role"
          name="role"
          value={values.role}
          error={errors.role}
          onChange={(e) => {
            const role = TeamRoleSchema.safeParse(e.target.value);
            if (role.success) setValues({ ...values, role: role.data });
          }}
        >
          {roles.map((role) => (
            <option key={role} value={role}>
              {role}
            </option>
          ))}
        </SelectField>
      </div>
      <div className="actions">
        <button type="submit" disabled={create.isPending}>
          {create.isPending ? 'Sending…' : 'Send invitation'}
        </button>
      </div>
    </form>
  );
}
