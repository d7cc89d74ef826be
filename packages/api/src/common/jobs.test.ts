// The job queue's guarantees, on the database the application uses: a job commits or rolls back
// with the transaction that sent it, a failing job is retried with backoff, and one that never
// succeeds ends in the dead letters.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLogger, createTestDatabase, type TestDatabase, until } from '../testing/index.js';
import { type JobOutcome, type Jobs, startJobs } from './jobs.js';

type TestQueues = {
  'test.delivery': { label: string };
  'test.flaky': { label: string };
  'test.doomed': { label: string };
};

// Retries a second apart (pg-boss doubles it each time), so a test sees them within seconds.
const QUICK = { retryLimit: 2, retryDelay: 1, expireInSeconds: 30 };

let database: TestDatabase;
let jobs: Jobs<TestQueues>;
const worked: { queue: keyof TestQueues; label: string; at: number }[] = [];
const outcomes: JobOutcome[] = [];
/** Attempts of the flaky job that fail before it succeeds. */
const FLAKY_FAILURES = 2;

beforeAll(async () => {
  database = await createTestDatabase();
  jobs = await startJobs<TestQueues>({
    database,
    queues: { 'test.delivery': QUICK, 'test.flaky': QUICK, 'test.doomed': QUICK },
    logger: captureLogger().logger,
    maintain: true,
    pollingIntervalSeconds: 0.5,
  });
  const record = (queue: keyof TestQueues, label: string) => worked.push({ queue, label, at: Date.now() });
  await jobs.work(
    {
      'test.delivery': async ({ label }) => {
        record('test.delivery', label);
      },
      'test.flaky': async ({ label }) => {
        record('test.flaky', label);
        const attempts = worked.filter((entry) => entry.queue === 'test.flaky' && entry.label === label).length;
        if (attempts <= FLAKY_FAILURES) throw new Error(`attempt ${attempts} fails`);
      },
      'test.doomed': async ({ label }) => {
        record('test.doomed', label);
        throw new Error('this job never succeeds');
      },
    },
    (outcome) => outcomes.push(outcome),
  );
});
afterAll(async () => {
  await jobs.stop(2_000);
  await database.destroy();
});

const attemptsOf = (queue: keyof TestQueues, label: string) =>
  worked.filter((entry) => entry.queue === queue && entry.label === label);

describe('jobs', () => {
  it('a job sent in a transaction that rolls back is never delivered', async () => {
    await expect(
      database.db.transaction().execute(async (trx) => {
        await jobs.send(trx, 'test.delivery', { label: 'rolled-back' });
        throw new Error('the change that needed the job failed');
      }),
    ).rejects.toThrow('the change that needed the job failed');
    // Sent after it, so worked after it had it been there: one job at a time, oldest first.
    await database.db.transaction().execute((trx) => jobs.send(trx, 'test.delivery', { label: 'marker' }));

    await until(
      () => attemptsOf('test.delivery', 'marker').length,
      (count) => count === 1,
      15_000,
    );
    expect(worked.filter((entry) => entry.queue === 'test.delivery').map((entry) => entry.label)).toEqual(['marker']);
  });

  it('a job whose handler fails is retried, each time later, and then succeeds', async () => {
    await jobs.send(database.db, 'test.flaky', { label: 'flaky' });

    await until(
      () => outcomes.filter((outcome) => outcome.queue === 'test.flaky'),
      (seen) => seen.some((outcome) => outcome.outcome === 'completed'),
      30_000,
    );
    expect(outcomes.filter((outcome) => outcome.queue === 'test.flaky').map((outcome) => outcome.outcome)).toEqual([
      'failed',
      'failed',
      'completed',
    ]);
    // Backoff: the retries wait at least 1 s, then at least 2 s (retryDelay 1, doubled).
    const [first, second, third] = attemptsOf('test.flaky', 'flaky').map((attempt) => attempt.at);
    expect(third).toBeDefined();
    expect((second ?? 0) - (first ?? 0)).toBeGreaterThanOrEqual(900);
    expect((third ?? 0) - (second ?? 0)).toBeGreaterThanOrEqual(1_900);
    // Nothing of it reached the dead letters.
    const dead = await sql<{ source_name: string }>`
      select source_name from pgboss.job where name = 'dead_letters' and source_name = 'test.flaky'
    `.execute(database.db);
    expect(dead.rows).toEqual([]);
  });

  it('a job that always fails ends in the dead letters after its retries', async () => {
    await jobs.send(database.db, 'test.doomed', { label: 'doomed' });

    const dead = await until(
      async () =>
        (
          await sql<{ data: { label: string }; source_name: string; source_retry_count: number }>`
            select data, source_name, source_retry_count from pgboss.job where name = 'dead_letters'
          `.execute(database.db)
        ).rows,
      (rows) => rows.length > 0,
      30_000,
    );
    expect(dead).toEqual([
      { data: { label: 'doomed' }, source_name: 'test.doomed', source_retry_count: QUICK.retryLimit },
    ]);
    // The first attempt and each of its retries, and no more.
    expect(attemptsOf('test.doomed', 'doomed')).toHaveLength(QUICK.retryLimit + 1);
    const failed = await sql<{ state: string }>`
      select state from pgboss.job where name = 'test.doomed'
    `.execute(database.db);
    expect(failed.rows).toEqual([{ state: 'failed' }]);
  });
});
