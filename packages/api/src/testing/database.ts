// A fresh, migrated database per test file: its own PostgreSQL database, or in-memory PGlite.
import { randomBytes } from 'node:crypto';
import { createDatabase, type Database, type DatabaseOptions, migrateToLatest } from '@keel/db';
import pg from 'pg';
import { testDatabaseUrl } from './env.js';

export interface TestDatabase extends Database {
  /** Connection string of the test database (PostgreSQL only). */
  url: string | undefined;
  /** Closes the connections and drops the database. */
  destroy(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function createTestDatabase(
  options: Omit<DatabaseOptions, 'url' | 'pgliteDir'> = {},
): Promise<TestDatabase> {
  if (!testDatabaseUrl) {
    const database = createDatabase({ ...options, pgliteDir: 'memory' });
    await migrateToLatest(database.db);
    return { ...database, url: undefined, destroy: () => database.close() };
  }
  const name = `keel_test_${process.pid}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  await admin.connect();
  try {
    await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(testDatabaseUrl, name);
  const database = createDatabase({ ...options, url, poolMax: options.poolMax ?? 20 });
  await migrateToLatest(database.db);
  return {
    ...database,
    url,
    async destroy() {
      await database.close();
      const dropper = new pg.Client({ connectionString: testDatabaseUrl });
      await dropper.connect();
      try {
        await dropper.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await dropper.end();
      }
    },
  };
}
