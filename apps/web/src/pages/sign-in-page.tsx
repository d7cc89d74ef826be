// Sign in: validated with the server's own LoginInput schema; server errors land next to their fields.
import { LoginInput } from '@keel/api/schemas';
import { useMutation } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { Alert, FormError, TextField, usePageTitle } from '../components/ui.js';
import { type FieldErrors, formErrorsOf, validate } from '../lib/errors.js';
import { useAuth, useSession } from '../lib/session-context.js';
import { useTRPC } from '../lib/trpc.js';

export function SignInPage() {
  usePageTitle('Sign in');
  const trpc = useTRPC();
  const session = useSession();
  const auth = useAuth();
  const [values, setValues] = useState({ email: '', password: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const login = useMutation(
    trpc.auth.login.mutationOptions({
      onSuccess: (payload) => session.establish(payload),
      onError: (error) => setErrors(formErrorsOf(error)),
    }),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const result = validate(LoginInput, values);
    if (!result.ok) return setErrors(result.errors);
    setErrors({});
    login.mutate(result.data);
  };
  const notice = auth.status === 'signed-out' ? auth.notice : undefined;

  return (
    <main className="auth-page">
      <form className="card auth-card" onSubmit={submit} noValidate aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Sign in to Keel</h1>
        {notice ? <Alert tone="info">{notice}</Alert> : null}
        <FormError errors={errors} />
        <TextField
          label="Email"
          type="email"
          name="email"
          autoComplete="email"
          required
          value={values.email}
          error={errors.email}
          onChange={(e) => setValues({ ...values, email: e.target.value })}
        />
        <TextField
          label="Password"
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={values.password}
          error={errors.password}
          onChange={(e) => setValues({ ...values, password: e.target.value })}
        />
        <button type="submit" disabled={login.isPending}>
          {login.isPending ? 'Signing in…' : 'Sign in'}
        </button>
        <p className="muted">
          <Link to="/forgot-password">Forgot your password?</Link>
        </p>
        <p className="muted">
          No account yet? <Link to="/sign-up">Create one</Link>
        </p>
      </form>
    </main>
  );
}
