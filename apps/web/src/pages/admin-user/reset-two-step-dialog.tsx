// The confirmation before an admin turns two-step verification off for a user who lost their
// authenticator app and their recovery codes (admin.users.resetMfa); the user is mailed a notice.
import { ConfirmDialog } from '../../components/ui.js';

export function ResetTwoStepDialog({
  user,
  open,
  busy,
  onCancel,
  onConfirm,
}: {
  user: { name: string; email: string };
  open: boolean;
  busy: boolean;
  onCancel: () => void;
  onConfirm: () => void;
}) {
  return (
    <ConfirmDialog
      open={open}
      title="Reset two-step verification?"
      confirmLabel="Reset two-step verification"
      busy={busy}
      onCancel={onCancel}
      onConfirm={onConfirm}
    >
      <p>
        {user.name} ({user.email}) signs in with the password alone until they turn two-step verification on again.
        Their authenticator app and recovery codes stop working; their sessions stay.
      </p>
      <p>Do this only for someone who lost both, once you are sure it is them. They are mailed a notice.</p>
    </ConfirmDialog>
  );
}
