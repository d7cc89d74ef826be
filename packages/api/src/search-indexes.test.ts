// The statements every search procedure sends are served by the pg_trgm indexes, not a scan of the table.
import { CompiledQuery, type LogEvent, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startJobs } from './common/jobs.js';
import type { AppDeps } from './context.js';
import { APP_QUEUES, type AppQueues } from './jobs.js';
import {
  callerFor,
  createTestDatabase,
  createTestDeps,
  createUser,
  type TestDatabase,
  type TestDeps,
  type TestUser,
} from './testing/index.js';

/** Statements the recording connection ran, with their parameters, exactly as the repositories built them. */
const sent: CompiledQuery[] = [];
const record = (event: LogEvent) => {
  if (event.level === 'query') sent.push(event.query);
};

let base: TestDeps;
let database: TestDatabase;
let deps: AppDeps;
let admin: TestUser;

beforeAll(async () => {
  base = await createTestDeps();
  // The test's own database, on a connection that records what it runs.
  database = await createTestDatabase({ log: record });
  // Registering sends a job in its transaction: the queue's tables must be in this database too.
  const jobs = await startJobs<AppQueues>({ database, queues: APP_QUEUES, logger: base.logger, maintain: false });
  deps = { ...base, db: database.db, jobs };
  admin = await createUser(deps, { role: 'ADMIN' });
  // Enough rows that a table scan is a real alternative the planner has to beat.
  await sql`
    insert into users (email, name, password_hash)
    select 'person' || g || '@example.com', 'Person Number ' || g, 'x' from generate_series(1, 2000) g
  `.execute(deps.db);
  await sql`
    insert into projects (owner_id, name)
    select ${admin.id}, 'Project Number ' || g from generate_series(1, 2000) g
  `.execute(deps.db);
  // Rows inserted after CREATE INDEX wait in GIN's pending list until a vacuum; the planner prices that list as a scan.
  await sql`vacuum analyze users`.execute(deps.db);
  await sql`vacuum analyze projects`.execute(deps.db);
});

afterAll(async () => {
  await deps?.jobs.stop(2_000);
  await database?.destroy();
  await base?.close();
});

/** The plan PostgreSQL chooses for `statement`, with plain table scans priced out of reach. */
async function planOf(statement: CompiledQuery): Promise<string> {
  return deps.db.transaction().execute(async (trx) => {
    await sql`set local enable_seqscan = off`.execute(trx);
    const result = await trx.executeQuery<Record<string, string>>(
      CompiledQuery.raw(`explain ${statement.sql}`, [...statement.parameters]),
    );
    return result.rows.map((row) => Object.values(row).join('')).join('\n');
  });
}

/** Runs `call` as the admin and returns the statements it sent that search. */
async function searchStatements(call: (caller: Caller) => Promise<unknown>): Promise<CompiledQuery[]> {
  const caller = await callerFor(deps, { accessToken: admin.accessToken });
  sent.length = 0;
  await call(caller);
  return sent.filter((statement) => /ilike/i.test(statement.sql));
}

describe('search statements use the trigram indexes', () => {
  it.each([
    [
      'users.search',
      (c: Caller) => c.users.search({ query: 'zebra' }),
      ['users_name_trgm_idx', 'users_email_trgm_idx'],
    ],
    [
      'admin.users.list with a search',
      (c: Caller) => c.admin.users.list({ search: 'zebra' }),
      ['users_name_trgm_idx', 'users_email_trgm_idx'],
    ],
    [
      'projects.list of every owner with a search',
      (c: Caller) => c.projects.list({ scope: 'all', search: 'zebra' }),
      ['projects_name_trgm_idx'],
    ],
  ])('%s', async (_name, call, indexes) => {
    const statements = await searchStatements(call);
    expect(statements.length).toBeGreaterThan(0);
    for (const statement of statements) {
      const plan = await planOf(statement);
      for (const index of indexes) expect(plan).toContain(`Bitmap Index Scan on ${index}`);
    }
  });
});

type Caller = Awaited<ReturnType<typeof callerFor>>;
