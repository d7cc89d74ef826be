// The confirmation before an admin signs a user out of every session (the account stays active).
import { ConfirmDialog } from '../../components/ui.js';
import { formatCount } from '../../lib/format.js';

export function RevokeSessionsDialog({
  user,
  sessionCount,
  self,
  open,
  busy,
  onCancel,
  onConfirm,
}: {
  user: { name: string; email: string };
  sessionCount: number;
  /** The admin is looking at their own account: this browser is signed out too. */
  self: boolean;
  open: boolean;
  busy: boolean;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  return (
    <ConfirmDialog
      open={open}
      title="Sign out everywhere?"
      confirmLabel="Sign out everywhere"
      busy={busy}
      onCancel={onCancel}
      onConfirm={onConfirm}
    >
      <p>
        {user.name} ({user.email}) is signed out of {formatCount(sessionCount, 'active session')} at once, on every
        device. The account stays active: they can sign in again.
      </p>
      {self ? <p>This is your own account: you will be signed out here too.</p> : null}
    </ConfirmDialog>
  );
}
