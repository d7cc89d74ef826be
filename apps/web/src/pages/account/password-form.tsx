// The password change form of the account page; the server signs the other sessions out.
import { ChangePasswordInput } from '@keel/api/schemas';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { PASSWORD_HINT } from '../../components/new-password-fields.js';
import { Alert, FormError, TextField } from '../../components/ui.js';
import { type FieldErrors, formErrorsOf, validate } from '../../lib/errors.js';
import { useTRPC } from '../../lib/trpc.js';

export function PasswordForm() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [values, setValues] = useState({ currentPassword: '', newPassword: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [changed, setChanged] = useState(false);
  const change = useMutation(
    trpc.auth.changePassword.mutationOptions({
      onSuccess: async () => {
        setChanged(true);
        setValues({ currentPassword: '', newPassword: '' });
        // The server revoked the other sessions.
        await queryClient.invalidateQueries({ queryKey: trpc.auth.sessions.queryKey() });
      },
      onError: (error) => setErrors(formErrorsOf(error, { BAD_REQUEST: 'currentPassword' })),
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setChanged(false);
    // Left empty, the password is not sent: a fresh single sign-on (or an app code) confirms the caller instead.
    const result = validate(ChangePasswordInput, { ...values, currentPassword: values.currentPassword || undefined });
    if (!result.ok) return setErrors(result.errors);
    setErrors({});
    change.mutate(result.data);
  };
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="password-title">
      <h2 id="password-title">Change password</h2>
      {changed ? <Alert tone="success">Password changed. Your other sessions were signed out.</Alert> : null}
      <FormError errors={errors} />
      <TextField
        label="Current password"
        name="currentPassword"
        type="password"
        autoComplete="current-password"
        value={values.currentPassword}
        error={errors.currentPassword}
        onChange={(e) => setValues({ ...values, currentPassword: e.target.value })}
      />
      <TextField
        label="New password"
        name="newPassword"
        type="password"
        autoComplete="new-password"
        hint={PASSWORD_HINT}
        value={values.newPassword}
        error={errors.newPassword}
        onChange={(e) => setValues({ ...values, newPassword: e.target.value })}
      />
      <div className="actions">
        <button type="submit" disabled={change.isPending}>
          {change.isPending ? 'Changing…' : 'Change password'}
        </button>
      </div>
    </form>
  );
}
