// The invitations table, newest first: the address, the role, where it stands, who invited, when it
// was sent and until when it works; the row menu resends or revokes an open one (pending or expired:
// a resend gives an expired one 7 more days).
import type { RouterOutputs } from '@keel/api';
import type { InvitationStatus } from '@keel/api/schemas';
import { RowActions } from '../../components/row-actions.js';
import { formatDateTime } from '../../lib/format.js';

export type Invitation = RouterOutputs['admin']['invitations']['list']['items'][number];

export const STATUS_LABELS: Record<InvitationStatus, string> = {
  pending: 'Pending',
  accepted: 'Accepted',
  revoked: 'Revoked',
  expired: 'Expired',
};

/** Why an action does not apply to an invitation in this status (shown in the menu), or false. */
function resendBlocked(status: InvitationStatus) {
  if (status === 'accepted') return { reason: 'Already accepted' };
  if (status === 'revoked') return { reason: 'Revoked: invite the address again instead' };
  return false;
}

function revokeBlocked(status: InvitationStatus) {
  if (status === 'accepted') return { reason: 'Already accepted' };
  if (status === 'revoked') return { reason: 'Already revoked' };
  // An expired one still holds its address (one open invitation per address): revoking frees it.
  return false;
}

/** The line under the sending time: when it was accepted, or until when its link works (worked). */
function outcomeOf(invitation: Invitation): string {
  switch (invitation.status) {
    case 'accepted':
      return `accepted ${invitation.acceptedAt ? formatDateTime(invitation.acceptedAt) : ''}`.trim();
    case 'revoked':
      return 'revoked';
    case 'expired':
      return `expired ${formatDateTime(invitation.expiresAt)}`;
    default:
      return `expires ${formatDateTime(invitation.expiresAt)}`;
  }
}

export function InvitationsTable({
  invitations,
  busy,
  onResend,
  onRevoke,
}: {
  invitations: Invitation[];
  /** Fresher rows are on their way. */
  busy: boolean;
  onResend: (invitation: Invitation) => void;
  onRevoke: (invitation: Invitation) => void;
}) {
  return (
    <div className="table-wrap">
      <table aria-labelledby="invitations-title" aria-busy={busy}>
        <thead>
          <tr>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Status</th>
            <th scope="col">Invited by</th>
            <th scope="col">Sent / expires</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {invitations.map((invitation) => (
            <tr key={invitation.id} data-invitation-email={invitation.email}>
              <td data-label="Email" className="cell-wrap">
                {invitation.email}
              </td>
              <td data-label="Role">{invitation.role}</td>
              <td data-label="Status">
                <span className={`tag invitation-${invitation.status}`}>{STATUS_LABELS[invitation.status]}</span>
              </td>
              <td data-label="Invited by">
                {invitation.invitedBy ? (
                  <>
                    {invitation.invitedBy.name}
                    <span className="cell-note">{invitation.invitedBy.email}</span>
                  </>
                ) : (
                  // The inviting admin's account was deleted since.
                  <span className="muted">a removed account</span>
                )}
              </td>
              <td data-label="Sent / expires" className="invitation-dates">
                {formatDateTime(invitation.createdAt)}
                <span className="cell-note">{outcomeOf(invitation)}</span>
              </td>
              <td className="actions-cell">
                <RowActions
                  label={`Actions for the invitation of ${invitation.email}`}
                  actions={[
                    {
                      id: 'resend',
                      label: 'Resend',
                      disabled: resendBlocked(invitation.status),
                      onAction: () => onResend(invitation),
                    },
                    {
                      id: 'revoke',
                      label: 'Revoke…',
                      danger: true,
                      disabled: revokeBlocked(invitation.status),
                      onAction: () => onRevoke(invitation),
                    },
                  ]}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
