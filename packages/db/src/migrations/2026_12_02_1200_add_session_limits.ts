// When each session was signed in to, written once by the sign-in and never by a refresh: the
// absolute lifetime of every session (SESSION_MAX_DAYS), the refresh limit of a single sign-on
// session (SSO_SESSION_MAX_HOURS) and a fresh single sign-on standing in for the password are all
// counted from it.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table sessions add column signed_in_at timestamptz not null default now()`.execute(db);
  // Sessions opened before this migration were signed in to when they were created.
  await sql`update sessions set signed_in_at = created_at`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only');
}
