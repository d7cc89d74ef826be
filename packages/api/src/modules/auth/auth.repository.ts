// SQL for sessions (refresh-token families) and refresh tokens.

import type { DB, Role, SessionRow } from '@keel/db';
import { type Kysely, sql } from 'kysely';

export interface NewSession {
  userId: string;
  expiresAt: Date;
  userAgent: string | null;
  ip: string | null;
  /** How it was opened (RFC 8176 `amr` values). */
  amr: readonly string[];
  /** When the person signed in: the session's limits count from it. */
  signedInAt: Date;
}

/** A text[] parameter both drivers (pg and PGlite) bind alike. */
const textArray = (values: readonly string[]) => sql<string[]>`string_to_array(${values.join(',')}, ',')`;

export function insertSession(db: Kysely<DB>, session: NewSession): Promise<SessionRow> {
  return db
    .insertInto('sessions')
    .values({
      user_id: session.userId,
      expires_at: session.expiresAt,
      user_agent: session.userAgent,
      ip: session.ip,
      amr: textArray(session.amr),
      signed_in_at: session.signedInAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertRefreshToken(
  db: Kysely<DB>,
  token: { sessionId: string; tokenHash: string; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto('refresh_tokens')
    .values({ session_id: token.sessionId, token_hash: token.tokenHash, expires_at: token.expiresAt })
    .execute();
}

/**
 * Marks the token rotated if, and only if, it is still current and unexpired: of concurrent callers
 * exactly one gets the row back (the others wait on its row lock and then see `rotated_at` set).
 */
export function rotateRefreshToken(db: Kysely<DB>, tokenHash: string) {
  return db
    .updateTable('refresh_tokens')
    .set({ rotated_at: sql<Date>`now()` })
    .where('token_hash', '=', tokenHash)
    .where('rotated_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .returning(['session_id'])
    .executeTakeFirst();
}

/** A presented token that could not be rotated: why not. */
export function findRefreshTokenStatus(db: Kysely<DB>, tokenHash: string, graceSeconds: number) {
  return db
    .selectFrom('refresh_tokens as rt')
    .innerJoin('sessions as s', 's.id', 'rt.session_id')
    .select([
      'rt.session_id as sessionId',
      's.user_id as userId',
      's.revoked_at as revokedAt',
      sql<boolean>`rt.rotated_at is not null`.as('rotated'),
      sql<boolean>`rt.rotated_at > now() - make_interval(secs => ${graceSeconds})`.as('inGrace'),
      sql<boolean>`rt.expires_at <= now()`.as('expired'),
    ])
    .where('rt.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/** The session and its user, as needed to mint a new token pair. */
export function findSessionWithUser(db: Kysely<DB>, sessionId: string) {
  return db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select([
      's.id',
      's.user_id as userId',
      's.revoked_at as revokedAt',
      's.amr',
      's.signed_in_at as signedInAt',
      sql<boolean>`s.expires_at <= now()`.as('expired'),
      'u.active',
    ])
    .where('s.id', '=', sessionId)
    .executeTakeFirst();
}

/** The database's view of a session, used when the session-state store cannot answer. */
export function findSessionState(db: Kysely<DB>, sessionId: string) {
  return db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select(['s.revoked_at as revokedAt', 'u.role', 'u.active'])
    .where('s.id', '=', sessionId)
    .executeTakeFirst() as Promise<{ revokedAt: Date | null; role: Role; active: boolean } | undefined>;
}

/** A refresh: the session was used, and lives as long as its newest refresh token (never past its limits). */
export async function touchSession(db: Kysely<DB>, sessionId: string, expiresAt: Date): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ last_used_at: sql<Date>`now()`, expires_at: expiresAt })
    .where('id', '=', sessionId)
    .execute();
}

/** How and when the session was signed in to (re-authentication by a fresh single sign-on). */
export function findSessionSignIn(db: Kysely<DB>, sessionId: string, userId: string) {
  return db
    .selectFrom('sessions')
    .select(['amr', 'signed_in_at as signedInAt', 'revoked_at as revokedAt'])
    .where('id', '=', sessionId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

export function findSessionIdByTokenHash(db: Kysely<DB>, tokenHash: string) {
  return db
    .selectFrom('refresh_tokens as rt')
    .innerJoin('sessions as s', 's.id', 'rt.session_id')
    .select(['s.id', 's.user_id as userId', 's.revoked_at as revokedAt'])
    .where('rt.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/** Revokes the given sessions of a user (all of them when `sessionIds` is unset); returns the ids revoked now. */
export async function revokeSessions(
  db: Kysely<DB>,
  filter: { userId: string; sessionIds?: string[]; exceptSessionId?: string },
  reason: string,
): Promise<string[]> {
  let query = db
    .updateTable('sessions')
    .set({ revoked_at: sql<Date>`now()`, revoked_reason: reason })
    .where('user_id', '=', filter.userId)
    .where('revoked_at', 'is', null);
  if (filter.sessionIds) {
    if (filter.sessionIds.length === 0) return [];
    query = query.where('id', 'in', filter.sessionIds);
  }
  if (filter.exceptSessionId) query = query.where('id', '<>', filter.exceptSessionId);
  const rows = await query.returning('id').execute();
  return rows.map((row) => row.id);
}

/** Every live session of the user (sign-in keeps them within the per-user cap). */
export function listActiveSessions(db: Kysely<DB>, userId: string) {
  return db
    .selectFrom('sessions')
    .select(['id', 'created_at', 'last_used_at', 'expires_at', 'user_agent', 'ip'])
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .orderBy('last_used_at', 'desc')
    .orderBy('id')
    .execute();
}

/**
 * Revokes the user's live sessions other than `keepSessionId` beyond the `max - 1` most recently
 * used, so at most `max` remain; returns the ids revoked.
 */
export async function revokeLeastRecentlyUsedSessions(
  db: Kysely<DB>,
  filter: { userId: string; keepSessionId: string; max: number },
  reason: string,
): Promise<string[]> {
  const rows = await db
    .updateTable('sessions')
    .set({ revoked_at: sql<Date>`now()`, revoked_reason: reason })
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('sessions')
        .select('id')
        .where('user_id', '=', filter.userId)
        .where('revoked_at', 'is', null)
        .where('expires_at', '>', sql<Date>`now()`)
        .where('id', '<>', filter.keepSessionId)
        .orderBy('last_used_at', 'desc')
        .orderBy('created_at', 'desc')
        .orderBy('id')
        .offset(filter.max - 1),
    )
    .returning('id')
    .execute();
  return rows.map((row) => row.id);
}

export function findSessionOfUser(db: Kysely<DB>, sessionId: string, userId: string) {
  return db
    .selectFrom('sessions')
    .select(['id', 'revoked_at'])
    .where('id', '=', sessionId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

/** Sessions revoked at or after `since` (the catch-up of the session-state store after a Redis outage). */
export async function listSessionIdsRevokedSince(db: Kysely<DB>, since: Date): Promise<string[]> {
  const rows = await db.selectFrom('sessions').select('id').where('revoked_at', '>=', since).execute();
  return rows.map((row) => row.id);
}

/** Current roles of the users whose row changed at or after `since` (role changes among them). */
export function listRolesChangedSince(db: Kysely<DB>, since: Date): Promise<{ userId: string; role: Role }[]> {
  return db.selectFrom('users').select(['id as userId', 'role']).where('updated_at', '>=', since).execute();
}

/**
 * Whether the account with this email opened a session from `ip` at or after `since` (the address
 * its owner signs in from, which the per-account sign-in limit lets through).
 */
export async function hasSessionFromAddress(db: Kysely<DB>, email: string, ip: string, since: Date): Promise<boolean> {
  const row = await db
    .selectFrom('sessions as s')
    .innerJoin('users as u', 'u.id', 's.user_id')
    .select('s.id')
    .where('u.email', '=', email)
    .where('s.ip', '=', ip)
    .where('s.created_at', '>=', since)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Records a second factor proven in the session (two-step verification turned on in it). */
export async function setSessionAmr(db: Kysely<DB>, sessionId: string, amr: readonly string[]): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ amr: textArray(amr) })
    .where('id', '=', sessionId)
    .execute();
}

export async function insertMfaChallenge(
  db: Kysely<DB>,
  challenge: {
    userId: string;
    tokenHash: string;
    passwordVersion: number;
    expiresAt: Date;
    /** Set when a single sign-on, not a password, came before the code. */
    singleSignOn?: { issuer: string; signedInAt: Date } | undefined;
  },
): Promise<void> {
  const { singleSignOn } = challenge;
  await db
    .insertInto('mfa_challenges')
    .values({
      user_id: challenge.userId,
      token_hash: challenge.tokenHash,
      password_version: challenge.passwordVersion,
      expires_at: challenge.expiresAt,
      ...(singleSignOn ? { sso_issuer: singleSignOn.issuer, sso_signed_in_at: singleSignOn.signedInAt } : {}),
    })
    .execute();
}

export function findMfaChallenge(db: Kysely<DB>, tokenHash: string) {
  return db.selectFrom('mfa_challenges').selectAll().where('token_hash', '=', tokenHash).executeTakeFirst();
}

/** The challenge under lock: two tries of one token are checked one after the other. */
export function lockMfaChallenge(db: Kysely<DB>, id: string) {
  return db.selectFrom('mfa_challenges').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** Counts a wrong code against the challenge; returns the failures so far. */
export async function countMfaChallengeFailure(db: Kysely<DB>, id: string): Promise<number> {
  const row = await db
    .updateTable('mfa_challenges')
    .set((eb) => ({ failed_attempts: eb('failed_attempts', '+', 1) }))
    .where('id', '=', id)
    .returning('failed_attempts')
    .executeTakeFirstOrThrow();
  return row.failed_attempts;
}

export async function markMfaChallengeUsed(db: Kysely<DB>, id: string): Promise<void> {
  await db.updateTable('mfa_challenges').set({ used_at: sql<Date>`now()` }).where('id', '=', id).execute();
}

/** Challenges that can no longer be used (expired before `before`), for the daily clean-up. */
export async function deleteMfaChallengesExpiredBefore(db: Kysely<DB>, before: Date): Promise<number> {
  const result = await db.deleteFrom('mfa_challenges').where('expires_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
