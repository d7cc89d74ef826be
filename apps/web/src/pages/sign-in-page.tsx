// Sign in: validated with the server's own LoginInput schema; server errors land next to their fields.
// With two-step verification on, the password leads to the code step (components/two-step-sign-in.tsx).
// With single sign-on on (auth.providers), its button leads to the provider and back to the page
// asked for; a deployment without passwords shows the button alone (docs/sso.md). An account with
// two-step verification the provider did not confirm comes back to `?sso_step=code`: the same code
// step, whose challenge the browser holds in an HttpOnly cookie, then the page asked for.
import { LoginInput } from '@keel/api/schemas';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Link, useLocation, useNavigate, useSearch } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { SsoButton, useSsoError } from '../components/sso.js';
import { type SecondStep, SecondStepForm, secondStepOf, ssoSecondStep } from '../components/two-step-sign-in.js';
import { Alert, FormError, Loading, TextField, usePageTitle } from '../components/ui.js';
import { useConsumedSearchParam } from '../components/use-consumed-search-param.js';
import { type FieldErrors, formErrorsOf, validate } from '../lib/errors.js';
import { HOME_PATH, SSO_CODE_STEP } from '../lib/search-params.js';
import { useAuth, useSession } from '../lib/session-context.js';
import { returnPathOf } from '../lib/sso.js';
import { useTRPC } from '../lib/trpc.js';

export function SignInPage() {
  usePageTitle('Sign in');
  const trpc = useTRPC();
  const session = useSession();
  const auth = useAuth();
  const [values, setValues] = useState({ email: '', password: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const navigate = useNavigate();
  const search = useSearch({ strict: false });
  // Read once: the address loses `sso_step` as soon as the code step shows (below).
  const [secondStep, setSecondStep] = useState<SecondStep | undefined>(() =>
    search.sso_step === SSO_CODE_STEP ? ssoSecondStep() : undefined,
  );
  const [ssoReturnTo] = useState(() => search.returnTo ?? HOME_PATH);
  const [restartNotice, setRestartNotice] = useState<string>();
  const providers = useQuery(trpc.auth.providers.queryOptions());
  const ssoError = useSsoError();
  // The form shows in place of any signed-in page: a single sign-on comes back to that page.
  const returnTo = returnPathOf(useLocation(), HOME_PATH);
  // Read above, then out of the address: a reload or a bookmark of the page does not reopen a code
  // step whose challenge is gone.
  useConsumedSearchParam('sso_step');
  const login = useMutation(
    trpc.auth.login.mutationOptions({
      onSuccess: (result) => {
        if (!result.mfaRequired) return session.establish(result);
        setValues((current) => ({ ...current, password: '' }));
        setSecondStep(secondStepOf(result.mfaToken));
      },
      onError: (error) => setErrors(formErrorsOf(error)),
    }),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setRestartNotice(undefined);
    const result = validate(LoginInput, values);
    if (!result.ok) return setErrors(result.errors);
    setErrors({});
    login.mutate(result.data);
  };
  const notice = auth.status === 'signed-out' ? auth.notice : undefined;

  if (secondStep) {
    return (
      <main className="auth-page">
        <SecondStepForm
          step={secondStep}
          className="card auth-card"
          onRestart={(message) => {
            setSecondStep(undefined);
            setRestartNotice(message);
          }}
          // After a single sign-on, on to the page it was started from, signed in once there (this
          // page leads home once signed in).
          onSignedIn={
            secondStep.via === 'sso'
              ? (payload) => {
                  void navigate({ href: ssoReturnTo, replace: true }).then(() => session.establish(payload));
                }
              : undefined
          }
        />
      </main>
    );
  }
  const notices = (
    <>
      {notice ? <Alert tone="info">{notice}</Alert> : null}
      {restartNotice ? <Alert tone="error">{restartNotice}</Alert> : null}
      {ssoError ? <Alert tone="error">{ssoError}</Alert> : null}
    </>
  );
  // Until auth.providers answers, the page cannot tell a password form from a single sign-on button.
  if (providers.isPending) {
    return (
      <main className="auth-page">
        <section className="card auth-card" aria-labelledby="sign-in-title">
          <h1 id="sign-in-title">Sign in to Keel</h1>
          {notices}
          <Loading label="Loading the ways to sign in…" />
        </section>
      </main>
    );
  }
  // An unreachable server still gets the password form: its sign-in says what is wrong.
  const oidc = providers.data?.oidc ?? null;
  if (providers.data?.password === false) {
    return (
      <main className="auth-page">
        <section className="card auth-card" aria-labelledby="sign-in-title">
          <h1 id="sign-in-title">Sign in to Keel</h1>
          {notices}
          <p>This workspace signs in with single sign-on.</p>
          {oidc ? (
            <SsoButton label={oidc.label} returnTo={returnTo} />
          ) : (
            <p className="muted">Single sign-on is not set up yet: ask your administrator.</p>
          )}
        </section>
      </main>
    );
  }
  return (
    <main className="auth-page">
      <form className="card auth-card" onSubmit={submit} noValidate aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Sign in to Keel</h1>
        {notices}
        {oidc ? (
          <>
            <SsoButton label={oidc.label} returnTo={returnTo} />
            <p className="sso-divider">or with your password</p>
          </>
        ) : null}
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
