// SQL for team invitations: create, list with the inviter and a computed status, and the
// one-statement transitions (issue a token, revoke, accept) that only ever apply to an open one.
import type { DB, TeamInvitationRow, TeamRole } from '@keel/db';
import { type Kysely, sql } from 'kysely';
import type { InvitationStatus } from '../invitations/invitations.schema.js';

const STATUS = sql<InvitationStatus>`case
  when i.accepted_at is not null then 'accepted'
  when i.revoked_at is not null then 'revoked'
  when i.expires_at <= now() then 'expired'
  else 'pending' end`;

export interface TeamInvitationListRow {
  id: string;
  team_id: string;
  team_name: string;
  email: string;
  role: TeamRole;
  status: InvitationStatus;
  created_at: Date;
  expires_at: Date;
  invited_by: string | null;
  inviter_name: string | null;
  inviter_email: string | null;
}

function selectInvitations(db: Kysely<DB>) {
  return db
    .selectFrom('team_invitations as i')
    .innerJoin('teams as t', 't.id', 'i.team_id')
    .leftJoin('users as u', 'u.id', 'i.invited_by')
    .select([
      'i.id',
      'i.team_id',
      't.name as team_name',
      'i.email',
      'i.role',
      'i.created_at',
      'i.expires_at',
      'i.invited_by',
      'u.name as inviter_name',
      'u.email as inviter_email',
    ])
    .select(STATUS.as('status'));
}

export function insertInvitation(
  db: Kysely<DB>,
  invitation: { teamId: string; email: string; role: TeamRole; invitedBy: string; expiresAt: Date },
): Promise<TeamInvitationRow> {
  return db
    .insertInto('team_invitations')
    .values({
      team_id: invitation.teamId,
      email: invitation.email,
      role: invitation.role,
      invited_by: invitation.invitedBy,
      expires_at: invitation.expiresAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findInvitationById(db: Kysely<DB>, id: string): Promise<TeamInvitationListRow | undefined> {
  return selectInvitations(db).where('i.id', '=', id).executeTakeFirst();
}

/** A page of one team's invitations, newest first, after the invitation `afterId`, of `status`. */
export function listInvitations(
  db: Kysely<DB>,
  teamId: string,
  options: { status?: InvitationStatus | undefined; afterId?: string | undefined; limit: number },
): Promise<TeamInvitationListRow[]> {
  let query = selectInvitations(db).where('i.team_id', '=', teamId);
  if (options.status !== undefined) query = query.where(STATUS, '=', options.status);
  if (options.afterId !== undefined) {
    query = query.where(
      sql<boolean>`(i.created_at, i.id) < (select c.created_at, c.id from team_invitations c where c.id = ${options.afterId})`,
    );
  }
  return query.orderBy('i.created_at', 'desc').orderBy('i.id', 'desc').limit(options.limit).execute();
}

/** The open, unexpired invitation whose newest link carries this token, with its team and inviter. */
export function findPendingByTokenHash(db: Kysely<DB>, tokenHash: string): Promise<TeamInvitationListRow | undefined> {
  return selectInvitations(db)
    .where('i.token_hash', '=', tokenHash)
    .where('i.accepted_at', 'is', null)
    .where('i.revoked_at', 'is', null)
    .where('i.expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
}

/** Stores a new link's token hash and lifetime on a still-open invitation; undefined once it is not. */
export function setInvitationToken(
  db: Kysely<DB>,
  id: string,
  tokenHash: string,
  expiresAt: Date,
): Promise<TeamInvitationRow | undefined> {
  return db
    .updateTable('team_invitations')
    .set({ token_hash: tokenHash, expires_at: expiresAt })
    .where('id', '=', id)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** Revokes an open invitation of `teamId` and forgets its token; undefined when there is none. */
export function revokeOpenInvitation(
  db: Kysely<DB>,
  teamId: string,
  id: string,
): Promise<TeamInvitationRow | undefined> {
  return db
    .updateTable('team_invitations')
    .set({ revoked_at: sql<Date>`now()`, token_hash: null })
    .where('id', '=', id)
    .where('team_id', '=', teamId)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** Marks the invitation accepted by `userId` if this token is still good: of two acceptances, one gets the row. */
export function acceptInvitation(
  db: Kysely<DB>,
  tokenHash: string,
  userId: string,
): Promise<TeamInvitationRow | undefined> {
  return db
    .updateTable('team_invitations')
    .set({ accepted_at: sql<Date>`now()`, accepted_user_id: userId })
    .where('token_hash', '=', tokenHash)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .returningAll()
    .executeTakeFirst();
}
