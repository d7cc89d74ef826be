// zod inputs and outputs of the invitation procedures (admin.invitations.*, auth.invitation,
// auth.acceptInvitation), shared with the dashboard's forms.
import { z } from 'zod';
import { LinkToken } from '../account/account.schema.js';
import { EmailInput, PasswordPolicy } from '../auth/auth.schema.js';
import { CursorInput, cursorPage, NameInput } from '../common.schema.js';
import { RoleSchema } from '../users/users.schema.js';

/** `expired`: still open (neither accepted nor revoked) but past its `expiresAt`; a resend renews it. */
export const InvitationStatus = z.enum(['pending', 'accepted', 'revoked', 'expired']);
export type InvitationStatus = z.infer<typeof InvitationStatus>;

export const Invitation = z.object({
  id: z.string(),
  email: z.string(),
  role: RoleSchema,
  status: InvitationStatus,
  /** The admin who invited, as they are now; null once that account is gone. */
  invitedBy: z.object({ id: z.string(), name: z.string(), email: z.string() }).nullable(),
  createdAt: z.string(),
  expiresAt: z.string(),
  acceptedAt: z.string().nullable(),
});
export type Invitation = z.infer<typeof Invitation>;

export const CreateInvitationInput = z.object({ email: EmailInput, role: RoleSchema });
export type CreateInvitationInput = z.infer<typeof CreateInvitationInput>;

/** Newest first; `status` keeps only the invitations in that state. */
export const ListInvitationsInput = CursorInput.extend({ status: InvitationStatus.optional() });
export type ListInvitationsInput = z.output<typeof ListInvitationsInput>;

export const InvitationPage = cursorPage(Invitation);
export type InvitationPage = z.infer<typeof InvitationPage>;

export const InvitationIdInput = z.object({ id: z.uuid({ error: 'Invalid invitation id' }) });
export type InvitationIdInput = z.infer<typeof InvitationIdInput>;

/** The `?token=` of an invitation link. */
export const InvitationTokenInput = z.object({ token: LinkToken });
export type InvitationTokenInput = z.infer<typeof InvitationTokenInput>;

/** What the accept page shows before the invitee chooses a name and a password. */
export const InvitationPreview = z.object({
  email: z.string(),
  role: RoleSchema,
  invitedBy: z.object({ name: z.string() }).nullable(),
  expiresAt: z.string(),
});
export type InvitationPreview = z.infer<typeof InvitationPreview>;

export const AcceptInvitationInput = z.object({ token: LinkToken, name: NameInput, password: PasswordPolicy });
export type AcceptInvitationInput = z.infer<typeof AcceptInvitationInput>;
