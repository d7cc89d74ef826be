// SQL for one-time tokens: issue one (voiding the older live ones of its kind), consume one.
import type { DB, OneTimeTokenKind, OneTimeTokenRow } from '@keel/db';
import { type Kysely, sql } from 'kysely';

export interface NewToken {
  kind: OneTimeTokenKind;
  userId: string;
  email: string;
  tokenHash: string;
  expiresAt: Date;
}

/** Voids the live tokens of this account and kind, then stores the new one: only the newest link works. */
export async function replaceLiveToken(db: Kysely<DB>, token: NewToken): Promise<void> {
  await db
    .updateTable('one_time_tokens')
    .set({ voided_at: sql<Date>`now()` })
    .where('user_id', '=', token.userId)
    .where('kind', '=', token.kind)
    .where('consumed_at', 'is', null)
    .where('voided_at', 'is', null)
    .execute();
  await db
    .insertInto('one_time_tokens')
    .values({
      kind: token.kind,
      user_id: token.userId,
      email: token.email,
      token_hash: token.tokenHash,
      expires_at: token.expiresAt,
    })
    .execute();
}

/**
 * Marks the token used, if it is of this kind, live and unexpired, and returns it; one statement,
 * so of two requests with one token exactly one gets the row.
 */
export function consumeToken(
  db: Kysely<DB>,
  kind: OneTimeTokenKind,
  tokenHash: string,
): Promise<OneTimeTokenRow | undefined> {
  return db
    .updateTable('one_time_tokens')
    .set({ consumed_at: sql<Date>`now()` })
    .where('token_hash', '=', tokenHash)
    .where('kind', '=', kind)
    .where('consumed_at', 'is', null)
    .where('voided_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .returningAll()
    .executeTakeFirst();
}

/** Deletes tokens that expired before `before`: used, voided or not, none can work again. */
export async function deleteExpiredTokens(db: Kysely<DB>, before: Date): Promise<number> {
  const result = await db.deleteFrom('one_time_tokens').where('expires_at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
