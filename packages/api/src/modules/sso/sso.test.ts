// The single sign-on rules, with the provider's checked claims handed in as the host hands them:
// who gets an account (SIGNUP_MODE, invitations, OIDC_DEFAULT_ROLE), which existing account is
// linked (an address both sides verified, never an email alone), who stays out, what a session
// counts as (`amr`), the code step of an account with two-step verification, and when an identity
// may be unlinked.
import { randomBytes } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SsoConfig } from '../../config.js';
import { createContextInner } from '../../context.js';
import {
  callerFor,
  createTestDeps,
  createUser,
  recordingResponse,
  refusal,
  type TestDeps,
  type TestUser,
} from '../../testing/index.js';
import {
  linkIdentity,
  linkIntentOf,
  type OidcClaims,
  providerUsedSecondFactor,
  SsoRefusal,
  signInWithIdentity,
} from './sso.service.js';

const ISSUER = 'https://id.example.com/realms/acme';
const SSO: SsoConfig = {
  issuer: ISSUER,
  label: 'Acme SSO',
  defaultRole: 'GUEST',
  trustEmail: false,
  mfaTrusted: false,
};

let deps: TestDeps;
beforeAll(async () => {
  deps = await createTestDeps({ config: { sso: SSO } });
});
afterAll(async () => {
  await deps.close();
});

/** `deps` with other settings, on the same database. */
const withConfig = (config: Partial<TestDeps['config']>): TestDeps => ({
  ...deps,
  config: { ...deps.config, ...config },
});

async function contextOf(from: TestDeps = deps, accessToken?: string) {
  const response = recordingResponse();
  const ctx = await createContextInner(from, {
    requestId: `req-${randomBytes(4).toString('hex')}`,
    ip: '127.0.0.1',
    userAgent: 'vitest',
    authorization: accessToken ? `Bearer ${accessToken}` : undefined,
    refreshCookie: undefined,
    mfaCookie: undefined,
    response,
  });
  return { ctx, response };
}

function claimsOf(overrides: Partial<OidcClaims> = {}): OidcClaims {
  const subject = randomBytes(6).toString('hex');
  return {
    issuer: ISSUER,
    subject,
    email: `sso-${subject}@example.com`,
    emailVerified: true,
    name: 'Sam Provider',
    ...overrides,
  };
}

async function signIn(claims: OidcClaims, from: TestDeps = deps) {
  const { ctx, response } = await contextOf(from);
  const result = await signInWithIdentity(ctx, claims);
  if (result.mfaRequired) throw new Error('the single sign-on asked for a code');
  return { payload: result, response };
}

/** The reason a single sign-on was refused with. */
async function refusedWith(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    if (error instanceof SsoRefusal) return error.reason;
    throw error;
  }
  throw new Error('the sign-in succeeded');
}

async function sessionAmr(accessToken: string): Promise<string[]> {
  const claims = await deps.tokens.verifyAccess(accessToken);
  const row = await deps.db
    .selectFrom('sessions')
    .select('amr')
    .where('id', '=', claims?.sessionId as string)
    .executeTakeFirstOrThrow();
  expect(claims?.amr).toEqual(row.amr);
  return row.amr;
}

async function verifiedUser(options: { role?: 'USER' | 'ADMIN' | 'GUEST' } = {}): Promise<TestUser> {
  const user = await createUser(deps, options);
  await deps.db.updateTable('users').set({ email_verified: true }).where('id', '=', user.id).execute();
  return user;
}

describe('a first single sign-on', () => {
  it('creates an account with OIDC_DEFAULT_ROLE and the verified address, binds the identity, and sets the refresh cookie', async () => {
    const claims = claimsOf();
    const { payload, response } = await signIn(claims);
    expect(payload.user).toMatchObject({
      email: claims.email,
      name: 'Sam Provider',
      role: 'GUEST',
      emailVerified: true,
    });
    expect(response.refreshCookie).toBe(payload.refreshToken);
    const identity = await deps.db
      .selectFrom('identities')
      .selectAll()
      .where('subject', '=', claims.subject)
      .executeTakeFirstOrThrow();
    expect(identity).toMatchObject({ user_id: payload.user.id, issuer: ISSUER, email: claims.email });
    expect(await sessionAmr(payload.accessToken)).toEqual(['sso']);
    const actions = await deps.db
      .selectFrom('audit_events')
      .select('action')
      .where('actor_id', '=', payload.user.id)
      .execute();
    expect(actions.map((row) => row.action).sort()).toEqual(['auth.register', 'auth.sso_login']);
  });

  it('gives the account no password anyone knows: auth.login refuses it as a wrong password', async () => {
    const claims = claimsOf();
    await signIn(claims);
    const anonymous = await callerFor(deps);
    const refused = await refusal(anonymous.auth.login({ email: claims.email as string, password: 'Passw0rd!' }));
    expect(refused.code).toBe('UNAUTHORIZED');
  });

  it('keeps an address the provider did not verify unverified', async () => {
    const claims = claimsOf({ emailVerified: false });
    const { payload } = await signIn(claims);
    expect(payload.user.emailVerified).toBe(false);
  });

  it('refuses a provider that shares no address, creating nothing', async () => {
    const claims = claimsOf({ email: undefined });
    expect(await refusedWith(signIn(claims))).toBe('email_missing');
    const identities = await deps.db
      .selectFrom('identities')
      .select('id')
      .where('subject', '=', claims.subject)
      .execute();
    expect(identities).toEqual([]);
  });

  it('of one identity twice at once creates one account: the other is refused and may retry', async () => {
    const claims = claimsOf();
    const results = await Promise.allSettled([signIn(claims), signIn(claims)]);
    const users = await deps.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', claims.email as string)
      .execute();
    expect(users).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(SsoRefusal);
    }
    const again = await signIn(claims);
    expect(again.payload.user.id).toBe(users[0]?.id);
  });
});

describe('SIGNUP_MODE for single sign-on', () => {
  it('under invite, refuses an address without an invitation', async () => {
    const invite = withConfig({ signupMode: 'invite' });
    expect(await refusedWith(signIn(claimsOf(), invite))).toBe('signup_invite');
  });

  it("under invite, an open invitation for the verified address creates the account with the invitation's role and accepts it", async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    const claims = claimsOf();
    const invitation = await admin.caller.admin.invitations.create({ email: claims.email as string, role: 'USER' });
    const { payload } = await signIn(claims, withConfig({ signupMode: 'invite' }));
    expect(payload.user.role).toBe('USER');
    const row = await deps.db
      .selectFrom('invitations')
      .select(['accepted_at', 'accepted_user_id'])
      .where('id', '=', invitation.id)
      .executeTakeFirstOrThrow();
    expect(row.accepted_user_id).toBe(payload.user.id);
    expect(row.accepted_at).not.toBeNull();
  });

  it('under invite, an unverified address does not claim the invitation', async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    const claims = claimsOf({ emailVerified: false });
    await admin.caller.admin.invitations.create({ email: claims.email as string, role: 'USER' });
    expect(await refusedWith(signIn(claims, withConfig({ signupMode: 'invite' })))).toBe('signup_invite');
  });

  it('under domain, refuses an address at another domain and an unverified one at the domain', async () => {
    const domain = withConfig({ signupMode: 'domain', signupDomains: ['example.com'] });
    expect(await refusedWith(signIn(claimsOf({ email: 'x@other.org' }), domain))).toBe('signup_domain');
    expect(await refusedWith(signIn(claimsOf({ emailVerified: false }), domain))).toBe('signup_domain');
    const { payload } = await signIn(claimsOf(), domain);
    expect(payload.user.role).toBe('GUEST');
  });
});

describe('an existing account with the address', () => {
  it('is linked when both sides verified the address, and audited auth.sso_linked', async () => {
    const user = await verifiedUser();
    const { payload } = await signIn(claimsOf({ email: user.email }));
    expect(payload.user.id).toBe(user.id);
    expect(payload.user.role).toBe('USER');
    const linked = await deps.db
      .selectFrom('audit_events')
      .select('metadata')
      .where('actor_id', '=', user.id)
      .where('action', '=', 'auth.sso_linked')
      .executeTakeFirstOrThrow();
    expect(linked.metadata).toMatchObject({ issuer: ISSUER, via: 'verified_email' });
  });

  it("is not linked when Keel's side is unverified", async () => {
    const user = await createUser(deps);
    expect(await refusedWith(signIn(claimsOf({ email: user.email })))).toBe('account_exists');
  });

  it("is not linked when the provider's side is unverified, unless OIDC_TRUST_EMAIL", async () => {
    const user = await verifiedUser();
    const claims = claimsOf({ email: user.email, emailVerified: false });
    expect(await refusedWith(signIn(claims))).toBe('account_exists');
    const trusted = withConfig({ sso: { ...SSO, trustEmail: true } });
    expect((await signIn(claims, trusted)).payload.user.id).toBe(user.id);
  });

  it('is matched by address case-insensitively, since Keel stores addresses in lower case', async () => {
    const user = await verifiedUser();
    expect((await signIn(claimsOf({ email: user.email.toUpperCase() }))).payload.user.id).toBe(user.id);
  });

  it('stays out when deactivated, by its identity or by its address', async () => {
    const user = await verifiedUser();
    const claims = claimsOf({ email: user.email });
    await signIn(claims);
    await deps.db.updateTable('users').set({ active: false }).where('id', '=', user.id).execute();
    expect(await refusedWith(signIn(claims))).toBe('disabled');
    const other = await verifiedUser();
    await deps.db.updateTable('users').set({ active: false }).where('id', '=', other.id).execute();
    expect(await refusedWith(signIn(claimsOf({ email: other.email })))).toBe('disabled');
  });
});

describe('a single sign-on as a second factor', () => {
  it("counts as one when the ID token's amr shows the provider checked one", async () => {
    const { payload } = await signIn(claimsOf({ amr: ['pwd', 'mfa'] }));
    expect(await sessionAmr(payload.accessToken)).toEqual(['sso', 'otp']);
  });

  it('counts as one for every sign-in under OIDC_MFA_TRUSTED', async () => {
    const trusted = withConfig({ sso: { ...SSO, mfaTrusted: true } });
    const { payload } = await signIn(claimsOf({ amr: ['pwd'] }), trusted);
    expect(await sessionAmr(payload.accessToken)).toEqual(['sso', 'otp']);
  });

  it.each([
    [undefined, false],
    [['pwd'], false],
    [['otp'], false],
    [['pwd', 'pwd'], false],
    [['mfa'], true],
    [['pwd', 'otp'], true],
    [['hwk', 'pin'], true],
  ])('amr %j is a second factor: %s', (amr, expected) => {
    expect(providerUsedSecondFactor(amr)).toBe(expected);
  });

  it('does not skip the two-step verification an account turned on', async () => {
    const user = await verifiedUser();
    const claims = claimsOf({ email: user.email });
    await signIn(claims);
    await deps.db
      .insertInto('mfa_secrets')
      .values({ user_id: user.id, secret: 'JBSWY3DPEHPK3PXP', enabled_at: new Date() })
      .execute();
    const { ctx } = await contextOf();
    expect(await signInWithIdentity(ctx, claims)).toMatchObject({ mfaRequired: true });
    expect((await signIn({ ...claims, amr: ['pwd', 'mfa'] })).payload.user.id).toBe(user.id);
  });
});

describe('the code step after a single sign-on', () => {
  const SECRET = 'JBSWY3DPEHPK3PXP';
  const app = new TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: Secret.fromBase32(SECRET) });

  /** An account with two-step verification on and an identity at the provider, which checks one factor. */
  async function accountWithTwoStep() {
    const user = await verifiedUser();
    const claims = claimsOf({ email: user.email, amr: ['pwd'] });
    await signIn(claims);
    await deps.db
      .insertInto('mfa_secrets')
      .values({ user_id: user.id, secret: SECRET, enabled_at: new Date() })
      .execute();
    return { user, claims };
  }

  /** The single sign-on's challenge, as the OIDC callback gets it. */
  async function ssoStep(claims: OidcClaims, from: TestDeps = deps): Promise<string> {
    const { ctx, response } = await contextOf(from);
    const result = await signInWithIdentity(ctx, claims);
    if (!result.mfaRequired) throw new Error('the single sign-on signed in without a code');
    // No session and no refresh cookie before the code.
    expect(response.refreshCookie).toBeUndefined();
    return result.mfaToken;
  }

  /** A caller of a request that carries the `keel_mfa` cookie, and what its response was told. */
  async function withMfaCookie(mfaCookie: string | undefined, from: TestDeps = deps) {
    const response = recordingResponse();
    return { caller: await callerFor(from, { mfaCookie, response }), response };
  }

  const wrongCode = () => (app.generate() === '000000' ? '111111' : '000000');

  it('gives an account with two-step verification a challenge, not a refusal, when the provider checked one factor', async () => {
    const { user, claims } = await accountWithTwoStep();
    const mfaToken = await ssoStep(claims);
    expect(mfaToken.length).toBeGreaterThanOrEqual(20);
    const challenge = await deps.db
      .selectFrom('mfa_challenges')
      .selectAll()
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(challenge).toMatchObject({
      sso_issuer: ISSUER,
      sso_signed_in_at: expect.any(Date),
      used_at: null,
      failed_attempts: 0,
    });
  });

  it('opens a single sign-on session with a second factor for the code, from the cookie, and clears the cookie', async () => {
    const { user, claims } = await accountWithTwoStep();
    const mfaToken = await ssoStep(claims);
    const { caller, response } = await withMfaCookie(mfaToken);
    const payload = await caller.auth.mfa.verify({ code: app.generate() });
    expect(payload.user.id).toBe(user.id);
    expect(response.refreshCookie).toBe(payload.refreshToken);
    expect(response.mfaCookieCleared).toBe(true);
    expect(await sessionAmr(payload.accessToken)).toEqual(['sso', 'otp']);
    const logins = await deps.db
      .selectFrom('audit_events')
      .select(['action', 'metadata'])
      .where('actor_id', '=', user.id)
      .where('action', 'in', ['auth.sso_login', 'auth.login'])
      .orderBy('seq', 'desc')
      .executeTakeFirstOrThrow();
    expect(logins).toEqual({
      action: 'auth.sso_login',
      metadata: { issuer: ISSUER, secondFactor: true, secondFactorMethod: 'totp' },
    });
    // Single use: the same cookie signs no one in again.
    const again = await withMfaCookie(mfaToken);
    expect((await refusal(again.caller.auth.mfa.verify({ code: app.generate() }))).code).toBe('UNAUTHORIZED');
  });

  it('counts the session limits of a single sign-on (SSO_SESSION_MAX_HOURS) from the provider sign-in', async () => {
    const { user, claims } = await accountWithTwoStep();
    const short = withConfig({ ssoSessionMaxHours: 1 });
    const mfaToken = await ssoStep(claims, short);
    const { caller } = await withMfaCookie(mfaToken, short);
    const payload = await caller.auth.mfa.verify({ code: app.generate() });
    const session = await deps.db
      .selectFrom('sessions')
      .select(['expires_at', 'signed_in_at'])
      .where('id', '=', (await deps.tokens.verifyAccess(payload.accessToken))?.sessionId as string)
      .executeTakeFirstOrThrow();
    expect(session.expires_at.getTime() - session.signed_in_at.getTime()).toBeLessThanOrEqual(60 * 60 * 1000);
    const challenge = await deps.db
      .selectFrom('mfa_challenges')
      .select('sso_signed_in_at')
      .where('user_id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(session.signed_in_at).toEqual(challenge.sso_signed_in_at);
  });

  it('is voided by five wrong codes: the right one is refused after, and the cookie cleared', async () => {
    const { claims } = await accountWithTwoStep();
    const mfaToken = await ssoStep(claims);
    for (let i = 1; i <= 5; i += 1) {
      const { caller, response } = await withMfaCookie(mfaToken);
      expect(await refusal(caller.auth.mfa.verify({ code: wrongCode() }))).toEqual({
        code: 'UNAUTHORIZED',
        message: 'Invalid code',
      });
      expect(response.mfaCookieCleared).toBe(i === 5);
    }
    const { caller, response } = await withMfaCookie(mfaToken);
    expect(await refusal(caller.auth.mfa.verify({ code: app.generate() }))).toMatchObject({ code: 'UNAUTHORIZED' });
    expect(response.mfaCookieCleared).toBe(true);
  });

  it('refuses (401) a verify with neither a token nor the cookie', async () => {
    const { caller } = await withMfaCookie(undefined);
    expect((await refusal(caller.auth.mfa.verify({ code: '123456' }))).code).toBe('UNAUTHORIZED');
  });

  it('works under PASSWORD_LOGIN=false, where it is the only way in for the account', async () => {
    const { user, claims } = await accountWithTwoStep();
    const ssoOnly = withConfig({ passwordLogin: false });
    const mfaToken = await ssoStep(claims, ssoOnly);
    const { caller } = await withMfaCookie(mfaToken, ssoOnly);
    expect((await caller.auth.mfa.verify({ code: app.generate() })).user.id).toBe(user.id);
  });
});

describe('identities on the account page', () => {
  it('auth.providers says whether passwords and single sign-on sign in', async () => {
    const anonymous = await callerFor(deps);
    expect(await anonymous.auth.providers()).toEqual({ password: true, oidc: { label: 'Acme SSO' } });
    const off = await callerFor(withConfig({ sso: undefined, passwordLogin: false }));
    expect(await off.auth.providers()).toEqual({ password: false, oidc: null });
  });

  it("lists the caller's identities only", async () => {
    const user = await verifiedUser();
    await signIn(claimsOf({ email: user.email }));
    await signIn(claimsOf());
    const listed = await user.caller.sso.identities();
    expect(listed.items).toEqual([expect.objectContaining({ issuer: ISSUER, email: user.email })]);
  });

  it('refuses to unlink the only way to sign in of an account single sign-on created, until a password is set', async () => {
    const { payload } = await signIn(claimsOf());
    const caller = await callerFor(deps, { accessToken: payload.accessToken });
    const [identity] = (await caller.sso.identities()).items;
    const refused = await refusal(caller.sso.unlink({ id: identity?.id as string }));
    expect(refused.code).toBe('CONFLICT');
    expect(refused.message).toContain('only way to sign in');
    // A reset link sets a password (users.setPassword bumps the version).
    await deps.db.updateTable('users').set({ password_version: 0 }).where('id', '=', payload.user.id).execute();
    expect(await caller.sso.unlink({ id: identity?.id as string })).toEqual({ success: true });
    expect((await caller.sso.identities()).items).toEqual([]);
  });

  it('unlinks an identity of an account with a password, audited; but not under PASSWORD_LOGIN=false when it is the last', async () => {
    const user = await verifiedUser();
    await signIn(claimsOf({ email: user.email }));
    const [identity] = (await user.caller.sso.identities()).items;
    const noPasswords = await callerFor(withConfig({ passwordLogin: false }), { accessToken: user.accessToken });
    expect((await refusal(noPasswords.sso.unlink({ id: identity?.id as string }))).code).toBe('CONFLICT');
    expect(await user.caller.sso.unlink({ id: identity?.id as string })).toEqual({ success: true });
    const audited = await deps.db
      .selectFrom('audit_events')
      .select('action')
      .where('actor_id', '=', user.id)
      .where('action', '=', 'auth.sso_unlinked')
      .execute();
    expect(audited).toHaveLength(1);
  });

  it("answers another account's identity as not found", async () => {
    const owner = await verifiedUser();
    await signIn(claimsOf({ email: owner.email }));
    const [identity] = (await owner.caller.sso.identities()).items;
    const stranger = await createUser(deps);
    expect((await refusal(stranger.caller.sso.unlink({ id: identity?.id as string }))).code).toBe('NOT_FOUND');
  });
});

describe('linking from the account page', () => {
  it('is asked by the bearer of a live access token, and refused without one', async () => {
    const user = await createUser(deps);
    const { ctx } = await contextOf(deps, user.accessToken);
    expect(await linkIntentOf(ctx)).toEqual({ userId: user.id, sessionId: user.sessionId });
    const anonymous = await contextOf();
    expect((await refusal(linkIntentOf(anonymous.ctx))).code).toBe('UNAUTHORIZED');
  });

  it('is refused to a session that did not pass the two-step verification the account turned on', async () => {
    const user = await createUser(deps);
    await deps.db
      .insertInto('mfa_secrets')
      .values({ user_id: user.id, secret: 'JBSWY3DPEHPK3PXP', enabled_at: new Date() })
      .execute();
    const { ctx } = await contextOf(deps, user.accessToken);
    expect((await refusal(linkIntentOf(ctx))).code).toBe('FORBIDDEN');
  });

  it('links an identity whatever its address to the account that asked, and then signs in to it', async () => {
    const user = await createUser(deps);
    const claims = claimsOf({ email: 'someone-else@example.org', emailVerified: false });
    const { ctx } = await contextOf();
    await linkIdentity(ctx, { userId: user.id, sessionId: user.sessionId }, claims);
    expect((await signIn(claims)).payload.user.id).toBe(user.id);
  });

  it('refuses once the session that asked was revoked', async () => {
    const user = await createUser(deps);
    await user.caller.auth.logoutAll();
    const { ctx } = await contextOf();
    expect(await refusedWith(linkIdentity(ctx, { userId: user.id, sessionId: user.sessionId }, claimsOf()))).toBe(
      'link_expired',
    );
  });

  it('refuses an identity linked to another account', async () => {
    const claims = claimsOf();
    await signIn(claims);
    const user = await createUser(deps);
    const { ctx } = await contextOf();
    expect(await refusedWith(linkIdentity(ctx, { userId: user.id, sessionId: user.sessionId }, claims))).toBe(
      'identity_taken',
    );
  });
});
