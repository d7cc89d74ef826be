// SQL for teams and their members.
import type { DB, TeamMemberRow, TeamRole, TeamRow } from '@keel/db';
import { type Kysely, sql, type Transaction } from 'kysely';

export interface TeamWithRole extends TeamRow {
  role: TeamRole;
}

export interface MemberRow {
  user_id: string;
  name: string;
  email: string;
  role: TeamRole;
  joined_at: Date;
}

export async function insertTeam(db: Kysely<DB>, team: { name: string; createdBy: string }): Promise<TeamRow> {
  return db
    .insertInto('teams')
    .values({ name: team.name, created_by: team.createdBy })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertMember(
  db: Kysely<DB>,
  member: { teamId: string; userId: string; role: TeamRole },
): Promise<TeamMemberRow> {
  return db
    .insertInto('team_members')
    .values({ team_id: member.teamId, user_id: member.userId, role: member.role })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findTeamById(db: Kysely<DB>, id: string): Promise<TeamRow | undefined> {
  return db.selectFrom('teams').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Locks the team row for the rest of the transaction: every change of its membership takes this
 * lock first, so two of them (two owners demoting each other) run one after the other. `NO KEY
 * UPDATE`, so projects being added to the team (which hold its key share) do not wait for it.
 */
export function lockTeam(db: Transaction<DB>, id: string): Promise<TeamRow | undefined> {
  return db.selectFrom('teams').selectAll().where('id', '=', id).forNoKeyUpdate().executeTakeFirst();
}

/** Locks the team row against everything, projects being added included: taken to delete it. */
export function lockTeamForDelete(db: Transaction<DB>, id: string): Promise<TeamRow | undefined> {
  return db.selectFrom('teams').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/**
 * The team row's key share, which a project referencing the team takes anyway: taken before the
 * membership lock, so every transaction locks the team before its members and none deadlock.
 */
export async function shareTeamKey(db: Transaction<DB>, id: string): Promise<boolean> {
  return (
    (await db.selectFrom('teams').select('id').where('id', '=', id).forKeyShare().executeTakeFirst()) !== undefined
  );
}

export function findMembership(db: Kysely<DB>, teamId: string, userId: string): Promise<TeamMemberRow | undefined> {
  return db
    .selectFrom('team_members')
    .selectAll()
    .where('team_id', '=', teamId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

/**
 * The membership row under a share lock held to the end of the transaction: a removal of it waits
 * for that transaction, or committed first and there is no row.
 */
export function lockMembershipForShare(
  db: Transaction<DB>,
  teamId: string,
  userId: string,
): Promise<TeamMemberRow | undefined> {
  return db
    .selectFrom('team_members')
    .selectAll()
    .where('team_id', '=', teamId)
    .where('user_id', '=', userId)
    .forShare()
    .executeTakeFirst();
}

/** The teams `userId` belongs to, with their role in each, by name. */
export function listTeamsOfUser(db: Kysely<DB>, userId: string): Promise<TeamWithRole[]> {
  return db
    .selectFrom('team_members as m')
    .innerJoin('teams as t', 't.id', 'm.team_id')
    .selectAll('t')
    .select('m.role')
    .where('m.user_id', '=', userId)
    .orderBy(sql`t.name collate name_sort`)
    .orderBy('t.id')
    .execute();
}

export function countOwners(db: Kysely<DB>, teamId: string): Promise<number> {
  return db
    .selectFrom('team_members')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('team_id', '=', teamId)
    .where('role', '=', 'OWNER')
    .executeTakeFirstOrThrow()
    .then((row) => Number(row.count));
}

export function countTeamProjects(db: Kysely<DB>, teamId: string): Promise<number> {
  return db
    .selectFrom('projects')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('team_id', '=', teamId)
    .executeTakeFirstOrThrow()
    .then((row) => Number(row.count));
}

const selectMembers = (db: Kysely<DB>, teamId: string) =>
  db
    .selectFrom('team_members as m')
    .innerJoin('users as u', 'u.id', 'm.user_id')
    .select(['m.user_id', 'u.name', 'u.email', 'm.role', 'm.joined_at'])
    .where('m.team_id', '=', teamId);

export function findMember(db: Kysely<DB>, teamId: string, userId: string): Promise<MemberRow | undefined> {
  return selectMembers(db, teamId).where('m.user_id', '=', userId).executeTakeFirst();
}

/** A page of members in the order they joined (`joined_at, user_id`), after the member `afterUserId`. */
export function listMembers(
  db: Kysely<DB>,
  teamId: string,
  options: { afterUserId: string | undefined; limit: number },
): Promise<MemberRow[]> {
  let query = selectMembers(db, teamId);
  if (options.afterUserId !== undefined) {
    query = query.where(
      sql<boolean>`(m.joined_at, m.user_id) > (select c.joined_at, c.user_id from team_members c
        where c.team_id = ${teamId} and c.user_id = ${options.afterUserId})`,
    );
  }
  return query.orderBy('m.joined_at').orderBy('m.user_id').limit(options.limit).execute();
}

export async function setMemberRole(db: Kysely<DB>, teamId: string, userId: string, role: TeamRole): Promise<void> {
  await db
    .updateTable('team_members')
    .set({ role })
    .where('team_id', '=', teamId)
    .where('user_id', '=', userId)
    .execute();
}

export async function deleteMember(db: Kysely<DB>, teamId: string, userId: string): Promise<void> {
  await db.deleteFrom('team_members').where('team_id', '=', teamId).where('user_id', '=', userId).execute();
}

export function renameTeam(db: Kysely<DB>, id: string, name: string): Promise<TeamRow | undefined> {
  return db
    .updateTable('teams')
    .set({ name, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export async function deleteTeam(db: Kysely<DB>, id: string): Promise<void> {
  await db.deleteFrom('teams').where('id', '=', id).execute();
}

/** Whether a team invitation of `email` is open and unexpired (it lets single sign-on create the account). */
export async function hasPendingInvitationOfEmail(db: Kysely<DB>, email: string): Promise<boolean> {
  const row = await db
    .selectFrom('team_invitations')
    .select('id')
    .where('email', '=', email)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
