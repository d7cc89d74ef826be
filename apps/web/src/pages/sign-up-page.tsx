// Sign up: validated with the server's own RegisterInput schema (the same password policy, both sides).
import { RegisterInput } from '@keel/api/schemas';
import { useMutation } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { PASSWORD_HINT } from '../components/new-password-fields.js';
import { FormError, TextField, usePageTitle } from '../components/ui.js';
import { type FieldErrors, formErrorsOf, validate } from '../lib/errors.js';
import { useSession } from '../lib/session-context.js';
import { useTRPC } from '../lib/trpc.js';

export function SignUpPage() {
  usePageTitle('Create an account');
  const trpc = useTRPC();
  const session = useSession();
  const [values, setValues] = useState({ name: '', email: '', password: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
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

  return (
    <main className="auth-page">
      <form className="card auth-card" onSubmit={submit} noValidate aria-labelledby="sign-up-title">
        <h1 id="sign-up-title">Create your Keel account</h1>
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
