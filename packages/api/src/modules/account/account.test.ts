// The account lifecycle as a user lives it: the mails arrive at a real SMTP server (sent by the job
// worker), the test reads the link out of the message and finishes the flow through the procedures.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mailer } from '../../common/mailer.js';
import {
  callerFor,
  createTestDeps,
  createUser,
  linkToken,
  outcome,
  type ReceivedMail,
  refusal,
  startTestSmtpServer,
  TEST_PASSWORD,
  TEST_PUBLIC_URL,
  type TestDeps,
  type TestSmtpServer,
  type TestUser,
  testMailer,
  tokensOf,
  workAppJobs,
} from '../../testing/index.js';

const SUBJECT = {
  verification: 'Confirm your email address for Keel',
  reset: 'Reset your Keel password',
  notice: 'Your Keel password was changed',
};
const NEW_PASSWORD = 'N3w-Passw0rd!';
const INVALID_LINK = /^This link is no longer valid/;

let smtp: TestSmtpServer;
let deps: TestDeps;
let mailer: Mailer;

beforeAll(async () => {
  smtp = await startTestSmtpServer();
  deps = await createTestDeps();
  mailer = testMailer(deps, smtp.url);
  await workAppJobs(deps, mailer);
});
afterAll(async () => {
  await deps.close();
  mailer.close();
  await smtp.close();
});

const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** The next mail with this subject to this address (waits for it). */
const mailTo = (email: string, subject: string) => smtp.next((mail) => mail.to === email && mail.subject === subject);

/** The token of the mail's link under PUBLIC_URL, read from the text part and the same in the HTML part. */
function tokenOf(mail: ReceivedMail, path: '/verify-email' | '/reset-password'): string {
  const token = linkToken(mail.text, TEST_PUBLIC_URL, path);
  expect(linkToken(mail.html, TEST_PUBLIC_URL, path)).toBe(token);
  return token;
}

/** A registered user whose verification mail arrived, with that mail's token. */
async function registered(options: Parameters<typeof createUser>[1] = {}): Promise<TestUser & { verifyToken: string }> {
  const user = await createUser(deps, options);
  return { ...user, verifyToken: tokenOf(await mailTo(user.email, SUBJECT.verification), '/verify-email') };
}

/** Asks for a reset link as the forgot-password page does, and reads it from the mail. */
async function resetLink(email: string): Promise<string> {
  await (await callerFor(deps)).auth.requestPasswordReset({ email });
  return tokenOf(await mailTo(email, SUBJECT.reset), '/reset-password');
}

async function auditActions(userId: string): Promise<string[]> {
  const rows = await deps.db
    .selectFrom('audit_events')
    .select('action')
    .where('target_id', '=', userId)
    .orderBy('seq')
    .execute();
  return rows.map((row) => row.action);
}

describe('email verification', () => {
  it('registering mails a verification link; following it marks the address verified', async () => {
    const user = await createUser(deps);
    expect((await user.caller.auth.me()).emailVerified).toBe(false);

    const mail = await mailTo(user.email, SUBJECT.verification);
    expect(mail.parsed.from?.value[0]?.address).toBe('no-reply@keel.test');
    expect(mail.text).toContain(`${TEST_PUBLIC_URL}/verify-email?token=`);
    expect(mail.html).toContain(`${TEST_PUBLIC_URL}/verify-email?token=`);
    const token = tokenOf(mail, '/verify-email');

    await expect((await callerFor(deps)).auth.verifyEmail({ token })).resolves.toEqual({ success: true });
    expect((await user.caller.auth.me()).emailVerified).toBe(true);
    expect(await auditActions(user.id)).toContain('auth.email_verified');
  });

  it('a verification link works once: the second time it is refused with the invalid-link message', async () => {
    const user = await registered();
    const anonymous = await callerFor(deps);
    await anonymous.auth.verifyEmail({ token: user.verifyToken });

    expect(await refusal(anonymous.auth.verifyEmail({ token: user.verifyToken }))).toEqual({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(INVALID_LINK),
    });
  });

  it('resending before verifying mails a new link, and the older link no longer works', async () => {
    const user = await registered();
    await expect(user.caller.auth.resendVerification()).resolves.toEqual({ success: true });
    const newer = tokenOf(await mailTo(user.email, SUBJECT.verification), '/verify-email');
    expect(newer).not.toBe(user.verifyToken);

    const anonymous = await callerFor(deps);
    expect((await refusal(anonymous.auth.verifyEmail({ token: user.verifyToken }))).code).toBe('BAD_REQUEST');
    await anonymous.auth.verifyEmail({ token: newer });
    expect((await user.caller.auth.me()).emailVerified).toBe(true);
  });

  it('resending once the address is verified sends nothing', async () => {
    const verified = await registered();
    await (await callerFor(deps)).auth.verifyEmail({ token: verified.verifyToken });
    const unverified = await registered();
    const before = smtp.received.length;

    await expect(verified.caller.auth.resendVerification()).resolves.toEqual({ success: true });
    // The same queue, worked one job at a time, oldest first: a mail for the verified account
    // would arrive before this one.
    await unverified.caller.auth.resendVerification();
    const marker = await mailTo(unverified.email, SUBJECT.verification);

    expect(smtp.received.slice(before)).toEqual([marker]);
  });
});

describe('password reset: the request', () => {
  it('answers the same for an unknown address and a known one, and mails only the known one', async () => {
    const known = await registered();
    const unknown = 'nobody-here@example.com';
    const anonymous = await callerFor(deps);
    const before = smtp.received.length;

    const unknownAnswer = await anonymous.auth.requestPasswordReset({ email: unknown });
    const knownAnswer = await anonymous.auth.requestPasswordReset({ email: known.email });
    expect(unknownAnswer).toEqual(knownAnswer);
    expect(knownAnswer).toEqual({ success: true });

    // Sent after the unknown address's job on the same queue: had it mailed, it would be first.
    const mail = await mailTo(known.email, SUBJECT.reset);
    expect(smtp.received.slice(before)).toEqual([mail]);
    expect(mail.text).toContain(`${TEST_PUBLIC_URL}/reset-password?token=`);
    expect(mail.html).toContain(`${TEST_PUBLIC_URL}/reset-password?token=`);
  });

  it('stores the link token only as its SHA-256', async () => {
    const user = await registered();
    const token = await resetLink(user.email);

    const rows = await deps.db
      .selectFrom('one_time_tokens')
      .selectAll()
      .where('user_id', '=', user.id)
      .where('kind', '=', 'password_reset')
      .execute();
    expect(rows.map((row) => row.token_hash)).toEqual([sha256(token)]);
    // No column holds the token itself, in any form.
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(token);
    expect(stored).not.toContain(Buffer.from(token, 'base64url').toString('hex'));
  });
});

describe('password reset: following the link', () => {
  it('a too-weak new password is a VALIDATION_ERROR and leaves the link usable', async () => {
    const user = await registered();
    const token = await resetLink(user.email);
    const anonymous = await callerFor(deps);

    const refused = await refusal(anonymous.auth.resetPassword({ token, newPassword: 'weak' }));
    expect(refused).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: expect.arrayContaining([expect.objectContaining({ field: 'newPassword' })]),
    });

    await expect(anonymous.auth.resetPassword({ token, newPassword: NEW_PASSWORD })).resolves.toEqual({
      success: true,
    });
    await mailTo(user.email, SUBJECT.notice);
  });

  it('sets the new password, signs out every session, mails a notice and audits it', async () => {
    const user = await registered();
    const anonymous = await callerFor(deps);
    // A second session, as on another device.
    const other = tokensOf(await anonymous.auth.login({ email: user.email, password: TEST_PASSWORD }));
    const token = await resetLink(user.email);

    await expect(anonymous.auth.resetPassword({ token, newPassword: NEW_PASSWORD })).resolves.toEqual({
      success: true,
    });

    for (const refreshToken of [user.refreshToken, other.refreshToken]) {
      expect(await outcome(anonymous.auth.refresh({ refreshToken }))).toBe('UNAUTHORIZED');
    }
    expect(await outcome((await callerFor(deps, { accessToken: other.accessToken })).auth.me())).toBe('UNAUTHORIZED');
    expect(await outcome(anonymous.auth.login({ email: user.email, password: TEST_PASSWORD }))).toBe('UNAUTHORIZED');
    const signedIn = tokensOf(await anonymous.auth.login({ email: user.email, password: NEW_PASSWORD }));
    // The link reached the address: it is verified as well.
    expect(signedIn.user.emailVerified).toBe(true);

    const notice = await mailTo(user.email, SUBJECT.notice);
    expect(notice.text).toContain('reset');
    expect(notice.text).toContain(`${TEST_PUBLIC_URL}/sign-in`);
    expect(await auditActions(user.id)).toContain('auth.password_reset');
  });

  it('a reset link works once', async () => {
    const user = await registered();
    const token = await resetLink(user.email);
    const anonymous = await callerFor(deps);
    await anonymous.auth.resetPassword({ token, newPassword: NEW_PASSWORD });
    await mailTo(user.email, SUBJECT.notice);

    expect(await refusal(anonymous.auth.resetPassword({ token, newPassword: 'An0ther-Passw0rd' }))).toEqual({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(INVALID_LINK),
    });
    await anonymous.auth.login({ email: user.email, password: NEW_PASSWORD });
  });

  it('a second request voids the first link', async () => {
    const user = await registered();
    const first = await resetLink(user.email);
    const second = await resetLink(user.email);
    const anonymous = await callerFor(deps);

    expect((await refusal(anonymous.auth.resetPassword({ token: first, newPassword: NEW_PASSWORD }))).code).toBe(
      'BAD_REQUEST',
    );
    await anonymous.auth.resetPassword({ token: second, newPassword: NEW_PASSWORD });
    await mailTo(user.email, SUBJECT.notice);
  });

  it('an expired link is refused', async () => {
    const user = await registered();
    const token = await resetLink(user.email);
    await deps.db
      .updateTable('one_time_tokens')
      .set({ expires_at: sql<Date>`now() - interval '1 minute'` })
      .where('token_hash', '=', sha256(token))
      .execute();

    const anonymous = await callerFor(deps);
    expect((await refusal(anonymous.auth.resetPassword({ token, newPassword: NEW_PASSWORD }))).code).toBe(
      'BAD_REQUEST',
    );
    await anonymous.auth.login({ email: user.email, password: TEST_PASSWORD });
  });

  it('a link of one kind does nothing for the other, and stays usable for its own', async () => {
    const user = await registered();
    const resetToken = await resetLink(user.email);
    const anonymous = await callerFor(deps);

    expect(
      (await refusal(anonymous.auth.resetPassword({ token: user.verifyToken, newPassword: NEW_PASSWORD }))).code,
    ).toBe('BAD_REQUEST');
    expect((await refusal(anonymous.auth.verifyEmail({ token: resetToken }))).code).toBe('BAD_REQUEST');
    expect((await user.caller.auth.me()).emailVerified).toBe(false);

    await anonymous.auth.verifyEmail({ token: user.verifyToken });
    await anonymous.auth.resetPassword({ token: resetToken, newPassword: NEW_PASSWORD });
    await mailTo(user.email, SUBJECT.notice);
  });

  it('a tampered link is refused', async () => {
    const user = await registered();
    const token = await resetLink(user.email);
    const tampered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;

    const anonymous = await callerFor(deps);
    expect((await refusal(anonymous.auth.resetPassword({ token: tampered, newPassword: NEW_PASSWORD }))).code).toBe(
      'BAD_REQUEST',
    );
    await anonymous.auth.login({ email: user.email, password: TEST_PASSWORD });
  });

  it("a deactivated account's link is refused", async () => {
    const admin = await registered({ role: 'ADMIN' });
    const user = await registered();
    const token = await resetLink(user.email);
    await admin.caller.admin.users.setActive({ userId: user.id, active: false });

    const anonymous = await callerFor(deps);
    expect((await refusal(anonymous.auth.resetPassword({ token, newPassword: NEW_PASSWORD }))).code).toBe(
      'BAD_REQUEST',
    );
    // Reactivated, it still has its old password: the refused link changed nothing.
    await admin.caller.admin.users.setActive({ userId: user.id, active: true });
    await anonymous.auth.login({ email: user.email, password: TEST_PASSWORD });
  });
});

describe('password change', () => {
  it('mails a "password was changed" notice to the address', async () => {
    const user = await registered();
    await user.caller.auth.changePassword({ currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD });

    const notice = await mailTo(user.email, SUBJECT.notice);
    expect(notice.text).toContain('was changed');
    expect(notice.html).toContain('was changed');
  });
});

describe('the mail rate rule (5 per hour per address)', () => {
  let limited: TestDeps;
  beforeAll(async () => {
    limited = await createTestDeps({ rateLimitMultiplier: 1 });
  });
  afterAll(async () => {
    await limited.close();
  });

  it('refuses the 6th reset request for one address within the hour, and serves another address', async () => {
    const anonymous = await callerFor(limited);
    for (let request = 1; request <= 5; request += 1) {
      await expect(anonymous.auth.requestPasswordReset({ email: 'flooded@example.com' })).resolves.toEqual({
        success: true,
      });
    }

    const refused = await refusal(anonymous.auth.requestPasswordReset({ email: 'flooded@example.com' }));
    expect(refused).toMatchObject({ code: 'RATE_LIMITED' });
    expect(refused.retryAfterSeconds).toBeGreaterThan(0);
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60 * 60);

    await expect(anonymous.auth.requestPasswordReset({ email: 'someone-else@example.com' })).resolves.toEqual({
      success: true,
    });
  });
});
