// Changing the account's address: the link goes to the new address (received by a real SMTP server),
// a notice to the old one, and the address changes only when the link is followed.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mailer } from '../../common/mailer.js';
import {
  callerFor,
  createTestDeps,
  createUser,
  linkToken,
  type ReceivedMail,
  refusal,
  startTestSmtpServer,
  TEST_PASSWORD,
  TEST_PUBLIC_URL,
  type TestDeps,
  type TestSmtpServer,
  type TestUser,
  testMailer,
  workAppJobs,
} from '../../testing/index.js';
import { hashLinkToken } from './account.service.js';

const SUBJECT = {
  link: 'Confirm your new email address for Keel',
  requested: 'A change of your Keel email address was asked for',
  changed: 'Your Keel email address was changed',
  verification: 'Confirm your email address for Keel',
  reset: 'Reset your Keel password',
};
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

const newAddress = () => `moved-${randomBytes(5).toString('hex')}@example.org`;
const mailTo = (email: string, subject: string) => smtp.next((mail) => mail.to === email && mail.subject === subject);

function tokenOf(mail: ReceivedMail): string {
  const token = linkToken(mail.text, TEST_PUBLIC_URL, '/confirm-email');
  expect(linkToken(mail.html, TEST_PUBLIC_URL, '/confirm-email')).toBe(token);
  return token;
}

/** Asks to move `user` to `newEmail` as the account page does, and reads the link from the mail. */
async function changeLink(user: TestUser, newEmail: string): Promise<string> {
  await user.caller.auth.requestEmailChange({ newEmail, currentPassword: TEST_PASSWORD });
  return tokenOf(await mailTo(newEmail, SUBJECT.link));
}

const confirm = async (token: string) => (await callerFor(deps)).auth.confirmEmailChange({ token });

async function auditOf(userId: string, action: string) {
  return deps.db
    .selectFrom('audit_events')
    .select('metadata')
    .where('target_id', '=', userId)
    .where('action', '=', action)
    .execute();
}

describe('auth.requestEmailChange', () => {
  it('mails a link to the new address and a notice to the old one; nothing changes yet', async () => {
    const user = await createUser(deps);
    const newEmail = newAddress();
    await expect(user.caller.auth.requestEmailChange({ newEmail, currentPassword: TEST_PASSWORD })).resolves.toEqual({
      success: true,
    });

    const link = await mailTo(newEmail, SUBJECT.link);
    expect(link.text).toContain(`${TEST_PUBLIC_URL}/confirm-email?token=`);
    tokenOf(link);
    const notice = await mailTo(user.email, SUBJECT.requested);
    expect(notice.text).toContain(newEmail);
    expect(notice.text).toContain(`${TEST_PUBLIC_URL}/account`);
    expect((await user.caller.auth.me()).email).toBe(user.email);
  });

  it('refuses a wrong current password and mails nothing', async () => {
    const user = await createUser(deps);
    const newEmail = newAddress();
    expect(await refusal(user.caller.auth.requestEmailChange({ newEmail, currentPassword: 'Wr0ng-password' }))).toEqual(
      {
        code: 'BAD_REQUEST',
        message: 'Current password is incorrect',
      },
    );
    // The next request's mails arrive after any the refused one could have queued.
    await changeLink(user, newAddress());
    expect(smtp.received.some((mail) => mail.to === newEmail)).toBe(false);
  });

  it('refuses the address the account already has, on the newEmail field', async () => {
    const user = await createUser(deps);
    expect(
      await refusal(user.caller.auth.requestEmailChange({ newEmail: user.email, currentPassword: TEST_PASSWORD })),
    ).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: [{ field: 'newEmail', message: 'This is already your address' }],
    });
  });

  it("answers the same for another account's address, and mails no one", async () => {
    const user = await createUser(deps);
    const other = await createUser(deps);
    await mailTo(other.email, SUBJECT.verification);
    const before = smtp.received.length;

    await expect(
      user.caller.auth.requestEmailChange({ newEmail: other.email, currentPassword: TEST_PASSWORD }),
    ).resolves.toEqual({ success: true });
    const marker = newAddress();
    await changeLink(user, marker);
    await mailTo(user.email, SUBJECT.requested);

    expect(smtp.received.slice(before).map((mail) => mail.to)).toEqual(expect.arrayContaining([marker, user.email]));
    expect(smtp.received.slice(before).some((mail) => mail.to === other.email)).toBe(false);
    expect(smtp.received.slice(before).filter((mail) => mail.to === user.email)).toHaveLength(1);
  });
});

describe('auth.confirmEmailChange', () => {
  it('moves the account to the new address, verified; sessions stay; the old address is told', async () => {
    const user = await createUser(deps);
    const newEmail = newAddress();
    const token = await changeLink(user, newEmail);

    await expect(confirm(token)).resolves.toEqual({ success: true });

    const me = await user.caller.auth.me();
    expect(me).toMatchObject({ email: newEmail, emailVerified: true });
    // The session that asked is still signed in, and its refresh token still works.
    await expect((await callerFor(deps)).auth.refresh({ refreshToken: user.refreshToken })).resolves.toMatchObject({
      user: { email: newEmail },
    });
    const anonymous = await callerFor(deps);
    await expect(anonymous.auth.login({ email: newEmail, password: TEST_PASSWORD })).resolves.toBeDefined();
    expect((await refusal(anonymous.auth.login({ email: user.email, password: TEST_PASSWORD }))).code).toBe(
      'UNAUTHORIZED',
    );

    const changed = await mailTo(user.email, SUBJECT.changed);
    expect(changed.text).toContain(newEmail);
    expect(await auditOf(user.id, 'auth.email_changed')).toEqual([{ metadata: { from: user.email, to: newEmail } }]);
  });

  it('a link works once', async () => {
    const user = await createUser(deps);
    const token = await changeLink(user, newAddress());
    await confirm(token);

    expect(await refusal(confirm(token))).toEqual({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(INVALID_LINK),
    });
  });

  it('a second request voids the first link', async () => {
    const user = await createUser(deps);
    const first = await changeLink(user, newAddress());
    const secondEmail = newAddress();
    const second = await changeLink(user, secondEmail);

    expect((await refusal(confirm(first))).code).toBe('BAD_REQUEST');
    await confirm(second);
    expect((await user.caller.auth.me()).email).toBe(secondEmail);
  });

  it('an expired or tampered link is refused and changes nothing', async () => {
    const user = await createUser(deps);
    const token = await changeLink(user, newAddress());
    const tampered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    expect((await refusal(confirm(tampered))).code).toBe('BAD_REQUEST');

    await deps.db
      .updateTable('one_time_tokens')
      .set({ expires_at: sql<Date>`now() - interval '1 minute'` })
      .where('token_hash', '=', hashLinkToken(token))
      .execute();
    expect((await refusal(confirm(token))).code).toBe('BAD_REQUEST');
    expect((await user.caller.auth.me()).email).toBe(user.email);
  });

  it('a link of another kind does nothing here, and this link does nothing for verification', async () => {
    const user = await createUser(deps);
    const verifyToken = linkToken(
      (await mailTo(user.email, SUBJECT.verification)).text,
      TEST_PUBLIC_URL,
      '/verify-email',
    );
    const changeToken = await changeLink(user, newAddress());

    expect((await refusal(confirm(verifyToken))).code).toBe('BAD_REQUEST');
    const anonymous = await callerFor(deps);
    expect((await refusal(anonymous.auth.verifyEmail({ token: changeToken }))).code).toBe('BAD_REQUEST');
    expect((await user.caller.auth.me()).emailVerified).toBe(false);
  });

  it('an address taken since the request is a CONFLICT that leaves the link usable', async () => {
    const user = await createUser(deps);
    const newEmail = newAddress();
    const token = await changeLink(user, newEmail);
    const squatter = await createUser(deps, { email: newEmail });

    expect(await refusal(confirm(token))).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/^Another account now uses this address/),
    });
    expect((await user.caller.auth.me()).email).toBe(user.email);

    // Once the address is free again, the same link still works.
    await deps.db.updateTable('users').set({ email: newAddress() }).where('id', '=', squatter.id).execute();
    await expect(confirm(token)).resolves.toEqual({ success: true });
    expect((await user.caller.auth.me()).email).toBe(newEmail);
  });

  it('a reset link sent to the old address no longer works once the address moved', async () => {
    const user = await createUser(deps);
    await (await callerFor(deps)).auth.requestPasswordReset({ email: user.email });
    const resetToken = linkToken((await mailTo(user.email, SUBJECT.reset)).text, TEST_PUBLIC_URL, '/reset-password');
    await confirm(await changeLink(user, newAddress()));

    const refused = await refusal(
      (await callerFor(deps)).auth.resetPassword({ token: resetToken, newPassword: 'N3w-Passw0rd!' }),
    );
    expect(refused).toEqual({ code: 'BAD_REQUEST', message: expect.stringMatching(INVALID_LINK) });
  });
});

describe('the mail rule on email changes (5 per hour per new address)', () => {
  let limited: TestDeps;
  beforeAll(async () => {
    limited = await createTestDeps({ rateLimitMultiplier: 1 });
  });
  afterAll(async () => {
    await limited.close();
  });

  it('refuses the 6th request for one new address within the hour, and serves another address', async () => {
    const user = await createUser(limited);
    const target = newAddress();
    for (let request = 1; request <= 5; request += 1) {
      await user.caller.auth.requestEmailChange({ newEmail: target, currentPassword: TEST_PASSWORD });
    }
    expect(
      (await refusal(user.caller.auth.requestEmailChange({ newEmail: target, currentPassword: TEST_PASSWORD }))).code,
    ).toBe('RATE_LIMITED');
    await expect(
      user.caller.auth.requestEmailChange({ newEmail: newAddress(), currentPassword: TEST_PASSWORD }),
    ).resolves.toEqual({ success: true });
  });
});
