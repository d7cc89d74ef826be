// Reset password, from the mailed link (`/reset-password?token=`). Opening the page sends nothing:
// mail scanners open links, so only submitting the new password (auth.resetPassword) spends the link.
import { ResetPasswordInput } from '@keel/api/schemas';
import { useMutation } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { NewPasswordFields, withConfirmation } from '../components/new-password-fields.js';
import { Alert, FormError, usePageTitle } from '../components/ui.js';
import { errorCode, errorMessage, type FieldErrors, formErrorsOf, validate } from '../lib/errors.js';
import { useTRPC } from '../lib/trpc.js';

const route = getRouteApi('/reset-password');

/** What is wrong with the link itself, before anything is sent: missing, cut or mangled. */
function linkProblemOf(token: string | undefined): string | undefined {
  const checked = validate(ResetPasswordInput.shape.token, token);
  return checked.ok ? undefined : checked.errors[''];
}

export function ResetPasswordPage() {
  usePageTitle('Choose a new password');
  const trpc = useTRPC();
  const { token } = route.useSearch();
  const [values, setValues] = useState({ newPassword: '', confirmPassword: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  // The server refused the link (used, replaced by a newer one, expired): no password fixes that.
  const [refused, setRefused] = useState<string>();
  const reset = useMutation(
    trpc.auth.resetPassword.mutationOptions({
      onError: (error) => {
        const found = formErrorsOf(error);
        if (errorCode(error) === 'BAD_REQUEST') setRefused(errorMessage(error));
        else if (found.token) setRefused(found.token);
        else setErrors(found);
      },
    }),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const result = validate(ResetPasswordInput, { token, newPassword: values.newPassword });
    const found = withConfirmation(
      result.ok ? {} : result.errors,
      'newPassword',
      values.newPassword,
      values.confirmPassword,
    );
    if (!result.ok || Object.keys(found).length > 0) return setErrors(found);
    setErrors({});
    reset.mutate(result.data);
  };

  const linkProblem = refused ?? linkProblemOf(token);
  return (
    <main className="auth-page">
      <section className="card auth-card" aria-labelledby="reset-title">
        <h1 id="reset-title">Choose a new password</h1>
        {reset.isSuccess ? (
          <>
            <Alert tone="success">Your password is changed. Every session of your account was signed out.</Alert>
            <p>
              <Link to="/sign-in">Sign in with your new password</Link>
            </p>
          </>
        ) : linkProblem ? (
          <>
            <Alert tone="error">{linkProblem}</Alert>
            <p>
              <Link to="/forgot-password">Ask for a new link</Link>
            </p>
          </>
        ) : (
          <form onSubmit={submit} noValidate>
            <FormError errors={errors} />
            <NewPasswordFields
              label="New password"
              name="newPassword"
              password={values.newPassword}
              confirmation={values.confirmPassword}
              errors={errors}
              onPassword={(newPassword) => setValues({ ...values, newPassword })}
              onConfirmation={(confirmPassword) => setValues({ ...values, confirmPassword })}
            />
            <button type="submit" disabled={reset.isPending}>
              {reset.isPending ? 'Saving…' : 'Set the new password'}
            </button>
          </form>
        )}
      </section>
    </main>
  );
}
