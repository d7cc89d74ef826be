// A deployment without passwords (PASSWORD_LOGIN=false): everything that signs in with, sets or
// creates a password answers 403 and says to use single sign-on; the bootstrap ADMIN is the first
// single sign-on with ADMIN_EMAIL (an address the provider vouched for), not an account made at start.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callerFor,
  createTestDeps,
  createUser,
  refusal,
  signInWithSso,
  ssoClaims,
  TEST_PASSWORD,
  TEST_SSO,
  type TestDeps,
} from '../../testing/index.js';
import { ensureAdmin } from '../auth/auth.service.js';
import { SsoRefusal } from './sso.service.js';

const PASSWORDS_OFF = { code: 'FORBIDDEN', message: 'Passwords do not sign in here: use single sign-on' };
/** A link token of the right shape: the refusal comes before any lookup. */
const SOME_TOKEN = randomBytes(24).toString('base64url');

let deps: TestDeps;
/** The same database, without passwords. */
let ssoOnly: TestDeps;
beforeAll(async () => {
  deps = await createTestDeps({ config: { sso: TEST_SSO } });
  ssoOnly = { ...deps, config: { ...deps.config, passwordLogin: false } };
});
afterAll(async () => {
  await deps.close();
});

const uniqueEmail = (name = 'person') => `${name}-${randomBytes(5).toString('hex')}@example.com`;

async function refusedWith(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (error) {
    if (error instanceof SsoRefusal) return error.reason;
    throw error;
  }
  throw new Error('the sign-in succeeded');
}

describe('PASSWORD_LOGIN=false', () => {
  it('refuses a password sign-in, even the right password of an existing account', async () => {
    const user = await createUser(deps);
    const anonymous = await callerFor(ssoOnly);
    expect(await refusal(anonymous.auth.login({ email: user.email, password: TEST_PASSWORD }))).toEqual(PASSWORDS_OFF);
  });

  it('refuses sign-up with a password, password-reset mail and password reset', async () => {
    const anonymous = await callerFor(ssoOnly);
    const email = uniqueEmail();
    expect(await refusal(anonymous.auth.register({ email, password: TEST_PASSWORD, name: 'New Person' }))).toEqual(
      PASSWORDS_OFF,
    );
    expect(
      await deps.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst(),
    ).toBeUndefined();
    expect(await refusal(anonymous.auth.requestPasswordReset({ email }))).toEqual(PASSWORDS_OFF);
    expect(await refusal(anonymous.auth.resetPassword({ token: SOME_TOKEN, newPassword: 'N3w-Passw0rd!' }))).toEqual(
      PASSWORDS_OFF,
    );
  });

  it('refuses creating an account with a password from an invitation, global or team', async () => {
    const anonymous = await callerFor(ssoOnly);
    const account = { name: 'Invited Person', password: TEST_PASSWORD };
    expect(await refusal(anonymous.auth.acceptInvitation({ token: SOME_TOKEN, ...account }))).toEqual(PASSWORDS_OFF);
    expect(await refusal(anonymous.teams.invitations.accept({ token: SOME_TOKEN, ...account }))).toEqual(PASSWORDS_OFF);
  });

  it('refuses auth.changePassword: there are no passwords to change', async () => {
    const user = await createUser(deps);
    const caller = await callerFor(ssoOnly, { accessToken: user.accessToken });
    expect(
      await refusal(caller.auth.changePassword({ currentPassword: TEST_PASSWORD, newPassword: 'N3w-Passw0rd!' })),
    ).toEqual(PASSWORDS_OFF);
  });

  it('still signs in through the provider, and auth.providers says passwords are off', async () => {
    const { payload } = await signInWithSso(ssoOnly, ssoClaims());
    expect(payload.user.role).toBe('GUEST');
    expect(await (await callerFor(ssoOnly)).auth.providers()).toEqual({ password: false, oidc: { label: 'Acme SSO' } });
  });
});

describe('an invitation without passwords', () => {
  it('a team invitation lets single sign-on create the account under SIGNUP_MODE=invite', async () => {
    const inviteOnly = { ...ssoOnly, config: { ...ssoOnly.config, signupMode: 'invite' as const } };
    const owner = await createUser(deps);
    await deps.db.updateTable('users').set({ email_verified: true }).where('id', '=', owner.id).execute();
    const team = await owner.caller.teams.create({ name: 'Platform' });
    const email = uniqueEmail('invitee');
    expect(await refusedWith(signInWithSso(inviteOnly, ssoClaims({ email })))).toBe('signup_invite');
    await owner.caller.teams.invitations.create({ teamId: team.id, email, role: 'MEMBER' });
    const { payload } = await signInWithSso(inviteOnly, ssoClaims({ email }));
    expect(payload.user).toMatchObject({ email, role: 'GUEST', emailVerified: true });
  });
});

describe('ADMIN_EMAIL without passwords', () => {
  it('creates no account at start, even with ADMIN_PASSWORD set', async () => {
    const email = uniqueEmail('admin');
    expect(await ensureAdmin(ssoOnly, email, 'Adm1n-password')).toBeUndefined();
    expect(
      await deps.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst(),
    ).toBeUndefined();
  });

  it('makes the first single sign-on with the address, verified by the provider, the ADMIN whatever the sign-up rules', async () => {
    const email = uniqueEmail('admin');
    const bootstrap = { ...ssoOnly, config: { ...ssoOnly.config, adminEmail: email, signupMode: 'invite' as const } };
    // Anyone else is held to SIGNUP_MODE=invite.
    expect(await refusedWith(signInWithSso(bootstrap, ssoClaims()))).toBe('signup_invite');
    // An address the provider did not vouch for is no proof of being the operator's admin.
    expect(await refusedWith(signInWithSso(bootstrap, ssoClaims({ email, emailVerified: false })))).toBe(
      'signup_invite',
    );
    const { payload, caller } = await signInWithSso(bootstrap, ssoClaims({ email }));
    expect(payload.user).toMatchObject({ email, role: 'ADMIN', emailVerified: true });
    expect((await caller.admin.users.list({})).items.length).toBeGreaterThan(0);
    const registered = await deps.db
      .selectFrom('audit_events')
      .select('metadata')
      .where('action', '=', 'auth.register')
      .where('target_id', '=', payload.user.id)
      .executeTakeFirstOrThrow();
    expect(registered.metadata).toMatchObject({ via: 'sso', bootstrapAdmin: true });
  });

  it('is not an ADMIN while passwords sign in (ADMIN_PASSWORD creates that account at start)', async () => {
    const email = uniqueEmail('admin');
    const withPasswords = { ...deps, config: { ...deps.config, adminEmail: email } };
    const { payload } = await signInWithSso(withPasswords, ssoClaims({ email }));
    expect(payload.user.role).toBe('GUEST');
  });
});
