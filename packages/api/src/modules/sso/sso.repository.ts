// SQL for single sign-on identities.
import type { DB, IdentityRow } from '@keel/db';
import { type Kysely, sql } from 'kysely';

export function findIdentity(db: Kysely<DB>, issuer: string, subject: string): Promise<IdentityRow | undefined> {
  return db
    .selectFrom('identities')
    .selectAll()
    .where('issuer', '=', issuer)
    .where('subject', '=', subject)
    .executeTakeFirst();
}

export function insertIdentity(
  db: Kysely<DB>,
  identity: { userId: string; issuer: string; subject: string; email: string | null },
): Promise<IdentityRow> {
  return db
    .insertInto('identities')
    .values({
      user_id: identity.userId,
      issuer: identity.issuer,
      subject: identity.subject,
      email: identity.email,
      last_login_at: sql<Date>`now()`,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** A sign-in through the identity: when, and the address the provider reports now. */
export async function touchIdentity(db: Kysely<DB>, id: string, email: string | null): Promise<void> {
  await db.updateTable('identities').set({ last_login_at: sql<Date>`now()`, email }).where('id', '=', id).execute();
}

export function listIdentitiesOfUser(db: Kysely<DB>, userId: string): Promise<IdentityRow[]> {
  return db
    .selectFrom('identities')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export function deleteIdentityOfUser(db: Kysely<DB>, id: string, userId: string): Promise<IdentityRow | undefined> {
  return db
    .deleteFrom('identities')
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .returningAll()
    .executeTakeFirst();
}
