// The test environment of @keel/db's own tests (its counterpart of a config module), and their
// scratch databases.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach } from 'vitest';
import { createDatabase, type Database } from './connection.js';

export const testDatabaseUrl: string | undefined =
  process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;

const open: Database[] = [];
const dropAfter: string[] = [];

afterEach(async () => {
  while (open.length > 0) await open.pop()?.close();
  for (const name of dropAfter.splice(0)) {
    const admin = new pg.Client({ connectionString: testDatabaseUrl });
    await admin.connect();
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
});

/** A fresh database, and a factory for more connections to the same one. */
export async function freshDatabase(): Promise<() => Database> {
  if (!testDatabaseUrl) {
    const database = createDatabase({ pgliteDir: 'memory' });
    open.push(database);
    return () => database;
  }
  const name = `keel_dbtest_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  dropAfter.push(name);
  const url = new URL(testDatabaseUrl);
  url.pathname = `/${name}`;
  return () => {
    const database = createDatabase({ url: url.toString(), poolMax: 2 });
    open.push(database);
    return database;
  };
}
