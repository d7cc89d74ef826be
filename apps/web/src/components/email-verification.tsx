// An unconfirmed address: the banner of the signed-in frame, and the "Send a new link" button it
// shares with the verify-email page (auth.resendVerification; a new link voids the last one).
import { useMutation } from '@tanstack/react-query';
import { errorMessage } from '../lib/errors.js';
import { useTRPC } from '../lib/trpc.js';

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
