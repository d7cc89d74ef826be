// The email change form of the account page: a link goes to the new address, which the account
// moves to only when that link is followed (/confirm-email); the current address hears of it too.
import { RequestEmailChangeInput } from '@keel/api/schemas';
import { useMutation } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Alert, FormError, TextField } from '../../components/ui.js';
import { type FieldErrors, formErrorsOf, validate } from '../../lib/errors.js';
import { useCurrentUser } from '../../lib/session-context.js';
import { useTRPC } from '../../lib/trpc.js';

const EMPTY = { newEmail: '', currentPassword: '' };

export function EmailForm() {
  const trpc = useTRPC();
  const user = useCurrentUser();
  const [values, setValues] = useState(EMPTY);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [sentTo, setSentTo] = useState<string>();
  const request = useMutation(
    trpc.auth.requestEmailChange.mutationOptions({
      onSuccess: (_answer, input) => {
        setSentTo(input.newEmail);
        setValues(EMPTY);
      },
      // The one BAD_REQUEST is a wrong password; the same address comes back as a detail of `newEmail`.
      onError: (error) => setErrors(formErrorsOf(error, { BAD_REQUEST: 'currentPassword' })),
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSentTo(undefined);
    // Left empty, the password is not sent: a fresh single sign-on (or an app code) confirms the caller instead.
    const result = validate(RequestEmailChangeInput, {
      ...values,
      currentPassword: values.currentPassword || undefined,
    });
    if (!result.ok) return setErrors(result.errors);
    setErrors({});
    request.mutate(result.data);
  };
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="email-title">
      <h2 id="email-title">Change email</h2>
      {sentTo ? (
        <Alert tone="success">We sent a link to {sentTo}; your address changes when you follow it.</Alert>
      ) : null}
      <FormError errors={errors} />
      <p className="muted">
        Your current address is <strong>{user.email}</strong>.
      </p>
      <TextField
        label="New email address"
        name="newEmail"
        type="email"
        autoComplete="email"
        value={values.newEmail}
        error={errors.newEmail}
        onChange={(e) => setValues({ ...values, newEmail: e.target.value })}
      />
      <TextField
        label="Current password"
        name="currentPassword"
        type="password"
        autoComplete="current-password"
        value={values.currentPassword}
        error={errors.currentPassword}
        onChange={(e) => setValues({ ...values, currentPassword: e.target.value })}
      />
      <div className="actions">
        <button type="submit" disabled={request.isPending}>
          {request.isPending ? 'Sending…' : 'Send a link to the new address'}
        </button>
      </div>
    </form>
  );
}
