// The code step after a single sign-on: an account with two-step verification that signed in through
// a provider which did not check a second factor gets a sign-in challenge, as after a password. The
// challenge remembers that it came from single sign-on (the session it opens is one: `amr`
// ['sso', 'otp'], SSO_SESSION_MAX_HOURS), the provider it came through (audited) and when the
// provider signed the person in, from which the session's limits count.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table mfa_challenges
      add column via text not null default 'password' check (via in ('password', 'sso')),
      add column sso_issuer text,
      add column sso_signed_in_at timestamptz,
      add constraint mfa_challenges_sso_check
        check ((via = 'sso') = (sso_issuer is not null and sso_signed_in_at is not null))
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only');
}
