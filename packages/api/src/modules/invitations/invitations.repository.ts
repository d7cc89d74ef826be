// SQL for invitations: create, list with the inviter and a computed status, and the one-statement
// transitions (issue a token, renew, revoke, accept) that only ever apply to an open invitation.
import type { DB, InvitationRow, Role } from '@keel/db';
import { type Kysely, sql } from 'kysely';
import type { InvitationStatus } from './invitations.schema.js';

/** The status the list shows and filters on: accepted and revoked are final; open ones expire. */
const STATUS = sql<InvitationStatus>`case
  when i.accepted_at is not null then 'accepted'
  when i.revoked_at is not null then 'revoked'
  when i.expires_at <= now() then 'expired'
  else 'pending' end`;

export interface InvitationListRow {
  id: string;
  email: string;
  role: Role;
  status: InvitationStatus;
  created_at: Date;
  expires_at: Date;
  accepted_at: Date | null;
  invited_by: string | null;
  inviter_name: string | null;
  inviter_email: string | null;
}

function selectInvitations(db: Kysely<DB>) {
  return db
    .selectFrom('invitations as i')
    .leftJoin('users as u', 'u.id', 'i.invited_by')
    .select([
      'i.id',
      'i.email',
      'i.role',
      'i.created_at',
      'i.expires_at',
      'i.accepted_at',
      'i.invited_by',
      'u.name as inviter_name',
      'u.email as inviter_email',
    ])
    .select(STATUS.as('status'));
}

export function insertInvitation(
  db: Kysely<DB>,
  invitation: { email: string; role: Role; invitedBy: string; expiresAt: Date },
): Promise<InvitationRow> {
  return db
    .insertInto('invitations')
    .values({
      email: invitation.email,
      role: invitation.role,
      invited_by: invitation.invitedBy,
      expires_at: invitation.expiresAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findInvitationById(db: Kysely<DB>, id: string): Promise<InvitationListRow | undefined> {
  return selectInvitations(db).where('i.id', '=', id).executeTakeFirst();
}

/**
 * A page of invitations, newest first (`created_at desc, id desc`), after the invitation `afterId`
 * when given, of `status` when given.
 */
export function listInvitations(
  db: Kysely<DB>,
  options: { status?: InvitationStatus | undefined; afterId?: string | undefined; limit: number },
): Promise<InvitationListRow[]> {
  let query = selectInvitations(db);
  if (options.status !== undefined) query = query.where(STATUS, '=', options.status);
  if (options.afterId !== undefined) {
    query = query.where(
      sql<boolean>`(i.created_at, i.id) < (select c.created_at, c.id from invitations c where c.id = ${options.afterId})`,
    );
  }
  return query.orderBy('i.created_at', 'desc').orderBy('i.id', 'desc').limit(options.limit).execute();
}

/** The open, unexpired invitation whose newest link carries this token, with its inviter's name. */
export function findPendingInvitationByTokenHash(
  db: Kysely<DB>,
  tokenHash: string,
): Promise<InvitationListRow | undefined> {
  return selectInvitations(db)
    .where('i.token_hash', '=', tokenHash)
    .where('i.accepted_at', 'is', null)
    .where('i.revoked_at', 'is', null)
    .where('i.expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
}

/**
 * Stores the hash of a new link's token on the invitation if it is still open (replacing the old
 * one, whose link stops working) and starts its lifetime; undefined when it was accepted or revoked.
 */
export function setInvitationToken(
  db: Kysely<DB>,
  id: string,
  tokenHash: string,
  expiresAt: Date,
): Promise<InvitationRow | undefined> {
  return db
    .updateTable('invitations')
    .set({ token_hash: tokenHash, expires_at: expiresAt })
    .where('id', '=', id)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** Gives an open invitation (expired or not) a new lifetime; undefined when accepted, revoked or unknown. */
export function renewOpenInvitation(db: Kysely<DB>, id: string, expiresAt: Date): Promise<InvitationRow | undefined> {
  return db
    .updateTable('invitations')
    .set({ expires_at: expiresAt })
    .where('id', '=', id)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/** Revokes an open invitation (expired or not) and forgets its token; undefined when there is none. */
export function revokeOpenInvitation(db: Kysely<DB>, id: string): Promise<InvitationRow | undefined> {
  return db
    .updateTable('invitations')
    .set({ revoked_at: sql<Date>`now()`, token_hash: null })
    .where('id', '=', id)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Marks the invitation accepted by `userId` if it is still open and unexpired: the one whose newest
 * link is this token, or (a first single sign-on, the provider vouching for the address) the one of
 * this email. One statement, so of two acceptances exactly one gets the row.
 */
export function acceptInvitation(
  db: Kysely<DB>,
  by: { tokenHash: string } | { email: string },
  userId: string,
): Promise<InvitationRow | undefined> {
  return db
    .updateTable('invitations')
    .set({ accepted_at: sql<Date>`now()`, accepted_user_id: userId })
    .where((eb) => ('tokenHash' in by ? eb('token_hash', '=', by.tokenHash) : eb('email', '=', by.email)))
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .returningAll()
    .executeTakeFirst();
}

/** The open, unexpired invitation of `email`, if any (read before the account is created). */
export function findPendingInvitationOfEmail(db: Kysely<DB>, email: string): Promise<InvitationRow | undefined> {
  return db
    .selectFrom('invitations')
    .selectAll()
    .where('email', '=', email)
    .where('accepted_at', 'is', null)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
}
