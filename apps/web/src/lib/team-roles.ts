// What a team role may do to other members, mirrored from the API's rules (docs/teams.md) so the team
// page offers only the actions the server would accept; the server still decides every call.
import type { RouterOutputs } from '@keel/api';

export type TeamRole = RouterOutputs['teams']['get']['role'];

/** Highest first, as the API lists them; a `Record` so a role added to the API fails to compile here. */
const RANK: Record<TeamRole, number> = { OWNER: 0, ADMIN: 1, MEMBER: 2, VIEWER: 3 };

export const TEAM_ROLES = (Object.keys(RANK) as TeamRole[]).sort((a, b) => RANK[a] - RANK[b]);

function isBelow(role: TeamRole, than: TeamRole): boolean {
  return RANK[role] > RANK[than];
}

/** Invitations and the members' roles are for ADMIN and above. */
export function managesMembers(caller: TeamRole): boolean {
  return !isBelow(caller, 'ADMIN');
}

/** The roles `caller` may give: an OWNER any, an ADMIN those below ADMIN, anyone else none. */
export function grantableRoles(caller: TeamRole): TeamRole[] {
  if (!managesMembers(caller)) return [];
  return caller === 'OWNER' ? TEAM_ROLES : TEAM_ROLES.filter((role) => isBelow(role, caller));
}

/**
 * Whether `caller` may change the role of, or remove, a member holding `target`: an OWNER anyone
 * (a team's last owner is the server's 409 to tell), an ADMIN only members below ADMIN.
 */
export function canManage(caller: TeamRole, target: TeamRole): boolean {
  if (!managesMembers(caller)) return false;
  return caller === 'OWNER' || isBelow(target, caller);
}

/** Creating and editing a team's projects (and moving one's own in or out) is for MEMBER and above. */
export function editsProjects(caller: TeamRole): boolean {
  return !isBelow(caller, 'MEMBER');
}

/** A team project is deleted by an ADMIN or above, or by its creator while still a MEMBER or above. */
export function deletesProject(caller: TeamRole, isCreator: boolean): boolean {
  return !isBelow(caller, 'ADMIN') || (isCreator && editsProjects(caller));
}
