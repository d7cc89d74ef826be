// Two-step verification as its users live it: set up with the password, turned on with a first code
// (ten recovery codes shown once), then every sign-in asks for a code after the password; codes
// work once, wrong ones are counted and audited, a lost device is handled by a recovery code or an
// admin's reset, and MFA_REQUIRED_ROLES keeps a role's sessions without a second factor to auth.*.
import { type TOTP, URI } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mailer } from '../../common/mailer.js';
import {
  callerFor,
  createTestDeps,
  createUser,
  outcome,
  refusal,
  startTestSmtpServer,
  TEST_PASSWORD,
  type TestDeps,
  type TestSmtpServer,
  type TestUser,
  testMailer,
  tokensOf,
  workAppJobs,
} from '../../testing/index.js';

const STEP_MS = 30_000;
const RESET_NOTICE_SUBJECT = 'Two-step verification was turned off for your Keel account';

/** The clock the service checks codes with; tests move it. */
let clock = Math.floor(Date.now() / STEP_MS) * STEP_MS + 1_000;
const nextStep = () => {
  clock += STEP_MS;
};

let smtp: TestSmtpServer;
let deps: TestDeps;
let mailer: Mailer;
beforeAll(async () => {
  smtp = await startTestSmtpServer();
  deps = await createTestDeps();
  deps.now = () => clock;
  mailer = testMailer(deps, smtp.url);
  await workAppJobs(deps, mailer);
});
afterAll(async () => {
  await deps.close();
  mailer.close();
  await smtp.close();
});

/** The `amr` claim of an access token. */
function amrOf(accessToken: string): string[] {
  const payload = accessToken.split('.')[1] ?? '';
  return (JSON.parse(Buffer.from(payload, 'base64url').toString()) as { amr: string[] }).amr;
}

/** The authenticator app a user scanned the QR code into: it shows the code of the clock's step. */
interface Authenticator {
  code(): string;
}

async function setUp(user: TestUser): Promise<Authenticator> {
  const { otpauthUri } = await user.caller.auth.mfa.setup({ currentPassword: TEST_PASSWORD });
  const totp = URI.parse(otpauthUri) as TOTP;
  return { code: () => totp.generate({ timestamp: clock }) };
}

/** A user with two-step verification on: their app, and the recovery codes they were shown. */
async function userWithTwoStep(options: Parameters<typeof createUser>[1] = {}) {
  const user = await createUser(deps, options);
  const app = await setUp(user);
  const { recoveryCodes } = await user.caller.auth.mfa.enable({ code: app.code() });
  // The code just used is spent: sign-ins in this test use later steps.
  nextStep();
  return { user, app, recoveryCodes };
}

async function passwordStep(user: TestUser, on: TestDeps = deps) {
  const result = await (await callerFor(on)).auth.login({ email: user.email, password: TEST_PASSWORD });
  if (!result.mfaRequired) throw new Error('expected auth.login to ask for a code');
  return result.mfaToken;
}

const auditOf = (action: string, userId: string) =>
  deps.db
    .selectFrom('audit_events')
    .select(['actor_id', 'metadata'])
    .where('action', '=', action)
    .where('target_id', '=', userId)
    .orderBy('seq')
    .execute();

describe('setting up and turning on', () => {
  it('gives an otpauth URI and a QR code for the account, after the password', async () => {
    const user = await createUser(deps);
    expect(await refusal(user.caller.auth.mfa.setup({ currentPassword: 'Wrong-passw0rd' }))).toMatchObject({
      code: 'BAD_REQUEST',
      message: 'Current password is incorrect',
    });
    const setup = await user.caller.auth.mfa.setup({ currentPassword: TEST_PASSWORD });
    const uri = URI.parse(setup.otpauthUri) as TOTP;
    expect(uri).toMatchObject({ issuer: 'Keel', label: user.email, digits: 6 });
    expect(setup.qrSvg).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);
    // Pending: nothing changes for signing in until a code enables it.
    expect(await user.caller.auth.mfa.status()).toEqual({ enabled: false, recoveryCodesLeft: 0, enabledAt: null });
    expect((await (await callerFor(deps)).auth.login({ email: user.email, password: TEST_PASSWORD })).mfaRequired).toBe(
      false,
    );
  });

  it('a second setup replaces the pending secret: only the newest app enables', async () => {
    const user = await createUser(deps);
    const first = await setUp(user);
    const second = await setUp(user);
    expect(first.code()).not.toBe(second.code());
    expect(await refusal(user.caller.auth.mfa.enable({ code: first.code() }))).toMatchObject({ code: 'BAD_REQUEST' });
    expect((await user.caller.auth.mfa.enable({ code: second.code() })).recoveryCodes).toHaveLength(10);
  });

  it('enabling answers ten recovery codes, audits, and refuses another setup', async () => {
    const { user, recoveryCodes } = await userWithTwoStep();
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    for (const code of recoveryCodes) expect(code).toMatch(/^[a-z2-7]{5}-[a-z2-7]{5}$/);
    const status = await user.caller.auth.mfa.status();
    expect(status).toMatchObject({ enabled: true, recoveryCodesLeft: 10 });
    expect(Date.parse(status.enabledAt ?? '')).not.toBeNaN();
    expect(await auditOf('auth.mfa_enabled', user.id)).toEqual([expect.objectContaining({ actor_id: user.id })]);
    // Stored hashed: no code appears in the database.
    const stored = JSON.stringify(
      await deps.db.selectFrom('mfa_recovery_codes').selectAll().where('user_id', '=', user.id).execute(),
    );
    for (const code of recoveryCodes) expect(stored).not.toContain(code);
    expect(await refusal(user.caller.auth.mfa.setup({ currentPassword: TEST_PASSWORD }))).toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('the session that turned it on has the second factor from its next refresh', async () => {
    const { user } = await userWithTwoStep();
    expect(amrOf(user.accessToken)).toEqual(['pwd']);
    const refreshed = await (await callerFor(deps)).auth.refresh({ refreshToken: user.refreshToken });
    expect(amrOf(refreshed.accessToken)).toEqual(['pwd', 'otp']);
  });
});

describe('signing in with two-step verification on', () => {
  it('the password alone gives an mfaToken; the code gives tokens with amr otp, which a refresh keeps', async () => {
    const { user, app } = await userWithTwoStep();
    const mfaToken = await passwordStep(user);
    expect(mfaToken).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const payload = await (await callerFor(deps)).auth.mfa.verify({ mfaToken, code: app.code() });
    expect(payload.user.id).toBe(user.id);
    expect(amrOf(payload.accessToken)).toEqual(['pwd', 'otp']);
    await expect((await callerFor(deps, { accessToken: payload.accessToken })).auth.me()).resolves.toMatchObject({
      id: user.id,
    });
    const refreshed = await (await callerFor(deps)).auth.refresh({ refreshToken: payload.refreshToken });
    expect(amrOf(refreshed.accessToken)).toEqual(['pwd', 'otp']);
    const [signIn] = await deps.db
      .selectFrom('audit_events')
      .select('metadata')
      .where('action', '=', 'auth.login')
      .where('actor_id', '=', user.id)
      .orderBy('seq', 'desc')
      .limit(1)
      .execute();
    expect(signIn?.metadata).toMatchObject({ secondFactor: 'totp' });
  });

  it('an mfaToken works once', async () => {
    const { user, app } = await userWithTwoStep();
    const mfaToken = await passwordStep(user);
    await (await callerFor(deps)).auth.mfa.verify({ mfaToken, code: app.code() });
    nextStep();
    expect(await outcome((await callerFor(deps)).auth.mfa.verify({ mfaToken, code: app.code() }))).toBe('UNAUTHORIZED');
  });

  it('an mfaToken expires after five minutes', async () => {
    const { user, app } = await userWithTwoStep();
    const mfaToken = await passwordStep(user);
    clock += 5 * 60_000;
    expect(await refusal((await callerFor(deps)).auth.mfa.verify({ mfaToken, code: app.code() }))).toMatchObject({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining('sign in again'),
    });
  });

  it('each wrong code is refused and audited; after five, the right code is refused too', async () => {
    const { user, app } = await userWithTwoStep();
    const mfaToken = await passwordStep(user);
    const anonymous = await callerFor(deps);
    const wrong = app.code() === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i += 1) {
      expect(await refusal(anonymous.auth.mfa.verify({ mfaToken, code: wrong }))).toEqual({
        code: 'UNAUTHORIZED',
        message: 'Invalid code',
      });
    }
    const failures = await auditOf('auth.mfa_failed', user.id);
    expect(failures.map((event) => event.metadata)).toEqual(
      [1, 2, 3, 4, 5].map((attempt) => ({ reason: 'wrong_code', during: 'sign_in', attempt })),
    );
    expect(await outcome(anonymous.auth.mfa.verify({ mfaToken, code: app.code() }))).toBe('UNAUTHORIZED');
    // A new sign-in starts a new challenge.
    const fresh = await passwordStep(user);
    await expect(anonymous.auth.mfa.verify({ mfaToken: fresh, code: app.code() })).resolves.toMatchObject({
      tokenType: 'Bearer',
    });
  });

  it('a code is accepted once: the same code on another sign-in is refused, the next one works', async () => {
    const { user, app } = await userWithTwoStep();
    const code = app.code();
    await (await callerFor(deps)).auth.mfa.verify({ mfaToken: await passwordStep(user), code });
    const again = await passwordStep(user);
    expect(await outcome((await callerFor(deps)).auth.mfa.verify({ mfaToken: again, code }))).toBe('UNAUTHORIZED');
    nextStep();
    await expect((await callerFor(deps)).auth.mfa.verify({ mfaToken: again, code: app.code() })).resolves.toMatchObject(
      {
        user: { id: user.id },
      },
    );
  });

  it('a code of the next step is accepted (clocks drift), not one two steps ahead', async () => {
    const { user, app } = await userWithTwoStep();
    const now = clock;
    clock = now + 2 * STEP_MS;
    const tooFar = app.code();
    clock = now + STEP_MS;
    const nextOne = app.code();
    clock = now;
    const mfaToken = await passwordStep(user);
    expect(await outcome((await callerFor(deps)).auth.mfa.verify({ mfaToken, code: tooFar }))).toBe('UNAUTHORIZED');
    await expect((await callerFor(deps)).auth.mfa.verify({ mfaToken, code: nextOne })).resolves.toMatchObject({
      user: { id: user.id },
    });
    clock = now + 2 * STEP_MS;
  });

  it('a recovery code signs in once, in any case, is audited, and leaves nine', async () => {
    const { user, recoveryCodes } = await userWithTwoStep();
    const [recoveryCode = ''] = recoveryCodes;
    const payload = await (await callerFor(deps)).auth.mfa.verify({
      mfaToken: await passwordStep(user),
      recoveryCode: ` ${recoveryCode.toUpperCase()} `,
    });
    expect(amrOf(payload.accessToken)).toEqual(['pwd', 'otp']);
    expect(await auditOf('auth.recovery_code_used', user.id)).toEqual([
      expect.objectContaining({ actor_id: user.id, metadata: { recoveryCodesLeft: 9 } }),
    ]);
    const second = await passwordStep(user);
    expect(await outcome((await callerFor(deps)).auth.mfa.verify({ mfaToken: second, recoveryCode }))).toBe(
      'UNAUTHORIZED',
    );
    expect((await auditOf('auth.mfa_failed', user.id)).map((event) => event.metadata)).toEqual([
      { reason: 'wrong_recovery_code', during: 'sign_in', attempt: 1 },
    ]);
    expect((await user.caller.auth.mfa.status()).recoveryCodesLeft).toBe(9);
  });

  it('asks for exactly one of a code and a recovery code', async () => {
    const anonymous = await callerFor(deps);
    expect(await refusal(anonymous.auth.mfa.verify({ mfaToken: 'x'.repeat(43) }))).toMatchObject({
      code: 'VALIDATION_ERROR',
    });
    expect(
      await refusal(
        anonymous.auth.mfa.verify({ mfaToken: 'x'.repeat(43), code: '123456', recoveryCode: 'abcde-fghij' }),
      ),
    ).toMatchObject({ code: 'VALIDATION_ERROR' });
  });

  it('a password changed between the two steps voids the challenge', async () => {
    const { user, app } = await userWithTwoStep();
    const mfaToken = await passwordStep(user);
    await user.caller.auth.changePassword({ currentPassword: TEST_PASSWORD, newPassword: 'N3w-passw0rd' });
    expect(await outcome((await callerFor(deps)).auth.mfa.verify({ mfaToken, code: app.code() }))).toBe('UNAUTHORIZED');
  });
});

describe('turning it off and new recovery codes', () => {
  it('turning off needs the password and a code; a wrong code is audited', async () => {
    const { user, app } = await userWithTwoStep();
    expect(
      await refusal(user.caller.auth.mfa.disable({ currentPassword: 'Wrong-passw0rd', code: app.code() })),
    ).toMatchObject({ code: 'BAD_REQUEST', message: 'Current password is incorrect' });
    const wrong = app.code() === '000000' ? '111111' : '000000';
    expect(await outcome(user.caller.auth.mfa.disable({ currentPassword: TEST_PASSWORD, code: wrong }))).toBe(
      'BAD_REQUEST',
    );
    expect((await auditOf('auth.mfa_failed', user.id)).map((event) => event.metadata)).toEqual([
      { reason: 'wrong_code', during: 'disable' },
    ]);

    await expect(user.caller.auth.mfa.disable({ currentPassword: TEST_PASSWORD, code: app.code() })).resolves.toEqual({
      success: true,
    });
    expect(await user.caller.auth.mfa.status()).toEqual({ enabled: false, recoveryCodesLeft: 0, enabledAt: null });
    expect(await auditOf('auth.mfa_disabled', user.id)).toHaveLength(1);
    const signedIn = await (await callerFor(deps)).auth.login({ email: user.email, password: TEST_PASSWORD });
    expect(signedIn.mfaRequired).toBe(false);
  });

  it('a recovery code turns it off too', async () => {
    const { user, recoveryCodes } = await userWithTwoStep();
    await expect(
      user.caller.auth.mfa.disable({ currentPassword: TEST_PASSWORD, code: recoveryCodes[3] ?? '' }),
    ).resolves.toEqual({ success: true });
  });

  it('new recovery codes replace the old ones', async () => {
    const { user, app, recoveryCodes } = await userWithTwoStep();
    const { recoveryCodes: fresh } = await user.caller.auth.mfa.regenerateRecoveryCodes({ code: app.code() });
    expect(fresh).toHaveLength(10);
    const mfaToken = await passwordStep(user);
    expect(
      await outcome((await callerFor(deps)).auth.mfa.verify({ mfaToken, recoveryCode: recoveryCodes[0] ?? '' })),
    ).toBe('UNAUTHORIZED');
    await expect(
      (await callerFor(deps)).auth.mfa.verify({ mfaToken, recoveryCode: fresh[0] ?? '' }),
    ).resolves.toMatchObject({ user: { id: user.id } });
  });
});

describe('admin.users.resetMfa', () => {
  it('turns it off for a user who lost their device, audits, and mails them a notice', async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    const { user } = await userWithTwoStep();
    // The admin's page of the user says so, which is when it offers the reset.
    expect((await admin.caller.admin.users.get({ userId: user.id })).twoStepEnabled).toBe(true);
    await expect(admin.caller.admin.users.resetMfa({ userId: user.id })).resolves.toEqual({ success: true });
    expect((await admin.caller.admin.users.get({ userId: user.id })).twoStepEnabled).toBe(false);

    const signedIn = await (await callerFor(deps)).auth.login({ email: user.email, password: TEST_PASSWORD });
    expect(signedIn.mfaRequired).toBe(false);
    expect(await auditOf('admin.mfa_reset', user.id)).toEqual([expect.objectContaining({ actor_id: admin.id })]);
    const notice = await smtp.next((mail) => mail.to === user.email && mail.subject === RESET_NOTICE_SUBJECT);
    expect(notice.text).toContain('/account');
    // Nothing left to reset.
    expect(await outcome(admin.caller.admin.users.resetMfa({ userId: user.id }))).toBe('CONFLICT');
  });
});

describe('MFA_REQUIRED_ROLES=ADMIN', () => {
  let strict: TestDeps;
  beforeAll(async () => {
    strict = await createTestDeps({ config: { mfaRequiredRoles: ['ADMIN'] } });
    strict.now = () => clock;
  });
  afterAll(async () => {
    await strict.close();
  });

  it('an admin signed in with the password alone gets MFA_REQUIRED outside auth.*, and passes after a code', async () => {
    const admin = await createUser(strict, { role: 'ADMIN' });
    expect(await refusal(admin.caller.admin.stats())).toMatchObject({ code: 'MFA_REQUIRED' });
    expect(await refusal(admin.caller.projects.list({}))).toMatchObject({ code: 'MFA_REQUIRED' });
    // auth.* still answers: enough to turn two-step verification on.
    await expect(admin.caller.auth.me()).resolves.toMatchObject({ id: admin.id });
    const { otpauthUri } = await admin.caller.auth.mfa.setup({ currentPassword: TEST_PASSWORD });
    const totp = URI.parse(otpauthUri) as TOTP;
    await admin.caller.auth.mfa.enable({ code: totp.generate({ timestamp: clock }) });
    nextStep();

    const mfaToken = await passwordStep(admin, strict);
    const payload = await (await callerFor(strict)).auth.mfa.verify({
      mfaToken,
      code: totp.generate({ timestamp: clock }),
    });
    const verified = await callerFor(strict, { accessToken: payload.accessToken });
    expect((await verified.admin.stats()).users.byRole.ADMIN).toBeGreaterThanOrEqual(1);
    // A key is not interactive: its calls are not held to the rule.
    const { key } = await verified.apiKeys.create({ name: 'CI', scope: 'read' });
    expect(await outcome((await callerFor(strict, { accessToken: key })).projects.list({}))).toBe('OK');
  });

  it('leaves the other roles alone', async () => {
    const user = await createUser(strict);
    expect(await outcome(user.caller.projects.list({}))).toBe('OK');
    expect(
      tokensOf(await (await callerFor(strict)).auth.login({ email: user.email, password: TEST_PASSWORD })),
    ).toMatchObject({ mfaRequired: false });
  });
});
