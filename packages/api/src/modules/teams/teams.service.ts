// Team rules. The caller's team role is read from the database on every call (`teamAccess`, used
// by `teamProcedure`), never taken from the token or the input; changes to the membership are
// checked again under the team row's lock, so the checks and the change see the same members.
// A team always keeps an OWNER. Below OWNER, nobody grants a role at or above their own or
// changes someone at or above it. A global GUEST is at most a VIEWER; a global ADMIN who is not a
// member acts as OWNER for reading and membership, and is audited doing so.
import type { DB, Role, TeamRow } from '@keel/db';
import type { Kysely, Transaction } from 'kysely';
import { badRequest, conflict, forbidden, notFound } from '../../common/errors.js';
import { decodeIdCursor, encodeCursor } from '../../common/pagination.js';
import type { AuthedContext } from '../../trpc.js';
import { audit } from '../audit/audit.service.js';
import { findUserById } from '../users/users.service.js';
import * as repo from './teams.repository.js';
import type {
  CreateTeamInput,
  ListMembersInput,
  Member,
  MemberPage,
  RemoveMemberInput,
  SetMemberRoleInput,
  Team,
  TeamRole,
  UpdateTeamInput,
} from './teams.schema.js';

/** The caller's standing in one team, as `teamProcedure` hands it to the services. */
export interface TeamAccess {
  teamId: string;
  /** The role the rules read: a global GUEST's is at most VIEWER; OWNER for a global ADMIN who is not a member. */
  role: TeamRole;
  /** A global ADMIN acting on a team they are not a member of. */
  asGlobalAdmin: boolean;
}

export type TeamContext = AuthedContext & { team: TeamAccess };

const RANK: Record<TeamRole, number> = { OWNER: 4, ADMIN: 3, MEMBER: 2, VIEWER: 1 };

export const atLeast = (role: TeamRole, min: TeamRole) => RANK[role] >= RANK[min];

const TEAM_NOT_FOUND = 'Team';
const LAST_OWNER = 'A team keeps at least one owner: make another member an owner first';

/** What a member's stored role allows, given their global role: a global GUEST is at most a VIEWER. */
export function effectiveRole(stored: TeamRole, globalRole: Role): TeamRole {
  return globalRole === 'GUEST' ? 'VIEWER' : stored;
}

/**
 * The caller's access to `teamId` with at least `minRole`: a non-member gets 404 (the team's
 * existence is not theirs to learn), a member below the role 403. `globalAdmin: false` for what a
 * global ADMIN may not do to a team they are not in (rename it, delete it).
 */
export async function teamAccess(
  ctx: AuthedContext,
  teamId: string,
  minRole: TeamRole,
  options: { globalAdmin: boolean },
): Promise<TeamAccess> {
  const id = teamId.toLowerCase();
  const member = await repo.findMembership(ctx.db, id, ctx.user.id);
  let access: TeamAccess;
  if (member) access = { teamId: id, role: effectiveRole(member.role, ctx.user.role), asGlobalAdmin: false };
  else if (ctx.user.role === 'ADMIN' && (await repo.findTeamById(ctx.db, id))) {
    if (!options.globalAdmin) throw forbidden('Only the team’s own members may do this');
    access = { teamId: id, role: 'OWNER', asGlobalAdmin: true };
  } else throw notFound(TEAM_NOT_FOUND);
  if (!atLeast(access.role, minRole)) throw forbidden(`Requires team role ${minRole} or higher`);
  return access;
}

/** For other modules (projects): the caller's role in `teamId` as the rules read it, or undefined for a non-member. */
export async function teamRoleOf(
  db: Kysely<DB>,
  teamId: string,
  user: { id: string; role: Role },
): Promise<TeamRole | undefined> {
  const member = await repo.findMembership(db, teamId, user.id);
  return member ? effectiveRole(member.role, user.role) : undefined;
}

/**
 * `teamRoleOf` with the membership row share-locked to the end of `trx`: a removal of the caller
 * either waits for the transaction, or committed first and the caller has no role.
 */
export async function lockTeamRole(
  trx: Transaction<DB>,
  teamId: string,
  user: { id: string; role: Role },
): Promise<TeamRole | undefined> {
  if (!(await repo.shareTeamKey(trx, teamId))) return undefined;
  const member = await repo.lockMembershipForShare(trx, teamId, user.id);
  return member ? effectiveRole(member.role, user.role) : undefined;
}

/**
 * Whether someone invited `email` to a team: under SIGNUP_MODE=invite, single sign-on creates that
 * person's account (who then accepts the invitation signed in), as the link's form does with a password.
 */
export function hasPendingTeamInvitation(db: Kysely<DB>, email: string): Promise<boolean> {
  return repo.hasPendingInvitationOfEmail(db, email);
}

export async function teamExists(db: Kysely<DB>, teamId: string): Promise<boolean> {
  return (await repo.findTeamById(db, teamId)) !== undefined;
}

/** A global ADMIN's look into a team they are not in: every one is on the record. */
export async function auditAdminRead(ctx: TeamContext, path: string): Promise<void> {
  await audit(ctx.db, ctx, {
    actorId: ctx.user.id,
    action: 'team.admin_read',
    targetType: 'team',
    targetId: ctx.team.teamId,
    metadata: { teamId: ctx.team.teamId, procedure: path, asGlobalAdmin: true },
  });
}

/** The caller's role as it stands under the team's lock (it may have changed since `teamAccess`). */
async function roleUnderLock(trx: Transaction<DB>, ctx: TeamContext): Promise<TeamRole> {
  if (!(await repo.lockTeam(trx, ctx.team.teamId))) throw notFound(TEAM_NOT_FOUND);
  if (ctx.team.asGlobalAdmin) return 'OWNER';
  const member = await repo.findMembership(trx, ctx.team.teamId, ctx.user.id);
  if (!member) throw notFound(TEAM_NOT_FOUND);
  return effectiveRole(member.role, ctx.user.role);
}

/** Metadata every team audit event carries. */
function teamMetadata(ctx: TeamContext, extra: Record<string, unknown>): Record<string, unknown> {
  return { teamId: ctx.team.teamId, ...extra, ...(ctx.team.asGlobalAdmin ? { asGlobalAdmin: true } : {}) };
}

export function toTeam(row: TeamRow, role: TeamRole): Team {
  return { id: row.id, name: row.name, createdAt: row.created_at.toISOString(), role };
}

function toMember(row: repo.MemberRow): Member {
  return {
    userId: row.user_id,
    name: row.name,
    email: row.email,
    role: row.role,
    joinedAt: row.joined_at.toISOString(),
  };
}

// --- teams.* -----------------------------------------------------------------------------------

export async function createTeam(ctx: AuthedContext, input: CreateTeamInput): Promise<Team> {
  const team = await ctx.db.transaction().execute(async (trx) => {
    const row = await repo.insertTeam(trx, { name: input.name, createdBy: ctx.user.id });
    await repo.insertMember(trx, { teamId: row.id, userId: ctx.user.id, role: 'OWNER' });
    await audit(trx, ctx, {
      actorId: ctx.user.id,
      action: 'team.created',
      targetType: 'team',
      targetId: row.id,
      metadata: { teamId: row.id, name: row.name },
    });
    return row;
  });
  return toTeam(team, 'OWNER');
}

export async function listTeams(ctx: AuthedContext): Promise<Team[]> {
  const rows = await repo.listTeamsOfUser(ctx.db, ctx.user.id);
  return rows.map((row) => toTeam(row, effectiveRole(row.role, ctx.user.role)));
}

export async function getTeam(ctx: TeamContext): Promise<Team> {
  const row = await repo.findTeamById(ctx.db, ctx.team.teamId);
  if (!row) throw notFound(TEAM_NOT_FOUND);
  return toTeam(row, ctx.team.role);
}

export async function updateTeam(ctx: TeamContext, input: UpdateTeamInput): Promise<Team> {
  const row = await repo.renameTeam(ctx.db, ctx.team.teamId, input.name);
  if (!row) throw notFound(TEAM_NOT_FOUND);
  return toTeam(row, ctx.team.role);
}

/** Only a team without projects goes: its projects are moved out or deleted first. */
export async function deleteTeam(ctx: TeamContext): Promise<{ success: true }> {
  await ctx.db.transaction().execute(async (trx) => {
    const team = await repo.lockTeamForDelete(trx, ctx.team.teamId);
    if (!team) throw notFound(TEAM_NOT_FOUND);
    const projects = await repo.countTeamProjects(trx, team.id);
    if (projects > 0) {
      throw conflict(`The team still has ${projects} project${projects === 1 ? '' : 's'}: move or delete them first`);
    }
    await repo.deleteTeam(trx, team.id);
    await audit(trx, ctx, {
      actorId: ctx.user.id,
      action: 'team.deleted',
      targetType: 'team',
      targetId: team.id,
      metadata: teamMetadata(ctx, { name: team.name }),
    });
  });
  return { success: true };
}

// --- teams.members.* ---------------------------------------------------------------------------

export async function listMembers(ctx: TeamContext, input: ListMembersInput): Promise<MemberPage> {
  const rows = await repo.listMembers(ctx.db, ctx.team.teamId, {
    afterUserId: decodeIdCursor(input.cursor),
    limit: input.limit + 1,
  });
  const hasMore = rows.length > input.limit;
  const page = hasMore ? rows.slice(0, input.limit) : rows;
  const last = page.at(-1);
  return { items: page.map(toMember), nextCursor: hasMore && last ? encodeCursor(last.user_id) : null };
}

export async function setMemberRole(ctx: TeamContext, input: SetMemberRoleInput): Promise<Member> {
  const userId = input.userId.toLowerCase();
  const { teamId } = ctx.team;
  await ctx.db.transaction().execute(async (trx) => {
    const actorRole = await roleUnderLock(trx, ctx);
    if (!atLeast(actorRole, 'ADMIN')) throw forbidden('Requires team role ADMIN or higher');
    const target = await repo.findMembership(trx, teamId, userId);
    if (!target) throw notFound('Member');
    if (target.role === input.role) return;
    if (actorRole !== 'OWNER') {
      if (atLeast(target.role, actorRole))
        throw forbidden('Only an owner may change the role of a member at or above your role');
      if (atLeast(input.role, actorRole)) throw forbidden('Only an owner may grant a role at or above your own');
    }
    if (input.role !== 'VIEWER' && (await findUserById(trx, userId))?.role === 'GUEST') {
      throw badRequest('A guest account can only be a VIEWER in a team');
    }
    if (target.role === 'OWNER' && (await repo.countOwners(trx, teamId)) === 1) throw conflict(LAST_OWNER);
    await repo.setMemberRole(trx, teamId, userId, input.role);
    await audit(trx, ctx, {
      actorId: ctx.user.id,
      action: 'team.member_role_changed',
      targetType: 'user',
      targetId: userId,
      metadata: teamMetadata(ctx, { userId, from: target.role, to: input.role }),
    });
  });
  const member = await repo.findMember(ctx.db, teamId, userId);
  if (!member) throw notFound('Member');
  return toMember(member);
}

/** An ADMIN+ removes a member below them (an OWNER anyone); any member may leave. */
export async function removeMember(ctx: TeamContext, input: RemoveMemberInput): Promise<{ success: true }> {
  const userId = input.userId.toLowerCase();
  const { teamId } = ctx.team;
  const leaving = userId === ctx.user.id;
  await ctx.db.transaction().execute(async (trx) => {
    const actorRole = await roleUnderLock(trx, ctx);
    const target = await repo.findMembership(trx, teamId, userId);
    if (!target) throw notFound('Member');
    if (!leaving) {
      if (!atLeast(actorRole, 'ADMIN')) throw forbidden('Requires team role ADMIN or higher');
      if (actorRole !== 'OWNER' && atLeast(target.role, actorRole)) {
        throw forbidden('Only an owner may remove a member at or above your role');
      }
    }
    if (target.role === 'OWNER' && (await repo.countOwners(trx, teamId)) === 1) throw conflict(LAST_OWNER);
    await repo.deleteMember(trx, teamId, userId);
    await audit(trx, ctx, {
      actorId: ctx.user.id,
      action: 'team.member_removed',
      targetType: 'user',
      targetId: userId,
      metadata: teamMetadata(ctx, { userId, role: target.role, ...(leaving ? { left: true } : {}) }),
    });
  });
  return { success: true };
}
