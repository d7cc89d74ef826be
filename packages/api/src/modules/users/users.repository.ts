// SQL for users.
import type { DB, NewUser, UserRow, UserUpdate } from '@keel/db';
import { type Kysely, sql, type Transaction } from 'kysely';
import { containsPattern } from '../../common/like.js';

export function findUserById(db: Kysely<DB>, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

export function findUserByEmail(db: Kysely<DB>, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
}

export function insertUser(db: Kysely<DB>, user: NewUser): Promise<UserRow> {
  return db.insertInto('users').values(user).returningAll().executeTakeFirstOrThrow();
}

export function updateUser(db: Kysely<DB>, id: string, changes: UserUpdate): Promise<UserRow | undefined> {
  return db
    .updateTable('users')
    .set({ ...changes, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Locks the user row for the rest of the transaction (`FOR NO KEY UPDATE`, the lock an UPDATE of
 * the row takes, so sessions and other rows can still reference it). Sign-in, password change and
 * deactivation all take it, so each sees what the others committed.
 */
export function lockUser(db: Transaction<DB>, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).forNoKeyUpdate().executeTakeFirst();
}

/** Sets a new password: its version goes up, so a sign-in that verified the previous one opens no session. */
export async function setPassword(db: Kysely<DB>, id: string, passwordHash: string): Promise<void> {
  await db
    .updateTable('users')
    .set((eb) => ({
      password_hash: passwordHash,
      password_version: eb('password_version', '+', 1),
      updated_at: sql<Date>`now()`,
    }))
    .where('id', '=', id)
    .execute();
}

/** Stores a new encoding of the same password (another cost or format), unless the password changed since. */
export async function rehashPassword(
  db: Kysely<DB>,
  id: string,
  passwordVersion: number,
  passwordHash: string,
): Promise<void> {
  await db
    .updateTable('users')
    .set({ password_hash: passwordHash })
    .where('id', '=', id)
    .where('password_version', '=', passwordVersion)
    .execute();
}

export function searchActiveUsers(db: Kysely<DB>, query: string, limit: number) {
  const pattern = containsPattern(query);
  return db
    .selectFrom('users')
    .select(['id', 'name', 'email'])
    .where('active', '=', true)
    .where((eb) => eb.or([eb('name', 'ilike', pattern), eb('email', 'ilike', pattern)]))
    .orderBy('name')
    .orderBy('id')
    .limit(limit)
    .execute();
}

/** Name and email of each given user, in one statement (ids that match no user are left out). */
export function findUserSummaries(db: Kysely<DB>, ids: readonly string[]) {
  return db.selectFrom('users').select(['id', 'name', 'email']).where('id', 'in', ids).execute();
}
