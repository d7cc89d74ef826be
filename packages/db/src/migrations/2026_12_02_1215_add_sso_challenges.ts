// The code step after a single sign-on: an account with two-step verification that signed in through
// a provider which did not check a second factor gets a sign-in challenge, as after a password. The
// challenge remembers the provider it came through (audited; set only for a single sign-on, whose
// session it opens: `amr` ['sso', 'otp'], SSO_SESSION_MAX_HOURS) and when the provider signed the
// person in, from which the session's limits count.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table mfa_challenges
      add column sso_issuer text,
      add column sso_signed_in_at timestamptz,
      add constraint mfa_challenges_sso_check check ((sso_issuer is null) = (sso_signed_in_at is null))
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only');
}
