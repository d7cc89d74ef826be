// Durable background jobs on pg-boss, in the application's own database: PostgreSQL through its own
// small pool, or the embedded PGlite instance itself. A job is sent through the caller's Kysely
// transaction (pg-boss's `fromKysely`), so it commits or rolls back with the change that needs it.
// pg-boss keeps the queue, the retries with backoff, the dead letters and the schedules; this file
// only declares Keel's queues and connects them to their handlers.
import type { Database, DB } from '@keel/db';
import type { Kysely } from 'kysely';
import { fromKysely, fromPglite, PgBoss } from 'pg-boss';
import type { Logger } from 'pino';

/** How a queue retries: pg-boss's exponential backoff from `retryDelay` seconds, then its dead letters. */
export interface QueuePolicy {
  retryLimit: number;
  retryDelay: number;
  /** Most seconds a running job may take before pg-boss counts it failed (and retries it). */
  expireInSeconds: number;
  /** A cron schedule (UTC) on which the queue gets one job; for the clean-up queues. */
  cron?: string;
}

/** Every queue: its payload type, and how it retries. */
export type QueueMap = Record<string, unknown>;
export type Handlers<Q extends QueueMap> = { [Name in keyof Q]: (data: Q[Name]) => Promise<void> };

export interface JobOutcome {
  queue: string;
  outcome: 'completed' | 'failed';
}

export interface Jobs<Q extends QueueMap> {
  /** Sends a job in `db`, which is the caller's transaction when it has one: no commit, no job. */
  send<Name extends keyof Q & string>(db: Kysely<DB>, name: Name, data: Q[Name]): Promise<void>;
  /** Works every queue in this process (`JOBS_WORKER`), one job at a time per queue, until `stop`. */
  work(handlers: Handlers<Q>, onOutcome?: (outcome: JobOutcome) => void): Promise<void>;
  /** Jobs waiting per queue (ready, or retrying after a backoff; not active), at most a minute old, for the metrics. */
  waiting(): Promise<Record<string, number>>;
  /** Lets running jobs finish (within `timeoutMs`), then stops; before the database closes. */
  stop(timeoutMs?: number): Promise<void>;
}

export interface JobsOptions<Q extends QueueMap> {
  database: Pick<Database, 'direct'>;
  queues: { [Name in keyof Q]: QueuePolicy };
  logger: Logger;
  /** Runs pg-boss's maintenance and schedules in this process (a worker); a sender only sends. */
  maintain: boolean;
  /** Seconds between polls of an idle queue; lower in tests. */
  pollingIntervalSeconds?: number;
}

const DEAD_LETTERS = 'dead_letters';

/** Starts pg-boss (creating or migrating its schema, `pgboss`) and every queue. */
export async function startJobs<Q extends QueueMap>(options: JobsOptions<Q>): Promise<Jobs<Q>> {
  const { direct } = options.database;
  const common = { supervise: options.maintain, schedule: options.maintain, migrate: true };
  const boss =
    direct.kind === 'pglite'
      ? new PgBoss({ ...common, backend: 'pglite', db: fromPglite(direct.pglite) })
      : // Its own few connections, so the application's pool stays its own. Workers poll (every 2 s):
        // with LISTEN/NOTIFY pg-boss polls only as a slow backstop, and a retry, which nobody
        // notifies, would wait for it.
        new PgBoss({ ...common, connectionString: direct.url, max: 4, application_name: 'keel-jobs' });
  boss.on('error', (error) => options.logger.error({ err: error }, 'job queue error'));
  await boss.start();
  await boss.createQueue(DEAD_LETTERS);
  const names = Object.keys(options.queues) as (keyof Q & string)[];
  for (const name of names) {
    const policy = options.queues[name];
    const queue = {
      retryLimit: policy.retryLimit,
      retryDelay: policy.retryDelay,
      retryBackoff: true,
      expireInSeconds: policy.expireInSeconds,
      deadLetter: DEAD_LETTERS,
    };
    // createQueue leaves an existing queue as it is; updateQueue brings its policy up to date.
    await boss.createQueue(name, queue);
    await boss.updateQueue(name, queue);
    if (options.maintain && policy.cron) await boss.schedule(name, policy.cron, {}, { tz: 'UTC' });
  }

  return {
    async send(db, name, data) {
      await boss.send(name, data as object, { db: fromKysely(db) });
    },
    async work(handlers, onOutcome) {
      for (const name of names) {
        const handler = handlers[name];
        await boss.work<Q[typeof name]>(
          name,
          { pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2 },
          async ([job]) => {
            if (!job) return;
            try {
              await handler(job.data);
              onOutcome?.({ queue: name, outcome: 'completed' });
            } catch (error) {
              options.logger.warn({ err: error, queue: name, jobId: job.id, retry: job.retryCount }, 'job failed');
              onOutcome?.({ queue: name, outcome: 'failed' });
              throw error;
            }
          },
        );
      }
    },
    async waiting() {
      // Not getQueues: its counts are refreshed only by a maintaining process (a worker), so with
      // no worker running they stayed 0 while jobs piled up. `force` recounts a queue whose counts
      // are over a minute old (one aggregate per queue per minute at most, whoever asks).
      const counts = await Promise.all(
        names.map(async (name) => [name, (await boss.getQueueStats(name, { force: true }))[0]?.queuedCount ?? 0]),
      );
      return Object.fromEntries(counts);
    },
    async stop(timeoutMs = 10_000) {
      await boss.stop({ graceful: true, timeout: timeoutMs, close: true });
    },
  };
}
