// SQL for API keys.
import type { ApiKeyRow, ApiKeyScope, DB, Role } from '@keel/db';
import { type Kysely, sql } from 'kysely';

export interface KeyForAuth {
  id: string;
  user_id: string;
  key_hash: string;
  scope: ApiKeyScope;
  expires_at: Date;
  last_used_at: Date | null;
  /** The owner's role now. */
  role: Role;
}

export function insertApiKey(
  db: Kysely<DB>,
  key: { userId: string; name: string; prefix: string; keyHash: string; scope: ApiKeyScope; expiresAt: Date },
): Promise<ApiKeyRow> {
  return db
    .insertInto('api_keys')
    .values({
      user_id: key.userId,
      name: key.name,
      prefix: key.prefix,
      key_hash: key.keyHash,
      scope: key.scope,
      expires_at: key.expiresAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * The live key with this prefix, with its owner's current role: unrevoked, unexpired, and its
 * owner active. One statement, read at most once a second per key and instance.
 */
export function findLiveKeyByPrefix(db: Kysely<DB>, prefix: string): Promise<KeyForAuth | undefined> {
  return db
    .selectFrom('api_keys as k')
    .innerJoin('users as u', 'u.id', 'k.user_id')
    .select(['k.id', 'k.user_id', 'k.key_hash', 'k.scope', 'k.expires_at', 'k.last_used_at', 'u.role'])
    .where('k.prefix', '=', prefix)
    .where('k.revoked_at', 'is', null)
    .where('k.expires_at', '>', sql<Date>`now()`)
    .where('u.active', '=', true)
    .executeTakeFirst();
}

/** Moves `last_used_at` to now unless it moved in the last minute. */
export async function touchApiKey(db: Kysely<DB>, id: string): Promise<void> {
  await db
    .updateTable('api_keys')
    .set({ last_used_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where((eb) =>
      eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<', sql<Date>`now() - interval '1 minute'`)]),
    )
    .execute();
}

export function listUserKeys(db: Kysely<DB>, userId: string): Promise<ApiKeyRow[]> {
  return db
    .selectFrom('api_keys')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

export async function countLiveUserKeys(db: Kysely<DB>, userId: string): Promise<number> {
  const row = await db
    .selectFrom('api_keys')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

export interface AdminKeyRow extends ApiKeyRow {
  owner_name: string | null;
  owner_email: string | null;
}

/** Every key, newest first, after the key `afterId`. */
export function listAllKeys(
  db: Kysely<DB>,
  options: { afterId: string | undefined; limit: number },
): Promise<AdminKeyRow[]> {
  let query = db
    .selectFrom('api_keys as k')
    .leftJoin('users as u', 'u.id', 'k.user_id')
    .selectAll('k')
    .select(['u.name as owner_name', 'u.email as owner_email']);
  if (options.afterId !== undefined) {
    query = query.where(
      sql<boolean>`(k.created_at, k.id) < (select c.created_at, c.id from api_keys c where c.id = ${options.afterId})`,
    );
  }
  return query.orderBy('k.created_at', 'desc').orderBy('k.id', 'desc').limit(options.limit).execute();
}

/** Revokes the key if it is live (and `userId`'s, when given); the row, or undefined. */
export function revokeKey(db: Kysely<DB>, id: string, userId?: string): Promise<ApiKeyRow | undefined> {
  let query = db
    .updateTable('api_keys')
    .set({ revoked_at: sql<Date>`now()` })
    .where('id', '=', id)
    .where('revoked_at', 'is', null);
  if (userId !== undefined) query = query.where('user_id', '=', userId);
  return query.returningAll().executeTakeFirst();
}

export function findKeyById(db: Kysely<DB>, id: string): Promise<ApiKeyRow | undefined> {
  return db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
}
