// Two job workers on one PostgreSQL database (two `pnpm worker` processes, say) share the mail
// queue: every reset request is mailed by exactly one of them, so each address gets its mail once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type JobOutcome, type Jobs, startJobs } from '../../common/jobs.js';
import type { Mailer } from '../../common/mailer.js';
import { APP_QUEUES, type AppQueues } from '../../jobs.js';
import {
  callerFor,
  createTestDeps,
  createUser,
  linkToken,
  startTestSmtpServer,
  TEST_PUBLIC_URL,
  type TestDeps,
  type TestSmtpServer,
  testMailer,
  until,
  workAppJobs,
} from '../../testing/index.js';

const RESET = 'Reset your Keel password';
const ACCOUNTS = 20;

let smtp: TestSmtpServer;
let deps: TestDeps;
const workers: { jobs: Jobs<AppQueues>; mailer: Mailer }[] = [];
const outcomes: (JobOutcome & { worker: number })[] = [];

beforeAll(async () => {
  smtp = await startTestSmtpServer();
  // `deps.jobs` only sends, as a server with JOBS_WORKER=false does.
  deps = await createTestDeps();
  for (const worker of [0, 1]) {
    const jobs = await startJobs<AppQueues>({
      database: deps.database,
      queues: APP_QUEUES,
      logger: deps.logger,
      maintain: true,
      pollingIntervalSeconds: 0.5,
    });
    const mailer = testMailer(deps, smtp.url);
    workers.push({ jobs, mailer });
    await workAppJobs(deps, mailer, { jobs, onOutcome: (outcome) => outcomes.push({ ...outcome, worker }) });
  }
});
afterAll(async () => {
  for (const { jobs, mailer } of workers) {
    await jobs.stop(2_000);
    mailer.close();
  }
  await deps.close();
  await smtp.close();
});

describe('two job workers on one database', () => {
  it(`${ACCOUNTS} reset requests for ${ACCOUNTS} accounts: one mail per address, none twice`, async () => {
    const users = await Promise.all(Array.from({ length: ACCOUNTS }, () => createUser(deps)));
    const emails = users.map((user) => user.email).sort();
    // The registrations' verification mails first, so only reset mails are in flight below.
    await Promise.all(emails.map((email) => smtp.next((mail) => mail.to === email && mail.subject !== RESET, 60_000)));

    const anonymous = await callerFor(deps);
    await Promise.all(emails.map((email) => anonymous.auth.requestPasswordReset({ email })));

    const resets = () => outcomes.filter((outcome) => outcome.queue === 'account.password_reset');
    await until(resets, (seen) => seen.length >= ACCOUNTS, 60_000);
    // Every job ran once and succeeded: no attempt is left that could mail again.
    expect(resets().map((outcome) => outcome.outcome)).toEqual(Array(ACCOUNTS).fill('completed'));

    const mails = smtp.received.filter((mail) => mail.subject === RESET);
    expect(mails.map((mail) => mail.to).sort()).toEqual(emails);
    // And each mail carries its own link.
    const tokens = new Set(mails.map((mail) => linkToken(mail.text, TEST_PUBLIC_URL, '/reset-password')));
    expect(tokens.size).toBe(ACCOUNTS);
    // Both workers took part: the queue was really shared, not drained by one of them.
    expect(new Set(resets().map((outcome) => outcome.worker))).toEqual(new Set([0, 1]));
  });
});
