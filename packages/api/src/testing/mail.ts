// Mail in tests: a mailer to a test SMTP server (testing/smtp.ts), and the application's job
// handlers working a jobs instance with it, as a server's worker does.
import type { JobOutcome, Jobs } from '../common/jobs.js';
import { createMailer, type Mailer } from '../common/mailer.js';
import { type AppQueues, appJobHandlers } from '../jobs.js';
import type { TestDeps } from './deps.js';

export const TEST_MAIL_FROM = 'Keel <no-reply@keel.test>';

/** Sends over SMTP to `smtpUrl` (never to an outbox), from TEST_MAIL_FROM. */
export function testMailer(deps: Pick<TestDeps, 'logger'>, smtpUrl: string): Mailer {
  return createMailer({
    smtpUrl,
    from: TEST_MAIL_FROM,
    outboxDir: '/nonexistent',
    logger: deps.logger,
    logLinks: false,
  });
}

/** Works every application queue of `jobs` (the deps' own unless given) with `mailer`. */
export function workAppJobs(
  deps: Pick<TestDeps, 'db' | 'config' | 'logger' | 'jobs'>,
  mailer: Mailer,
  options: { jobs?: Jobs<AppQueues>; onOutcome?: (outcome: JobOutcome) => void } = {},
): Promise<void> {
  const handlers = appJobHandlers({ db: deps.db, mailer, config: deps.config, logger: deps.logger });
  return (options.jobs ?? deps.jobs).work(handlers, options.onOutcome);
}
