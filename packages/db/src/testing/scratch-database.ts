// A database of a test's own: a new PostgreSQL database on the test server (dropped afterwards),
// or in-memory PGlite when there is none. It starts empty: migrating is the caller's choice.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createDatabase, type Database, type DatabaseOptions } from '../connection.js';
import { testDatabaseUrl } from './env.js';

/** Everything of a connection but where it goes, which the scratch database decides. */
export type ScratchConnectOptions = Omit<DatabaseOptions, 'url' | 'pgliteDir'>;

export interface ScratchDatabase {
  /** Connection string of the database (PostgreSQL only). */
  url: string | undefined;
  /** A connection to it: a new pool each call on PostgreSQL, the one in-memory instance on PGlite. */
  connect(options?: ScratchConnectOptions): Database;
  /** Closes every connection `connect` opened and drops the database. */
  destroy(): Promise<void>;
}

/** Runs one statement on the test server's own database (creating and dropping databases). */
async function onTestServer(server: string, statement: string): Promise<void> {
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  try {
    await admin.query(statement);
  } finally {
    await admin.end();
  }
}

export async function createScratchDatabase(): Promise<ScratchDatabase> {
  const server = testDatabaseUrl;
  if (!server) {
    let pglite: Database | undefined;
    return {
      url: undefined,
      connect: (options = {}) => {
        pglite ??= createDatabase({ ...options, pgliteDir: 'memory' });
        return pglite;
      },
      destroy: async () => pglite?.close(),
    };
  }
  // The process id in the name tells whose run left a database behind.
  const name = `keel_test_${process.pid}_${randomBytes(6).toString('hex')}`;
  await onTestServer(server, `create database "${name}"`);
  // A scratch database never outlives the run, so its commits need not wait for the disk: without
  // this, the suites spend most of their time in fsync (every session of it, child servers' too).
  await onTestServer(server, `alter database "${name}" set synchronous_commit = off`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  const opened: Database[] = [];
  return {
    url: url.toString(),
    connect(options = {}) {
      const database = createDatabase({ ...options, url: url.toString() });
      opened.push(database);
      return database;
    },
    async destroy() {
      for (const database of opened.splice(0)) await database.close();
      await onTestServer(server, `drop database if exists "${name}" with (force)`);
    },
  };
}
