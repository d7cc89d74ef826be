// Invitations: an admin invites an address with a role; the mailed link (its token kept
// only as SHA-256) lets the person create that account, verified, for 7 days. A resend issues a new
// token, which replaces the old one: only the newest link works.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('invitations')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    // The inviting admin; the invitation outlives the admin's account.
    .addColumn('invited_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    // Null until the mail job issued the first link.
    .addColumn('token_hash', 'text', (c) => c.unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('accepted_at', 'timestamptz')
    .addColumn('accepted_user_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('revoked_at', 'timestamptz')
    .addCheckConstraint('invitations_role_check', sql`role in ('ADMIN', 'USER', 'GUEST')`)
    .addCheckConstraint('invitations_email_normalized_check', sql`email = lower(btrim(email))`)
    .execute();
  // One open invitation per address (pending or expired): a second one is a resend instead.
  await sql`
    create unique index invitations_open_email_idx on invitations (lower(email))
    where accepted_at is null and revoked_at is null
  `.execute(db);
  // The admin list: newest first, keyset on (created_at, id).
  await sql`create index invitations_created_at_idx on invitations (created_at desc, id desc)`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only');
}
