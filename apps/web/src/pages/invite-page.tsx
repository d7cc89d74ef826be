// Accept an invitation, from the mailed link (`/invite?token=`): who invited whom as what
// (auth.invitation, which spends nothing: mail scanners open links), then a name and a password
// (auth.acceptInvitation) create the account with the invited address, signed in at once.
import { AcceptInvitationInput, InvitationTokenInput } from '@keel/api/schemas';
import { useMutation, useMutationState, useQuery } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { type FormEvent, type ReactNode, useState } from 'react';
import { NewPasswordFields, withConfirmation } from '../components/new-password-fields.js';
import { Alert, ErrorState, FormError, Loading, TextField, usePageTitle } from '../components/ui.js';
import { errorCode, errorMessage, type FieldErrors, formErrorsOf, validate } from '../lib/errors.js';
import { formatDateTime } from '../lib/format.js';
import { useAuth, useSession } from '../lib/session-context.js';
import { useTRPC } from '../lib/trpc.js';

const route = getRouteApi('/invite');

/** The server's word that the link is spent, revoked, replaced or expired: no form fixes that. */
function refusalOf(error: unknown): string | undefined {
  if (errorCode(error) === 'NOT_FOUND') return errorMessage(error);
  return formErrorsOf(error).token;
}

function DeadLink({ message, signedIn }: { message: string; signedIn: boolean }) {
  return (
    <>
      <Alert tone="error">{message}</Alert>
      <p>Ask the person who invited you to send a new invitation.</p>
      {signedIn ? (
        <p>
          <Link to="/projects">Go to your projects</Link>
        </p>
      ) : (
        <p>
          Already have an account? <Link to="/sign-in">Sign in</Link>
        </p>
      )}
    </>
  );
}

export function InvitePage() {
  usePageTitle('Accept your invitation');
  const trpc = useTRPC();
  const session = useSession();
  const auth = useAuth();
  const navigate = useNavigate();
  const { token } = route.useSearch();
  const signedIn = auth.status === 'signed-in';
  const link = validate(InvitationTokenInput, { token });
  const invitation = useQuery({
    ...trpc.auth.invitation.queryOptions(link.ok ? link.data : { token: '' }),
    enabled: link.ok,
  });
  const [values, setValues] = useState({ name: '', password: '', confirmPassword: '' });
  const [errors, setErrors] = useState<FieldErrors>({});
  const [refused, setRefused] = useState<string>();
  const [signingOut, setSigningOut] = useState(false);
  // Accepting signs in, which redraws this page inside the signed-in frame (a new instance): the
  // mutation cache, not this instance's state, remembers that this link was just accepted, so the
  // page waits for the way home instead of asking the new account to sign out.
  const acceptedTokens = useMutationState({
    filters: { mutationKey: trpc.auth.acceptInvitation.mutationKey(), status: 'success' },
    select: (mutation) => (mutation.state.variables as { token?: string } | undefined)?.token,
  });
  const accept = useMutation(
    trpc.auth.acceptInvitation.mutationOptions({
      onSuccess: (payload) => {
        // Signed in like after a sign-up, then on to the dashboard's home.
        session.establish(payload);
        void navigate({ to: '/projects', replace: true });
      },
      onError: (error) => {
        const refusal = refusalOf(error);
        if (refusal) setRefused(refusal);
        else setErrors(formErrorsOf(error));
      },
    }),
  );

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const result = validate(AcceptInvitationInput, { token, name: values.name, password: values.password });
    const found = withConfirmation(result.ok ? {} : result.errors, 'password', values.password, values.confirmPassword);
    if (!result.ok || Object.keys(found).length > 0) return setErrors(found);
    setErrors({});
    accept.mutate(result.data);
  };

  let body: ReactNode;
  if (accept.isSuccess || (link.ok && acceptedTokens.includes(link.data.token))) {
    body = <Loading label="Opening your dashboard…" />;
  } else if (!link.ok) {
    body = (
      <DeadLink
        message={link.errors.token ?? 'This link is not valid: open it from the mail again'}
        signedIn={signedIn}
      />
    );
  } else if (refused) {
    body = <DeadLink message={refused} signedIn={signedIn} />;
  } else if (invitation.isPending) {
    body = <Loading label="Checking your invitation…" />;
  } else if (invitation.isError) {
    const refusal = refusalOf(invitation.error);
    body = refusal ? (
      <DeadLink message={refusal} signedIn={signedIn} />
    ) : (
      <ErrorState error={invitation.error} onRetry={() => void invitation.refetch()} />
    );
  } else {
    const { email, role, invitedBy, expiresAt } = invitation.data;
    const summary = (
      <>
        <p className="invite-summary" data-testid="invite-summary">
          {invitedBy ? `${invitedBy.name} invited you to Keel as ${role}.` : `You are invited to Keel as ${role}.`}
        </p>
        <p>
          Your account will use the address <strong className="invite-email">{email}</strong>. The invitation is valid
          until {formatDateTime(expiresAt)}.
        </p>
      </>
    );
    body =
      auth.status === 'signed-in' ? (
        <>
          {summary}
          <Alert tone="info">
            You are signed in as {auth.user.name} ({auth.user.email}). Sign out first to accept this invitation with a
            new account.
          </Alert>
          <button
            type="button"
            className="button-secondary"
            disabled={signingOut}
            onClick={() => {
              setSigningOut(true);
              // The page stays: once signed out, its form shows.
              void session.signOut().finally(() => setSigningOut(false));
            }}
          >
            {signingOut ? 'Signing out…' : 'Sign out to accept'}
          </button>
        </>
      ) : (
        <>
          {summary}
          <form onSubmit={submit} noValidate aria-label="Create your account">
            <FormError errors={errors} />
            {/* The address is the invitation's: shown, not editable, and given to password managers. */}
            <TextField label="Email" type="email" name="email" autoComplete="username" value={email} readOnly />
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
            <button type="submit" disabled={accept.isPending}>
              {accept.isPending ? 'Creating your account…' : 'Create my account'}
            </button>
          </form>
        </>
      );
  }
  return (
    <section className="card auth-card" aria-labelledby="invite-title">
      <h1 id="invite-title">Accept your invitation</h1>
      {body}
    </section>
  );
}
