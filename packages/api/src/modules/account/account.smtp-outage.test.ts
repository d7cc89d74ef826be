// A reset mail while the SMTP server is unreachable: the job fails, is retried, and the mail arrives
// exactly once when SMTP answers again, with a link that works. The mailer reaches the test SMTP
// server through a TCP proxy the test closes (connections refused) or stalls (no answer at all).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobOutcome } from '../../common/jobs.js';
import type { Mailer } from '../../common/mailer.js';
import {
  callerFor,
  createTestDeps,
  createUser,
  linkToken,
  startTcpProxy,
  startTestSmtpServer,
  type TcpProxy,
  TEST_PUBLIC_URL,
  type TestDeps,
  type TestSmtpServer,
  type TestUser,
  testMailer,
  until,
  viaProxy,
  workAppJobs,
} from '../../testing/index.js';

const RESET = 'Reset your Keel password';
const NEW_PASSWORD = 'N3w-Passw0rd!';

let smtp: TestSmtpServer;
let proxy: TcpProxy;
let deps: TestDeps;
let mailer: Mailer;
const outcomes: JobOutcome[] = [];

beforeAll(async () => {
  smtp = await startTestSmtpServer();
  proxy = await startTcpProxy({ host: '127.0.0.1', port: smtp.port });
  // Retries a second apart (doubling), so the outage and the recovery fit in a test.
  deps = await createTestDeps({
    queues: { 'account.password_reset': { retryLimit: 5, retryDelay: 1, expireInSeconds: 30 } },
  });
  mailer = testMailer(deps, viaProxy(smtp.url, proxy));
  await workAppJobs(deps, mailer, { onOutcome: (outcome) => outcomes.push(outcome) });
});
afterAll(async () => {
  await deps.close();
  mailer.close();
  await proxy.close();
  await smtp.close();
});

const resetOutcomes = (outcome: JobOutcome['outcome']) =>
  outcomes.filter((entry) => entry.queue === 'account.password_reset' && entry.outcome === outcome).length;

/** A user whose verification mail already went through (while SMTP was reachable). */
async function userWithQuietMailbox(): Promise<TestUser> {
  const user = await createUser(deps);
  await smtp.next((mail) => mail.to === user.email && mail.subject !== RESET);
  return user;
}

/** The reset mail arrives once, after the failures, and its link sets the new password. */
async function expectDeliveredOnceAndWorking(user: TestUser, completedBefore: number): Promise<void> {
  const mail = await smtp.next((candidate) => candidate.to === user.email && candidate.subject === RESET, 30_000);
  await until(
    () => resetOutcomes('completed'),
    (count) => count === completedBefore + 1,
    10_000,
  );
  // The job is done: no attempt is left that could send it again.
  expect(smtp.received.filter((candidate) => candidate.to === user.email && candidate.subject === RESET)).toEqual([
    mail,
  ]);

  const token = linkToken(mail.text, TEST_PUBLIC_URL, '/reset-password');
  const anonymous = await callerFor(deps);
  await expect(anonymous.auth.resetPassword({ token, newPassword: NEW_PASSWORD })).resolves.toEqual({ success: true });
  await anonymous.auth.login({ email: user.email, password: NEW_PASSWORD });
  // The security notice of the reset, so nothing of this test is left in flight.
  await smtp.next((candidate) => candidate.to === user.email && candidate.subject !== RESET);
}

describe('a reset mail during an SMTP outage', () => {
  it('refused connections: the job fails, is retried, and the mail is delivered once SMTP is back', async () => {
    const user = await userWithQuietMailbox();
    const failedBefore = resetOutcomes('failed');
    const completedBefore = resetOutcomes('completed');
    proxy.cut();

    await (await callerFor(deps)).auth.requestPasswordReset({ email: user.email });
    // The first attempt and a retry, both refused.
    await until(
      () => resetOutcomes('failed'),
      (count) => count >= failedBefore + 2,
      20_000,
    );
    expect(smtp.received.some((mail) => mail.to === user.email && mail.subject === RESET)).toBe(false);

    proxy.restore();
    await expectDeliveredOnceAndWorking(user, completedBefore);
  });

  it('a stalled server: the attempt times out instead of holding the worker, and a retry delivers', async () => {
    const user = await userWithQuietMailbox();
    const failedBefore = resetOutcomes('failed');
    const completedBefore = resetOutcomes('completed');
    proxy.pause();

    await (await callerFor(deps)).auth.requestPasswordReset({ email: user.email });
    // The server never greets: the mailer's greeting timeout (10 s) fails the attempt.
    await until(
      () => resetOutcomes('failed'),
      (count) => count >= failedBefore + 1,
      30_000,
    );
    expect(smtp.received.some((mail) => mail.to === user.email && mail.subject === RESET)).toBe(false);

    proxy.resume();
    await expectDeliveredOnceAndWorking(user, completedBefore);
  });
});
