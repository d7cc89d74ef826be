// zod inputs and outputs of teams.*, shared with the dashboard's forms.
import { TEAM_ROLES } from '@keel/db/schema';
import { z } from 'zod';
import { CursorInput, cursorPage, NameInput } from '../common.schema.js';

/** The database's own list of team roles, highest first. */
export const TeamRoleSchema = z.enum(TEAM_ROLES);
export type TeamRole = z.infer<typeof TeamRoleSchema>;

const TeamId = z.uuid({ error: 'Invalid team id' });

/** `role` is the caller's in the team (OWNER for a global ADMIN who is not a member). */
export const Team = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.string(),
  role: TeamRoleSchema,
});
export type Team = z.infer<typeof Team>;

export const Member = z.object({
  userId: z.string(),
  name: z.string(),
  email: z.string(),
  role: TeamRoleSchema,
  joinedAt: z.string(),
});
export type Member = z.infer<typeof Member>;

/** Every team-scoped input starts from this: the membership is read for this team on each call. */
export const TeamScopedInput = z.object({ teamId: TeamId });
export type TeamScopedInput = z.infer<typeof TeamScopedInput>;

export const CreateTeamInput = z.object({ name: NameInput });
export type CreateTeamInput = z.infer<typeof CreateTeamInput>;

export const UpdateTeamInput = TeamScopedInput.extend({ name: NameInput });
export type UpdateTeamInput = z.infer<typeof UpdateTeamInput>;

export const ListMembersInput = TeamScopedInput.extend(CursorInput.shape);
export type ListMembersInput = z.infer<typeof ListMembersInput>;

const MemberId = z.uuid({ error: 'Invalid user id' });

export const SetMemberRoleInput = TeamScopedInput.extend({ userId: MemberId, role: TeamRoleSchema });
export type SetMemberRoleInput = z.infer<typeof SetMemberRoleInput>;

export const RemoveMemberInput = TeamScopedInput.extend({ userId: MemberId });
export type RemoveMemberInput = z.infer<typeof RemoveMemberInput>;

export const TeamList = z.array(Team);
export const MemberPage = cursorPage(Member);
export type MemberPage = z.infer<typeof MemberPage>;
