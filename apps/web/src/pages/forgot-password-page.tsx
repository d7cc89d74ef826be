// Forgot password: asks for a reset link (auth.requestPasswordReset). The answer is the same whether
// or not an account uses the address, so the page says the same thing either way.
import { RequestPasswordResetInput } from '@keel/api/schemas';
import { useMutation } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { Alert, FormError, TextField, usePageTitle } from '../components/ui.js';
import { type FieldErrors, formErrorsOf, validate } from '../lib/errors.js';
import { useTRPC } from '../lib/trpc.js';

export function ForgotPasswordPage() {
  usePageTitle('Forgot your password?');
  const trpc = useTRPC();
  const [email, setEmail] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const request = useMutation(
    trpc.auth.requestPasswordReset.mutationOptions({ onError: (error) => setErrors(formErrorsOf(error)) }),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    request.reset();
    const result = validate(RequestPasswordResetInput, { email });
    if (!result.ok) return setErrors(result.errors);
    setErrors({});
    request.mutate(result.data);
  };

  return (
    <main className="auth-page">
      <form className="card auth-card" onSubmit={submit} noValidate aria-labelledby="forgot-title">
        <h1 id="forgot-title">Forgot your password?</h1>
        {request.isSuccess ? (
          <Alert tone="success">
            If an account uses this address, a link is on its way. It works for one hour; only the newest link works.
          </Alert>
        ) : (
          <p className="muted">Enter the address you sign in with: we will mail you a link to choose a new password.</p>
        )}
        <FormError errors={errors} />
        <TextField
          label="Email"
          type="email"
          name="email"
          autoComplete="email"
          required
          value={email}
          error={errors.email}
          onChange={(e) => setEmail(e.target.value)}
        />
        <button type="submit" disabled={request.isPending}>
          {request.isPending ? 'Sending…' : request.isSuccess ? 'Send another link' : 'Send me a link'}
        </button>
        <p className="muted">
          Remembered it? <Link to="/sign-in">Sign in</Link>
        </p>
      </form>
    </main>
  );
}
