// The account lifecycle: whether an address is verified, and the one-time tokens of its mails
// (verification, password reset, later invitations and email changes). A token is kept only as its
// SHA-256; it is single use (`consumed_at`), expires, and a newer one of the same kind voids it.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('email_verified', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();

  await db.schema
    .createTable('one_time_tokens')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('user_id', 'uuid', (c) => c.references('users.id').onDelete('cascade'))
    // The address the token was sent to: an account's address may change after it was sent.
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('consumed_at', 'timestamptz')
    .addColumn('voided_at', 'timestamptz')
    .addCheckConstraint('one_time_tokens_kind_check', sql`kind in ('email_verification', 'password_reset')`)
    .execute();
  // The live tokens of one account and kind: what a new request voids.
  await sql`
    create index one_time_tokens_live_idx on one_time_tokens (user_id, kind)
    where consumed_at is null and voided_at is null
  `.execute(db);
  // The clean-up job's range scan.
  await db.schema.createIndex('one_time_tokens_expires_idx').on('one_time_tokens').column('expires_at').execute();
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only');
}
