// The confirmation before an admin revokes an invitation (its link stops working at once).
import { ConfirmDialog } from '../../components/ui.js';
import type { Invitation } from './invitations-table.js';

/** Open while `invitation` is set. */
export function RevokeInvitationDialog({
  invitation,
  busy,
  onCancel,
  onConfirm,
}: {
  invitation: Invitation | null;
  busy: boolean;
  onCancel: () => void;
  onConfirm: (invitation: Invitation) => void;
}) {
  return (
    <ConfirmDialog
      open={invitation !== null}
      title="Revoke the invitation?"
      confirmLabel="Revoke"
      busy={busy}
      onCancel={onCancel}
      onConfirm={() => invitation && onConfirm(invitation)}
    >
      <p>The link mailed to {invitation?.email} stops working at once. You can invite the address again afterwards.</p>
    </ConfirmDialog>
  );
}
