// The form an admin invites someone with (email and role), validated with the server's CreateInvitationInput.
import { CreateInvitationInput, RoleSchema } from '@keel/api/schemas';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { FormError, SelectField, TextField } from '../../components/ui.js';
import { type FieldErrors, formErrorsOf, validate } from '../../lib/errors.js';
import { useTRPC } from '../../lib/trpc.js';
import type { Invitation } from './invitations-table.js';

const EMPTY = { email: '', role: 'USER' as const };

export function InviteForm({ onInvited }: { onInvited: (invitation: Invitation) => void }) {
  const trpc = useTRPC();
  const [values, setValues] = useState<{ email: string; role: Invitation['role'] }>(EMPTY);
  const [errors, setErrors] = useState<FieldErrors>({});
  const create = useMutation(
    trpc.admin.invitations.create.mutationOptions({
      onSuccess: (invitation) => {
        setValues(EMPTY);
        onInvited(invitation);
      },
      // Both refusals are about the address: an account uses it, or it is invited already.
      onError: (error) => setErrors(formErrorsOf(error, { CONFLICT: 'email' })),
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const result = validate(CreateInvitationInput, values);
    if (!result.ok) return setErrors(result.errors);
    setErrors({});
    create.mutate(result.data);
  };
  return (
    <form className="card invite-form" onSubmit={submit} noValidate aria-labelledby="invite-form-title">
      <h2 id="invite-form-title">Invite someone</h2>
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
            const role = RoleSchema.safeParse(e.target.value);
            if (role.success) setValues({ ...values, role: role.data });
          }}
        >
          {RoleSchema.options.map((role) => (
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
