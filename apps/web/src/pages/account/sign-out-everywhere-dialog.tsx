// The confirmation before every session of the account ends, this one included.
import { useMutation } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { Alert, ConfirmDialog } from '../../components/ui.js';
import { errorMessage } from '../../lib/errors.js';
import { useSession } from '../../lib/session-context.js';
import { useTRPC } from '../../lib/trpc.js';

export function SignOutEverywhereDialog({ open, onCancel }: { open: boolean; onCancel: () => void }) {
  const trpc = useTRPC();
  const session = useSession();
  const navigate = useNavigate();
  const logoutAll = useMutation(
    trpc.auth.logoutAll.mutationOptions({
      onSuccess: () => {
        // Every session is revoked, this one included: nothing to tell the server any more.
        session.forget('You signed out everywhere.');
        void navigate({ to: '/sign-in', replace: true });
      },
    }),
  );
  return (
    <ConfirmDialog
      open={open}
      title="Sign out everywhere?"
      confirmLabel="Sign out everywhere"
      busy={logoutAll.isPending}
      onCancel={onCancel}
      onConfirm={() => logoutAll.mutate()}
    >
      <p>Every session of your account ends, this one included. You will have to sign in again.</p>
      {logoutAll.isError ? <Alert tone="error">{errorMessage(logoutAll.error)}</Alert> : null}
    </ConfirmDialog>
  );
}
