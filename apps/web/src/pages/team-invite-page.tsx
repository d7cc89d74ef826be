// Join a team from the mailed link (`/team-invite?token=`): which team, at what role, from whom, until
// when (teams.invitation, which spends nothing: mail scanners open links). Signed in, "Join <team>"
// (teams.invitations.accept {token}); signed out, a name and a password create the invited account,
// signed in at once, or "Sign in instead" signs in here, on this same link. Either way it lands on
// the team's page.
import type { RouterOutputs } from '@keel/api';
import { AcceptTeamInvitationInput, LoginInput, TeamInvitationTokenInput } from '@keel/api/schemas';
import { useMutation, useMutationState, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { type FormEvent, type ReactNode, useState } from 'react';
import { ResendVerificationButton } from '../components/email-verification.js';
import { NewPasswordFields, withConfirmation } from '../components/new-password-fields.js';
import { type SecondStep, SecondStepForm, secondStepOf } from '../components/two-step-sign-in.js';
import { Alert, ErrorState, FormError, Loading, TextField, usePageTitle } from '../components/ui.js';
import { errorCode, errorMessage, type FieldErrors, formErrorsOf, validate } from '../lib/errors.js';
import { formatDateTime } from '../lib/format.js';
import { useAuth, useSession } from '../lib/session-context.js';
import { useTRPC } from '../lib/trpc.js';

const route = getRouteApi('/team-invite');

/** Signed out, the invitation creates the account: its name and password are required here. */
const JoinWithNewAccountInput = AcceptTeamInvitationInput.required({ name: true, password: true });

type Preview = RouterOutputs['teams']['invitation'];

/** The server's word that the link is spent, revoked or expired: no form fixes that. */
function refusalOf(error: unknown): string | undefined {
  if (errorCode(error) === 'NOT_FOUND') return errorMessage(error);
  return formErrorsOf(error).token;
}

function DeadLink({ message, signedIn }: { message: string; signedIn: boolean }) {
  return (
    <>
      <Alert tone="error">{message}</Alert>
      <p>Ask the person who invited you to send a new invitation.</p>
      <p>{signedIn ? <Link to="/teams">Go to your teams</Link> : <Link to="/sign-in">Sign in</Link>}</p>
    </>
  );
}

function Summary({ preview }: { preview: Preview }) {
  const { team, role, invitedBy, email, expiresAt } = preview;
  return (
    <>
      <p className="invite-summary" data-testid="invite-summary">
        {invitedBy
          ? `${invitedBy.name} invited you to join the team ${team.name} as ${role}.`
          : `You are invited to join the team ${team.name} as ${role}.`}
      </p>
      <p>
        The invitation is for <strong className="invite-email">{email}</strong> and is valid until{' '}
        {formatDateTime(expiresAt)}.
      </p>
    </>
  );
}

export function TeamInvitePage() {
  usePageTitle('Join a team');
  const trpc = useTRPC();
  const auth = useAuth();
  const { token } = route.useSearch();
  const signedIn = auth.status === 'signed-in';
  const link = validate(TeamInvitationTokenInput, { token });
  const preview = useQuery({
    ...trpc.teams.invitation.queryOptions(link.ok ? link.data : { token: '' }),
    enabled: link.ok,
  });
  const [refused, setRefused] = useState<string>();
  // Creating the account signs in, which redraws this page inside the signed-in frame (a new
  // instance): the mutation cache remembers that this link was just used, so the page waits for
  // the way to the team instead of offering to join again.
  const joinedWith = useMutationState({
    filters: { mutationKey: trpc.teams.invitations.accept.mutationKey(), status: 'success' },
    select: (mutation) => (mutation.state.variables as { token?: string } | undefined)?.token,
  });

  let body: ReactNode;
  if (link.ok && joinedWith.includes(link.data.token)) {
    body = <Loading label="Opening the team…" />;
  } else if (!link.ok) {
    body = (
      <DeadLink
        message={link.errors.token ?? 'This link is not valid: open it from the mail again'}
        signedIn={signedIn}
      />
    );
  } else if (refused) {
    body = <DeadLink message={refused} signedIn={signedIn} />;
  } else if (preview.isPending) {
    body = <Loading label="Checking your invitation…" />;
  } else if (preview.isError) {
    const refusal = refusalOf(preview.error);
    body = refusal ? (
      <DeadLink message={refusal} signedIn={signedIn} />
    ) : (
      <ErrorState error={preview.error} onRetry={() => void preview.refetch()} />
    );
  } else {
    body = (
      <>
        <Summary preview={preview.data} />
        {auth.status === 'signed-in' ? (
          <JoinAsSignedIn token={link.data.token} preview={preview.data} account={auth.user} onDead={setRefused} />
        ) : (
          <JoinSignedOut token={link.data.token} preview={preview.data} onDead={setRefused} />
        )}
      </>
    );
  }
  return (
    <section className="card auth-card" aria-labelledby="team-invite-title">
      <h1 id="team-invite-title">Join a team</h1>
      {body}
    </section>
  );
}

/** What a refused join means for the signed-in account, and what to do about it. */
function JoinRefusal({ error, preview, email }: { error: unknown; preview: Preview; email: string }) {
  const session = useSession();
  const [signingOut, setSigningOut] = useState(false);
  const code = errorCode(error);
  if (code === 'EMAIL_NOT_VERIFIED') {
    return (
      <Alert tone="error">
        <p>{errorMessage(error)}.</p>
        <p>
          Follow the link we sent to <strong>{email}</strong>, then come back to this page: the invitation stays valid
          until {formatDateTime(preview.expiresAt)}.
        </p>
        <ResendVerificationButton />
      </Alert>
    );
  }
  if (code === 'FORBIDDEN') {
    return (
      <>
        <Alert tone="error">
          <p>{errorMessage(error)}.</p>
          <p>
            You are signed in as {email}; the invitation is for {preview.email}. Sign out, then sign in with (or create)
            the invited account on this page.
          </p>
        </Alert>
        <button
          type="button"
          className="button-secondary"
          disabled={signingOut}
          onClick={() => {
            setSigningOut(true);
            // The page stays: once signed out, it offers the invited account's sign-in or creation.
            void session.signOut().finally(() => setSigningOut(false));
          }}
        >
          {signingOut ? 'Signing out…' : 'Sign out'}
        </button>
      </>
    );
  }
  if (code === 'CONFLICT') {
    return (
      <Alert tone="info">
        {errorMessage(error)}.{' '}
        <Link to="/teams/$teamId" params={{ teamId: preview.team.id }}>
          Open {preview.team.name}
        </Link>
      </Alert>
    );
  }
  return <Alert tone="error">{errorMessage(error)}</Alert>;
}

function JoinAsSignedIn({
  token,
  preview,
  account,
  onDead,
}: {
  token: string;
  preview: Preview;
  account: { name: string; email: string };
  onDead: (message: string) => void;
}) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const join = useMutation(
    trpc.teams.invitations.accept.mutationOptions({
      onSuccess: async (result) => {
        const team = 'team' in result ? result.team : result;
        await queryClient.invalidateQueries({ queryKey: trpc.teams.list.queryKey() });
        await navigate({ to: '/teams/$teamId', params: { teamId: team.id }, replace: true });
      },
      onError: (error) => {
        const refusal = refusalOf(error);
        if (refusal) onDead(refusal);
      },
    }),
  );
  return (
    <>
      <p className="muted">
        You are signed in as {account.name} ({account.email}).
      </p>
      {join.isError && !refusalOf(join.error) ? (
        <JoinRefusal error={join.error} preview={preview} email={account.email} />
      ) : null}
      <button type="button" disabled={join.isPending} onClick={() => join.mutate({ token })}>
        {join.isPending ? 'Joining…' : `Join ${preview.team.name}`}
      </button>
    </>
  );
}

function JoinSignedOut({
  token,
  preview,
  onDead,
}: {
  token: string;
  preview: Preview;
  onDead: (message: string) => void;
}) {
  const [signingIn, setSigningIn] = useState(false);
  return signingIn ? (
    <SignInHere email={preview.email} onBack={() => setSigningIn(false)} />
  ) : (
    <CreateAccountAndJoin token={token} preview={preview} onDead={onDead} onSignIn={() => setSigningIn(true)} />
  );
}

function CreateAccountAndJoin({
  token,
  preview,
  onDead,
  onSignIn,
}: {
  token: string;
  preview: Preview;
  onDead: (message: string) => void;
  onSignIn: () => void;
}) {
  const trpc = useTRPC();
  const session = useSession();
  const navigate = useNavigate();
  const [values, setValues] = useState({ name: '', password: '', confirmPassword: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const join = useMutation(
    trpc.teams.invitations.accept.mutationOptions({
      onSuccess: (result) => {
        if (!('accessToken' in result)) return;
        // Signed in like after a sign-up, then on to the team that was joined.
        session.establish(result);
        void navigate({ to: '/teams/$teamId', params: { teamId: result.team.id }, replace: true });
      },
      onError: (error) => {
        const refusal = refusalOf(error);
        if (refusal) onDead(refusal);
        else setErrors(formErrorsOf(error));
      },
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const result = validate(JoinWithNewAccountInput, { token, name: values.name, password: values.password });
    const found = withConfirmation(result.ok ? {} : result.errors, 'password', values.password, values.confirmPassword);
    if (!result.ok || Object.keys(found).length > 0) return setErrors(found);
    setErrors({});
    join.mutate(result.data);
  };
  return (
    <>
      <form onSubmit={submit} noValidate aria-label="Create your account">
        <FormError errors={errors} />
        {/* The address is the invitation's: shown, not editable, and given to password managers. */}
        <TextField label="Email" type="email" name="email" autoComplete="username" value={preview.email} readOnly />
        <TextField
          label="Name"
          name="name"
          autoComplete="name"
          required
          value={values.name}
          error={errors.name}
          onChange={(e) => setValues({ ...values, name: e.target.value })}
        />
        <NewPasswordFields
          label="Password"
          name="password"
          password={values.password}
          confirmation={values.confirmPassword}
          errors={errors}
          onPassword={(password) => setValues({ ...values, password })}
          onConfirmation={(confirmPassword) => setValues({ ...values, confirmPassword })}
        />
        <button type="submit" disabled={join.isPending}>
          {join.isPending ? 'Creating your account…' : `Create my account and join ${preview.team.name}`}
        </button>
      </form>
      <p className="muted">
        Already have an account with this address?{' '}
        <button type="button" className="button-link" onClick={onSignIn}>
          Sign in instead
        </button>
      </p>
    </>
  );
}

/**
 * The dashboard's sign-in has no return path, so the invited account signs in here: the page then
 * redraws signed in, on this same link, with its "Join" button.
 */
function SignInHere({ email, onBack }: { email: string; onBack: () => void }) {
  const trpc = useTRPC();
  const session = useSession();
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [secondStep, setSecondStep] = useState<SecondStep>();
  const [restartNotice, setRestartNotice] = useState<string>();
  const login = useMutation(
    trpc.auth.login.mutationOptions({
      onSuccess: (result) => {
        if (!result.mfaRequired) return session.establish(result);
        setPassword('');
        setSecondStep(secondStepOf(result.mfaToken));
      },
      onError: (error) => setErrors(formErrorsOf(error)),
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setRestartNotice(undefined);
    const result = validate(LoginInput, { email, password });
    if (!result.ok) return setErrors(result.errors);
    setErrors({});
    login.mutate(result.data);
  };
  if (secondStep) {
    // Signed in, the page redraws with its "Join" button, as after a password alone.
    return (
      <SecondStepForm
        step={secondStep}
        heading="h2"
        onRestart={(message) => {
          setSecondStep(undefined);
          setRestartNotice(message);
        }}
      />
    );
  }
  return (
    <>
      <form onSubmit={submit} noValidate aria-label="Sign in to join">
        {restartNotice ? <Alert tone="error">{restartNotice}</Alert> : null}
        <FormError errors={errors} />
        <TextField label="Email" type="email" name="email" autoComplete="username" value={email} readOnly />
        <TextField
          label="Password"
          type="password"
          name="password"
          autoComplete="current-password"
          required
          value={password}
          error={errors.password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <button type="submit" disabled={login.isPending}>
          {login.isPending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p className="muted">
        No account yet?{' '}
        <button type="button" className="button-link" onClick={onBack}>
          Create one with this invitation
        </button>{' '}
        · <Link to="/forgot-password">Forgot your password?</Link>
      </p>
    </>
  );
}
