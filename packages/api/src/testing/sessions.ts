// Fixtures of the auth suites: the hasher the test deps use, for a suite to wrap (count, hold or
// refuse its calls), and sessions read back from the database.
import type { DB } from '@keel/db';
import type { Kysely } from 'kysely';
import { createPasswordHasher, type PasswordHasher } from '../common/hash.js';
import { hashRefreshToken } from '../common/tokens.js';
import { TEST_HASH_PARAMS } from './deps.js';

/** The real argon2 hasher at the tests' cost, as `createTestDeps` builds it when given none. */
export function createTestHasher(): PasswordHasher {
  return createPasswordHasher({ ...TEST_HASH_PARAMS, concurrency: 4, maxQueue: 1000 });
}

/** The session (refresh-token family) a refresh token belongs to. */
export async function sessionIdOf(db: Kysely<DB>, refreshToken: string): Promise<string> {
  const row = await db
    .selectFrom('refresh_tokens')
    .select('session_id')
    .where('token_hash', '=', hashRefreshToken(refreshToken))
    .executeTakeFirstOrThrow();
  return row.session_id;
}

/** The user's sessions that are not revoked, expired or not. */
export async function liveSessionIds(db: Kysely<DB>, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('sessions')
    .select('id')
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
  return rows.map((row) => row.id);
}
