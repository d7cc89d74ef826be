// The team forms' zod schemas, built from the API's shared fields exactly as the teams module's
// *.schema.ts builds its inputs: `@keel/api/schemas` does not re-export that module yet.
import { EmailInput, LinkToken, NameInput, PasswordPolicy } from '@keel/api/schemas';
import { z } from 'zod';
import { TEAM_ROLES, type TeamRole } from './team-roles.js';

export const CreateTeamInput = z.object({ name: NameInput });

export const RenameTeamInput = z.object({ name: NameInput });

export const TeamRoleInput = z.enum(TEAM_ROLES as [TeamRole, ...TeamRole[]]);

export const InviteToTeamInput = z.object({ email: EmailInput, role: TeamRoleInput });

export const TeamInvitationTokenInput = z.object({ token: LinkToken });

export const JoinWithNewAccountInput = z.object({ token: LinkToken, name: NameInput, password: PasswordPolicy });

/** The page's `$teamId`, typed by hand perhaps: a malformed one is no team, without asking the server. */
export const TeamIdInput = z.object({ teamId: z.uuid({ error: 'Invalid team id' }) });
