// Sign up: validated with the server's own RegisterInput schema (the same password policy, both sides).
// With single sign-on on, its button creates the account at the first sign-in instead; a deployment
// without passwords has only that (docs/sso.md).
import { RegisterInput } from '@keel/api/schemas';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { PASSWORD_HINT } from '../components/new-password-fields.js';
import { SsoButton } from '../components/sso.js';
import { FormError, Loading, TextField, usePageTitle } from '../components/ui.js';
import { type FieldErrors, formErrorsOf, validate } from '../lib/errors.js';
import { HOME_PATH } from '../lib/search-params.js';
import { useSession } from '../lib/session-context.js';
import { useTRPC } from '../lib/trpc.js';

export function SignUpPage() {
  usePageTitle('Create an account');
  const trpc = useTRPC();
  const session = useSession();
  const [values, setValues] = useState({ name: '', email: '', password: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const providers = useQuery(trpc.auth.providers.queryOptions());
  const register = useMutation(
    trpc.auth.register.mutationOptions({
      onSuccess: (payload) => session.establish(payload),
      onError: (error) => setErrors(formErrorsOf(error, { CONFLICT: 'email' })),
    }),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const result = validate(RegisterInput, values);
    if (!result.ok) return setErrors(result.errors);
    setErrors({});
    register.mutate(result.data);
  };

  if (providers.isPending || providers.data?.password === false) {
    const oidc = providers.data?.oidc;
    return (
      <main className="auth-page">
        <section className="card auth-card" aria-labelledby="sign-up-title">
          <h1 id="sign-up-title">Create your Keel account</h1>
          {providers.isPending ? (
            <Loading label="Loading the ways to sign up…" />
          ) : (
            <>
              <p>This workspace signs in with single sign-on: your account is created the first time you sign in.</p>
              {oidc ? <SsoButton label={oidc.label} returnTo={HOME_PATH} /> : null}
              <p className="muted">
                <Link to="/sign-in">Back to sign in</Link>
              </p>
            </>
          )}
        </section>
      </main>
    );
  }
  // An unreachable server still gets the form: its sign-up says what is wrong.
  const oidc = providers.data?.oidc ?? null;
  return (
    <main className="auth-page">
      <form className="card auth-card" onSubmit={submit} noValidate aria-labelledby="sign-up-title">
        <h1 id="sign-up-title">Create your Keel account</h1>
        {oidc ? (
          <>
            <SsoButton label={oidc.label} returnTo={HOME_PATH} />
            <p className="sso-divider">or with a password</p>
          </>
        ) : null}
        <FormError errors={errors} />
        <TextField
          label="Name"
          name="name"
          autoComplete="name"
          required
          value={values.name}
          error={errors.name}
          onChange={(e) => setValues({ ...values, name: e.target.value })}
        />
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
          autoComplete="new-password"
          required
          hint={PASSWORD_HINT}
          value={values.password}
          error={errors.password}
          onChange={(e) => setValues({ ...values, password: e.target.value })}
        />
        <button type="submit" disabled={register.isPending}>
          {register.isPending ? 'Creating account…' : 'Create account'}
        </button>
        <p className="muted">
          Already have an account? <Link to="/sign-in">Sign in</Link>
        </p>
      </form>
    </main>
  );
}
