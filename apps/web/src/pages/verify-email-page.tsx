// Verify email, from the mailed link (`/verify-email?token=`), signed in or not. Opening the page
// sends nothing (mail scanners open links): only the "Confirm my address" button (auth.verifyEmail)
// spends the link. Signed in, `auth.me` is fetched again, so the banner of the layout goes.
import { VerifyEmailInput } from '@keel/api/schemas';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { ResendVerificationButton } from '../components/email-verification.js';
import { Alert, usePageTitle } from '../components/ui.js';
import { errorCode, errorMessage, fieldErrorsOf, validate } from '../lib/errors.js';
import { useAuth } from '../lib/session-context.js';
import { useTRPC } from '../lib/trpc.js';

const route = getRouteApi('/verify-email');

/** Why the server refused the link (used, replaced, expired, mangled), or undefined for another failure. */
function refusalOf(error: unknown): string | undefined {
  if (errorCode(error) === 'BAD_REQUEST') return errorMessage(error);
  return fieldErrorsOf(error).token;
}

export function VerifyEmailPage() {
  usePageTitle('Confirm your email address');
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const auth = useAuth();
  const signedIn = auth.status === 'signed-in';
  const { token } = route.useSearch();
  const checked = validate(VerifyEmailInput, { token });
  const verify = useMutation(
    trpc.auth.verifyEmail.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey() }),
    }),
  );

  const problem = checked.ok ? (verify.isError ? refusalOf(verify.error) : undefined) : checked.errors.token;
  let body: ReactNode;
  if (verify.isSuccess) {
    body = (
      <>
        <Alert tone="success">Your address is confirmed. Thank you!</Alert>
        <p>{signedIn ? <Link to="/projects">Go to your projects</Link> : <Link to="/sign-in">Sign in</Link>}</p>
      </>
    );
  } else if (problem) {
    body = (
      <>
        <Alert tone="error">{problem}</Alert>
        {signedIn && auth.user.emailVerified ? (
          // An old link of an address confirmed since: a new one would change nothing.
          <p>Your address {auth.user.email} is already confirmed.</p>
        ) : signedIn ? (
          <ResendVerificationButton />
        ) : (
          <p>
            <Link to="/sign-in">Sign in</Link> to have a new link sent to your address.
          </p>
        )}
      </>
    );
  } else {
    body = (
      <>
        <p>Confirm that this address is yours to finish setting up your account.</p>
        {verify.isError ? <Alert tone="error">{errorMessage(verify.error)}</Alert> : null}
        <button
          type="button"
          disabled={verify.isPending}
          onClick={() => {
            if (checked.ok) verify.mutate(checked.data);
          }}
        >
          {verify.isPending ? 'Confirming…' : 'Confirm my address'}
        </button>
      </>
    );
  }
  return (
    <section className="card auth-card" aria-labelledby="verify-title">
      <h1 id="verify-title">Confirm your email address</h1>
      {body}
    </section>
  );
}
