// `pnpm worker`: works the background jobs (mail, clean-up) without serving HTTP, beside servers
// started with JOBS_WORKER=false. It needs DATABASE_URL: the embedded database belongs to the one
// process that opened it, so under PGlite the server works its own jobs.

import { join } from 'node:path';
import { APP_QUEUES, type AppQueues, appJobHandlers, ConfigError, startJobs } from '@keel/api/server';
import { migrateToLatest, openDatabase } from '@keel/db';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { apiConfigOf, mailerOf } from '../mail.js';
import { startupFailureMessage } from '../startup-failure.js';

let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig();
} catch (error) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(1);
}
if (!config.DATABASE_URL) {
  process.stderr.write(
    'pnpm worker needs DATABASE_URL: the embedded database (PGlite) belongs to the server process, which works its own jobs.\n',
  );
  process.exit(1);
}
const logger = createLogger(config.LOG_LEVEL);
try {
  const database = await openDatabase({ url: config.DATABASE_URL, pgliteDir: join(config.DATA_DIR, 'pglite') });
  await migrateToLatest(database.db);
  const apiConfig = apiConfigOf(config);
  const mailer = mailerOf(config, apiConfig, logger);
  const jobs = await startJobs<AppQueues>({ database, queues: APP_QUEUES, logger, maintain: true });
  await jobs.work(appJobHandlers({ db: database.db, mailer, config: apiConfig, logger }));
  logger.info({ mail: mailer.destination, queues: Object.keys(APP_QUEUES) }, 'worker started');
  const stop = async (signal: string) => {
    logger.info({ signal }, 'worker stopping: running jobs finish first');
    await jobs.stop();
    mailer.close();
    await database.close();
    logger.info('worker stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
} catch (error) {
  process.stderr.write(`Worker failed to start: ${startupFailureMessage(error)}\n`);
  process.exit(1);
}
