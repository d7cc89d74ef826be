// The search-index migration run by a role that may not install extensions: the indexes are
// skipped with a warning, and the migration (and so the server's start) still succeeds.
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDatabase, type Database } from './connection.js';
import { migrateToLatest } from './migrate.js';
import { createScratchDatabase, type ScratchDatabase, testDatabaseUrl } from './testing/index.js';

const role = `keel_no_create_${randomBytes(5).toString('hex')}`;

/** Runs `statements` as the test's superuser, on the database at `url` (default: the test server's). */
async function asSuperuser(statements: string[], url = testDatabaseUrl): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const statement of statements) await client.query(statement);
  } finally {
    await client.end();
  }
}

let scratch: ScratchDatabase;
let opened: Database | undefined;
beforeAll(async () => {
  scratch = await createScratchDatabase();
  await asSuperuser([`create role "${role}" login`]);
  // Enough to create its own tables, not enough to install an extension (CREATE on the database).
  await asSuperuser([`grant create on schema public to "${role}"`], scratch.url);
});
afterAll(async () => {
  await opened?.close();
  await scratch.destroy();
  await asSuperuser([`drop role if exists "${role}"`]);
});

it('the search-index migration skips the indexes when the role may not install pg_trgm', async () => {
  const url = new URL(scratch.url as string);
  url.username = role;
  opened = createDatabase({ url: url.toString(), poolMax: 1 });
  const result = await migrateToLatest(opened.db);
  expect(result.results?.map((r) => [r.migrationName, r.status])).toContainEqual([
    '2026_12_01_2010_add_search_indexes',
    'Success',
  ]);
  const installed = await sql`select extname from pg_extension where extname = 'pg_trgm'`.execute(opened.db);
  expect(installed.rows).toEqual([]);
  const indexes = await sql`select indexname from pg_indexes where indexdef like '%gin_trgm_ops%'`.execute(opened.db);
  expect(indexes.rows).toEqual([]);
});
