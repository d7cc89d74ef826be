// API keys: a script's credential. The key (`keel_<prefix>_<secret>`) is shown once; only its
// SHA-256 is stored (it carries 32 random bytes: no slow hash needed). The public prefix finds the
// row. Every key expires; a revoked or expired key is kept for the owner's list and the audit.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('prefix', 'text', (c) => c.notNull().unique())
    .addColumn('key_hash', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_used_at', 'timestamptz')
    .addColumn('revoked_at', 'timestamptz')
    .addCheckConstraint('api_keys_scope_check', sql`scope in ('read', 'write')`)
    .addCheckConstraint('api_keys_name_length_check', sql`char_length(name) between 1 and 100`)
    .execute();
  // The owner's list, newest first; the admin list pages all keys by (created_at, id).
  await sql`create index api_keys_user_created_idx on api_keys (user_id, created_at desc, id desc)`.execute(db);
  await sql`create index api_keys_created_idx on api_keys (created_at desc, id desc)`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only');
}
