// Two-step verification (TOTP): a user's authenticator secret, pending until a first code enables
// it; single-use recovery codes (SHA-256 only: they carry 50 random bits); the sign-in challenges
// between the password and the code (the token's SHA-256, five minutes, single use); and how each
// session was opened (`amr`, RFC 8176 values: `pwd`, then `otp` once a code was checked).
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // Sessions opened before this migration were opened with a password.
  await sql`alter table sessions add column amr text[] not null default array['pwd']`.execute(db);
  await db.schema
    .createTable('mfa_secrets')
    .addColumn('user_id', 'uuid', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
    .addColumn('secret', 'text', (c) => c.notNull())
    // Null while the secret waits for its first code (auth.mfa.setup, then auth.mfa.enable).
    .addColumn('enabled_at', 'timestamptz')
    // The time step of the last code accepted: a code of that step or an earlier one is refused.
    .addColumn('last_step', 'integer')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema
    .createTable('mfa_recovery_codes')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('used_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('mfa_recovery_codes_user_code_key', ['user_id', 'code_hash'])
    .execute();
  await db.schema
    .createTable('mfa_challenges')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    // The password that was checked: a change before the code is entered voids the challenge.
    .addColumn('password_version', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('failed_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('used_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index mfa_challenges_user_idx on mfa_challenges (user_id)`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only');
}
