// SQL for two-step verification: TOTP secrets and recovery codes.
import type { DB, MfaSecretRow } from '@keel/db';
import { type Kysely, sql } from 'kysely';

export function findSecret(db: Kysely<DB>, userId: string): Promise<MfaSecretRow | undefined> {
  return db.selectFrom('mfa_secrets').selectAll().where('user_id', '=', userId).executeTakeFirst();
}

/** The row under lock, so that enabling, disabling and checking a code never interleave for one user. */
export function lockSecret(db: Kysely<DB>, userId: string): Promise<MfaSecretRow | undefined> {
  return db.selectFrom('mfa_secrets').selectAll().where('user_id', '=', userId).forUpdate().executeTakeFirst();
}

/**
 * Stores a new pending secret, replacing a pending one; returns undefined when two-step
 * verification is already on (an enabled secret is never replaced).
 */
export function upsertPendingSecret(db: Kysely<DB>, userId: string, secret: string) {
  return db
    .insertInto('mfa_secrets')
    .values({ user_id: userId, secret })
    .onConflict((oc) =>
      oc.column('user_id').doUpdateSet({ secret, last_step: null }).where('mfa_secrets.enabled_at', 'is', null),
    )
    .returning('user_id')
    .executeTakeFirst();
}

export async function enableSecret(db: Kysely<DB>, userId: string, step: number, at: Date): Promise<void> {
  await db.updateTable('mfa_secrets').set({ enabled_at: at, last_step: step }).where('user_id', '=', userId).execute();
}

/**
 * Records `step` as the last one accepted, if, and only if, it is later than the last: of two
 * uses of one code exactly one gets the row back.
 */
export async function acceptStep(db: Kysely<DB>, userId: string, step: number): Promise<boolean> {
  const row = await db
    .updateTable('mfa_secrets')
    .set({ last_step: step })
    .where('user_id', '=', userId)
    .where('enabled_at', 'is not', null)
    .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)]))
    .returning('user_id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Deletes the secret and the recovery codes; returns whether two-step verification was on. */
export async function deleteTwoStep(db: Kysely<DB>, userId: string): Promise<boolean> {
  const deleted = await db
    .deleteFrom('mfa_secrets')
    .where('user_id', '=', userId)
    .returning('enabled_at')
    .executeTakeFirst();
  await db.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
  return deleted?.enabled_at != null;
}

/** Replaces every recovery code of the user with these. */
export async function replaceRecoveryCodes(db: Kysely<DB>, userId: string, codeHashes: string[]): Promise<void> {
  await db.deleteFrom('mfa_recovery_codes').where('user_id', '=', userId).execute();
  await db
    .insertInto('mfa_recovery_codes')
    .values(codeHashes.map((codeHash) => ({ user_id: userId, code_hash: codeHash })))
    .execute();
}

/** Marks the code used if it is the user's and unused; of two uses exactly one gets `true`. */
export async function useRecoveryCode(db: Kysely<DB>, userId: string, codeHash: string): Promise<boolean> {
  const row = await db
    .updateTable('mfa_recovery_codes')
    .set({ used_at: sql<Date>`now()` })
    .where('user_id', '=', userId)
    .where('code_hash', '=', codeHash)
    .where('used_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

export async function countUnusedRecoveryCodes(db: Kysely<DB>, userId: string): Promise<number> {
  const row = await db
    .selectFrom('mfa_recovery_codes')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
