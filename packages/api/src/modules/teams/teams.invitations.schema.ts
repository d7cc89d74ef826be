// zod inputs and outputs of teams.invitations.*, teams.invitation and teams.invitations.accept.
import { z } from 'zod';
import { LinkToken } from '../account/account.schema.js';
import { AuthPayload, EmailInput, PasswordPolicy } from '../auth/auth.schema.js';
import { CursorInput, cursorPage, NameInput } from '../common.schema.js';
import { InvitationStatus } from '../invitations/invitations.schema.js';
import { Team, TeamRoleSchema, TeamScopedInput } from './teams.schema.js';

export const TeamInvitation = z.object({
  id: z.string(),
  email: z.string(),
  role: TeamRoleSchema,
  status: InvitationStatus,
  /** The member who invited, as they are now; null once that account is gone. */
  invitedBy: z.object({ id: z.string(), name: z.string(), email: z.string() }).nullable(),
  createdAt: z.string(),
  expiresAt: z.string(),
});
export type TeamInvitation = z.infer<typeof TeamInvitation>;

export const CreateTeamInvitationInput = TeamScopedInput.extend({ email: EmailInput, role: TeamRoleSchema });
export type CreateTeamInvitationInput = z.infer<typeof CreateTeamInvitationInput>;

/** Newest first; `status` keeps only the invitations in that state. */
export const ListTeamInvitationsInput = TeamScopedInput.extend(CursorInput.shape).extend({
  status: InvitationStatus.optional(),
});
export type ListTeamInvitationsInput = z.output<typeof ListTeamInvitationsInput>;

export const TeamInvitationPage = cursorPage(TeamInvitation);
export type TeamInvitationPage = z.infer<typeof TeamInvitationPage>;

export const RevokeTeamInvitationInput = TeamScopedInput.extend({ id: z.uuid({ error: 'Invalid invitation id' }) });
export type RevokeTeamInvitationInput = z.infer<typeof RevokeTeamInvitationInput>;

export const TeamInvitationTokenInput = z.object({ token: LinkToken });
export type TeamInvitationTokenInput = z.infer<typeof TeamInvitationTokenInput>;

/** What the accept page shows. */
export const TeamInvitationPreview = z.object({
  team: z.object({ id: z.string(), name: z.string() }),
  email: z.string(),
  role: TeamRoleSchema,
  invitedBy: z.object({ name: z.string() }).nullable(),
  expiresAt: z.string(),
});
export type TeamInvitationPreview = z.infer<typeof TeamInvitationPreview>;

/**
 * Signed in: the token alone (the account's verified address must be the invited one). Signed out:
 * a name and a password too, for the account the invitation creates.
 */
export const AcceptTeamInvitationInput = z.object({
  token: LinkToken,
  name: NameInput.optional(),
  password: PasswordPolicy.optional(),
});
export type AcceptTeamInvitationInput = z.infer<typeof AcceptTeamInvitationInput>;

/** The `Team` a signed-in account joined; for a new account, its sign-in and the team. */
export const AcceptTeamInvitationResult = z.union([Team, AuthPayload.extend({ team: Team })]);
export type AcceptTeamInvitationResult = z.infer<typeof AcceptTeamInvitationResult>;
