// An unconfirmed address: the banner of the signed-in frame, the panel that replaces a page the
// server refuses until the address is confirmed (REQUIRE_EMAIL_VERIFICATION), and the "Send a new
// link" button they share with the verify-email page (auth.resendVerification; a new link voids the last one).
import { useMutation } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import type { User } from '../lib/auth-store.js';
import { errorMessage } from '../lib/errors.js';
import { useTRPC } from '../lib/trpc.js';
import { usePageRefusal } from './use-page-refusal.js';

export function ResendVerificationButton() {
  const trpc = useTRPC();
  const resend = useMutation(trpc.auth.resendVerification.mutationOptions());
  return (
    <span className="resend-verification">
      <button type="button" className="button-secondary" disabled={resend.isPending} onClick={() => resend.mutate()}>
        {resend.isPending ? 'Sending…' : 'Send a new link'}
      </button>
      {/* Always on the page, so the outcome is announced when it appears. */}
      <span role="status" className={resend.isError ? 'resend-outcome resend-error' : 'resend-outcome'}>
        {resend.isSuccess ? 'Sent. Use the link in the newest mail.' : null}
        {resend.isError ? errorMessage(resend.error) : null}
      </span>
    </span>
  );
}

/** Shown above every signed-in page while the account's address is unconfirmed. */
export function EmailVerificationBanner({ email }: { email: string }) {
  return (
    <section className="alert alert-info email-banner" aria-label="Unconfirmed email address">
      <p>
        Please confirm your address: we sent a link to <strong>{email}</strong>.
      </p>
      <ResendVerificationButton />
    </section>
  );
}

/**
 * Whether the page on screen was refused with EMAIL_NOT_VERIFIED: on that page only (the account
 * page, all auth.*, still works unconfirmed), at once when it is opened again, until `auth.me` says
 * the address is confirmed; only the confirmation, not another page, opens it.
 */
export function useEmailConfirmationRequired(user: User): boolean {
  const { refused } = usePageRefusal('EMAIL_NOT_VERIFIED', { keepForItsPage: true });
  return !user.emailVerified && refused;
}

/** In place of a page the server keeps closed until the address is confirmed. */
export function EmailConfirmationRequired({ email }: { email: string }) {
  return (
    <section className="card notice-page" aria-labelledby="confirmation-required-title">
      <h1 id="confirmation-required-title">Confirm your email address to continue</h1>
      <p>
        This page opens once your address is confirmed. We sent a link to <strong>{email}</strong>: follow it, and come
        back here.
      </p>
      <p className="muted">No mail? Look in your spam folder, or have a new link sent (it replaces the last one).</p>
      <ResendVerificationButton />
      <p className="muted">
        Not your address? <Link to="/account">Change it on your account page</Link>.
      </p>
    </section>
  );
}
