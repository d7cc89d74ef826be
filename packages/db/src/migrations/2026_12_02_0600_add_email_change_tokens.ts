// Email change: its link is a one-time token of a new kind, sent to the new address, which the
// token's `email` holds until the link is followed.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('one_time_tokens').dropConstraint('one_time_tokens_kind_check').execute();
  await db.schema
    .alterTable('one_time_tokens')
    .addCheckConstraint(
      'one_time_tokens_kind_check',
      sql`kind in ('email_verification', 'password_reset', 'email_change')`,
    )
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only');
}
