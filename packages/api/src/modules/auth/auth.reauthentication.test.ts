// Confirming it is the account's owner before a change to its credentials (auth.changePassword,
// auth.requestEmailChange, auth.mfa.setup, auth.mfa.disable): the current password as before, or a
// code of the authenticator app (once), or a single sign-on of this session at most five minutes
// old — what a person who has no password (single sign-on, PASSWORD_LOGIN=false) can give.
import { type TOTP, URI } from 'otpauth';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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
  type TestUser,
} from '../../testing/index.js';

const STEP_MS = 30_000;
const MINUTE_MS = 60_000;
const NEW_PASSWORD = 'N3w-Passw0rd!';
const WRONG_CODE =
  'That code is not valid: enter the current code of your authenticator app, or sign in again to confirm it is you';
const ENTER_PASSWORD = 'Enter your current password';
const SIGN_IN_AGAIN =
  'Sign in again with single sign-on (within 5 minutes) or enter a code from your authenticator app';

/** The clock codes and sign-in times are read with; tests move it forward. */
let clock = Date.now();
let deps: TestDeps;
/** The same database, without passwords. */
let ssoOnly: TestDeps;
beforeAll(async () => {
  deps = await createTestDeps({ config: { sso: TEST_SSO } });
  deps.now = () => clock;
  ssoOnly = { ...deps, config: { ...deps.config, passwordLogin: false } };
});
beforeEach(() => {
  // Each test starts at a step of its own, later than every earlier test's.
  clock = Math.max(clock, Date.now()) + STEP_MS;
});
afterAll(async () => {
  await deps.close();
});

const uniqueEmail = () => `moved-${Math.random().toString(36).slice(2)}@example.com`;

/** A code of the authenticator app that scanned `otpauthUri`, at the clock's step. */
const appOf = (otpauthUri: string) => {
  const totp = URI.parse(otpauthUri) as TOTP;
  return () => totp.generate({ timestamp: clock });
};

/** A password account with two-step verification on; its next code is of a later step. */
async function passwordUserWithTwoStep(): Promise<{ user: TestUser; code: () => string }> {
  const user = await createUser(deps);
  const code = appOf((await user.caller.auth.mfa.setup({ currentPassword: TEST_PASSWORD })).otpauthUri);
  await user.caller.auth.mfa.enable({ code: code() });
  clock += STEP_MS;
  return { user, code };
}

const fieldError = (field: string, message: string) => ({
  code: 'VALIDATION_ERROR',
  message,
  details: [{ field, message }],
});

describe('an app code in place of the password', () => {
  it('auth.changePassword takes it, once', async () => {
    const { user, code } = await passwordUserWithTwoStep();
    const current = code();
    expect(await user.caller.auth.changePassword({ code: current, newPassword: NEW_PASSWORD })).toEqual({
      success: true,
    });
    const signIn = await (await callerFor(deps)).auth.login({ email: user.email, password: NEW_PASSWORD });
    expect(signIn.mfaRequired).toBe(true);
    // The same code again is a replay.
    expect(await refusal(user.caller.auth.changePassword({ code: current, newPassword: 'An0ther-pass' }))).toEqual({
      code: 'BAD_REQUEST',
      message: WRONG_CODE,
    });
  });

  it('auth.requestEmailChange takes it; a wrong one is refused and audited', async () => {
    const { user, code } = await passwordUserWithTwoStep();
    const wrong = code() === '000000' ? '111111' : '000000';
    expect(await refusal(user.caller.auth.requestEmailChange({ newEmail: uniqueEmail(), code: wrong }))).toEqual({
      code: 'BAD_REQUEST',
      message: WRONG_CODE,
    });
    const failed = await deps.db
      .selectFrom('audit_events')
      .select('metadata')
      .where('action', '=', 'auth.mfa_failed')
      .where('target_id', '=', user.id)
      .execute();
    expect(failed.map((row) => row.metadata)).toEqual([{ reason: 'wrong_code', during: 'reauthenticate' }]);
    expect(await user.caller.auth.requestEmailChange({ newEmail: uniqueEmail(), code: code() })).toEqual({
      success: true,
    });
  });

  it('auth.mfa.disable takes an app code alone, but a recovery code only beside the password', async () => {
    const user = await createUser(deps);
    const code = appOf((await user.caller.auth.mfa.setup({ currentPassword: TEST_PASSWORD })).otpauthUri);
    const { recoveryCodes } = await user.caller.auth.mfa.enable({ code: code() });
    clock += STEP_MS;
    expect(await refusal(user.caller.auth.mfa.disable({ code: recoveryCodes[0] as string }))).toEqual(
      fieldError('currentPassword', ENTER_PASSWORD),
    );
    expect(await user.caller.auth.mfa.disable({ code: code() })).toEqual({ success: true });
    expect((await user.caller.auth.mfa.status()).enabled).toBe(false);
  });

  it('auth.mfa.setup takes none while two-step verification is off: the password, as before', async () => {
    const user = await createUser(deps);
    expect(await refusal(user.caller.auth.mfa.setup({}))).toEqual(fieldError('currentPassword', ENTER_PASSWORD));
    expect(await refusal(user.caller.auth.mfa.setup({ code: '123456' }))).toEqual({
      code: 'BAD_REQUEST',
      message: WRONG_CODE,
    });
    expect((await user.caller.auth.mfa.setup({ currentPassword: TEST_PASSWORD })).otpauthUri).toMatch(/^otpauth:/);
  });
});

describe('a password account that gives nothing', () => {
  it('is asked for its current password on the field', async () => {
    const user = await createUser(deps);
    expect(await refusal(user.caller.auth.changePassword({ newPassword: NEW_PASSWORD }))).toEqual(
      fieldError('currentPassword', ENTER_PASSWORD),
    );
    expect(await refusal(user.caller.auth.requestEmailChange({ newEmail: uniqueEmail() }))).toEqual(
      fieldError('currentPassword', ENTER_PASSWORD),
    );
  });
});

/** Each procedure as a person with no password calls it, and what it answers when it goes through. */
const procedures = {
  'auth.changePassword': {
    call: (caller: Caller) => caller.auth.changePassword({ newPassword: NEW_PASSWORD }),
    on: () => deps,
  },
  'auth.requestEmailChange': {
    call: (caller: Caller) => caller.auth.requestEmailChange({ newEmail: uniqueEmail() }),
    on: () => ssoOnly,
  },
  'auth.mfa.setup': { call: (caller: Caller) => caller.auth.mfa.setup({}), on: () => ssoOnly },
} as const;
type Caller = Awaited<ReturnType<typeof callerFor>>;

describe('a fresh single sign-on in place of the password', () => {
  it.each(Object.keys(procedures) as (keyof typeof procedures)[])(
    '%s goes through within five minutes of the sign-in, and is refused on the field after',
    async (name) => {
      const procedure = procedures[name];
      const claims = ssoClaims();
      const stale = await signInWithSso(procedure.on(), claims);
      clock += 5 * MINUTE_MS + 1_000;
      const refused = await refusal(
        procedure.call(await callerFor(procedure.on(), { accessToken: stale.payload.accessToken })),
      );
      expect(refused).toEqual(fieldError('currentPassword', SIGN_IN_AGAIN));
      // Signing in again through the provider (a new session) makes it fresh.
      const fresh = await signInWithSso(procedure.on(), claims);
      clock += 4 * MINUTE_MS;
      await procedure.call(await callerFor(procedure.on(), { accessToken: fresh.payload.accessToken }));
    },
  );

  it('auth.mfa.disable goes through with a recovery code within five minutes of the sign-in, not after', async () => {
    const claims = ssoClaims({ amr: ['pwd', 'otp'] });
    const first = await signInWithSso(ssoOnly, claims);
    const code = appOf((await first.caller.auth.mfa.setup({})).otpauthUri);
    const { recoveryCodes } = await first.caller.auth.mfa.enable({ code: code() });
    clock += 6 * MINUTE_MS;
    const stale = await callerFor(ssoOnly, { accessToken: first.payload.accessToken });
    expect(await refusal(stale.auth.mfa.disable({ code: recoveryCodes[0] as string }))).toEqual(
      fieldError('currentPassword', SIGN_IN_AGAIN),
    );
    const fresh = await signInWithSso(ssoOnly, claims);
    expect(await fresh.caller.auth.mfa.disable({ code: recoveryCodes[0] as string })).toEqual({ success: true });
  });

  it('does not count a password session, however fresh', async () => {
    const user = await createUser(deps);
    const caller = await callerFor(ssoOnly, { accessToken: user.accessToken });
    expect(await refusal(caller.auth.requestEmailChange({ newEmail: uniqueEmail() }))).toEqual(
      fieldError('currentPassword', SIGN_IN_AGAIN),
    );
  });

  it('is the only way without passwords: a right password counts for nothing then', async () => {
    const user = await createUser(deps);
    const caller = await callerFor(ssoOnly, { accessToken: user.accessToken });
    expect(
      await refusal(caller.auth.requestEmailChange({ newEmail: uniqueEmail(), currentPassword: TEST_PASSWORD })),
    ).toEqual(fieldError('currentPassword', SIGN_IN_AGAIN));
  });
});
