// Confirm an email change, from the link mailed to the new address (`/confirm-email?token=`), signed
// in or not. Opening the page sends nothing (mail scanners open links): only the "Use this address"
// button (auth.confirmEmailChange) spends the link. Signed in, `auth.me` is fetched again, so the
// frame and the account page show the new address.
import { ConfirmEmailChangeInput } from '@keel/api/schemas';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { Alert, usePageTitle } from '../components/ui.js';
import { errorCode, errorMessage, fieldErrorsOf, validate } from '../lib/errors.js';
import { useAuth } from '../lib/session-context.js';
import { useTRPC } from '../lib/trpc.js';

const route = getRouteApi('/confirm-email');

/**
 * Why the server refused the link (used, replaced, expired, mangled; or the address taken by another
 * account since it was sent), or undefined for another failure.
 */
function refusalOf(error: unknown): string | undefined {
  const code = errorCode(error);
  if (code === 'BAD_REQUEST' || code === 'CONFLICT') return errorMessage(error);
  return fieldErrorsOf(error).token;
}

export function ConfirmEmailPage() {
  usePageTitle('Confirm your new email address');
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const auth = useAuth();
  const signedIn = auth.status === 'signed-in';
  const { token } = route.useSearch();
  const checked = validate(ConfirmEmailChangeInput, { token });
  const confirm = useMutation(
    trpc.auth.confirmEmailChange.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey() }),
    }),
  );

  const problem = checked.ok ? (confirm.isError ? refusalOf(confirm.error) : undefined) : checked.errors.token;
  let body: ReactNode;
  if (confirm.isSuccess) {
    body = (
      <>
        <Alert tone="success">Your email address is changed: sign in with the new one from now on.</Alert>
        <p>{signedIn ? <Link to="/account">Go to your account</Link> : <Link to="/sign-in">Sign in</Link>}</p>
      </>
    );
  } else if (problem) {
    body = (
      <>
        <Alert tone="error">{problem}</Alert>
        {/* A new link only comes from asking again, which takes the password: the account page's form. */}
        {signedIn ? (
          <p>
            <Link to="/account">Ask for the change again</Link> on your account page.
          </p>
        ) : (
          <p>
            <Link to="/sign-in">Sign in</Link> to ask for the change again.
          </p>
        )}
      </>
    );
  } else {
    body = (
      <>
        <p>
          Use the address this link was sent to for your Keel account. Until you do, your account keeps its old one.
        </p>
        {confirm.isError ? <Alert tone="error">{errorMessage(confirm.error)}</Alert> : null}
        <button
          type="button"
          disabled={confirm.isPending}
          onClick={() => {
            if (checked.ok) confirm.mutate(checked.data);
          }}
        >
          {confirm.isPending ? 'Changing…' : 'Use this address'}
        </button>
      </>
    );
  }
  return (
    <section className="card auth-card" aria-labelledby="confirm-email-title">
      <h1 id="confirm-email-title">Confirm your new email address</h1>
      {body}
    </section>
  );
}
