// A role that requires two-step verification (MFA_REQUIRED_ROLES) and a session that has not passed
// it: the server refuses every page but the account's with MFA_REQUIRED, and the signed-in frame
// shows this panel in its place, with the set-up flow. Once it is on, this session passed it (the
// token is refreshed by the flow) and the page opens.
import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { useSession } from '../lib/session-context.js';
import { useTRPC } from '../lib/trpc.js';
import { TwoStepSetup } from './two-step-setup.js';
import { ErrorState, Loading } from './ui.js';
import { usePageRefusal } from './use-page-refusal.js';

/**
 * Whether the page on screen was refused with MFA_REQUIRED, and `passed` to call once this session
 * passed two-step verification. Another page asks the server again: two-step verification may have
 * been turned on meanwhile (on the account page), and the refused page, opened again, must not find
 * the panel waiting.
 */
export function useTwoStepRequired(): { required: boolean; passed: () => void } {
  const { refused, clear } = usePageRefusal('MFA_REQUIRED');
  return { required: refused, passed: clear };
}

/** In place of a page the server keeps closed until this session passed two-step verification. */
export function TwoStepRequired({ onPassed }: { onPassed: () => void }) {
  const trpc = useTRPC();
  const status = useQuery(trpc.auth.mfa.status.queryOptions());
  // Decided on the first answer: turning it on here changes the status under the recovery codes,
  // which must stay on screen until Done.
  const [alreadyOn, setAlreadyOn] = useState<boolean>();
  useEffect(() => {
    if (status.data) setAlreadyOn((known) => known ?? status.data.enabled);
  }, [status.data]);
  return (
    <section className="card notice-page" aria-labelledby="two-step-required-title">
      <h1 id="two-step-required-title">Your role requires two-step verification</h1>
      {alreadyOn === undefined ? (
        status.isError ? (
          <ErrorState error={status.error} onRetry={() => void status.refetch()} />
        ) : (
          <Loading label="Checking your account…" />
        )
      ) : alreadyOn ? (
        <SignInWithCode />
      ) : (
        <>
          <p>
            This page opens once your sign-in asks for a code from an authenticator app as well as your password. Set it
            up now: it takes a minute, and this page opens right after.
          </p>
          <TwoStepSetup heading="h2" onDone={onPassed} />
        </>
      )}
    </section>
  );
}

/** On already, but this session was opened without the code (before it was turned on elsewhere). */
function SignInWithCode() {
  const session = useSession();
  const navigate = useNavigate();
  const [signingOut, setSigningOut] = useState(false);
  const signOut = async () => {
    setSigningOut(true);
    await session.signOut();
    await navigate({ to: '/sign-in', replace: true });
  };
  return (
    <>
      <p>
        Your account has two-step verification, but this session was opened without a code. Sign in again with your
        password and a code from your authenticator app to open this page.
      </p>
      <div className="actions">
        <button type="button" onClick={() => void signOut()} disabled={signingOut}>
          {signingOut ? 'Signing out…' : 'Sign out and sign in again'}
        </button>
      </div>
      <p className="muted">
        Lost the app? <Link to="/account">Your account page</Link> still opens; an admin can turn two-step verification
        off for you.
      </p>
    </>
  );
}
