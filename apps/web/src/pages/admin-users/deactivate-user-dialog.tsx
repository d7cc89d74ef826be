// The confirmation before an admin deactivates a user (every session of theirs ends at once).
import { ConfirmDialog } from '../../components/ui.js';
import type { AdminUser } from './admin-users-table.js';

/** Open while `user` is set. */
export function DeactivateUserDialog({
  user,
  busy,
  onCancel,
  onConfirm,
}: {
  user: AdminUser | null;
  busy: boolean;
  onCancel: () => void;
  onConfirm: (user: AdminUser) => void;
}) {
  return (
    <ConfirmDialog
      open={user !== null}
      title="Deactivate user?"
      confirmLabel="Deactivate"
      busy={busy}
      onCancel={onCancel}
      onConfirm={() => user && onConfirm(user)}
    >
      <p>
        {user?.name} ({user?.email}) is signed out of every session at once and cannot sign in until reactivated.
      </p>
    </ConfirmDialog>
  );
}
