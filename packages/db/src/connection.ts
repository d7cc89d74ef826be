// Connection factory: Kysely on a pg pool when a URL is given, on embedded PGlite otherwise.
import { channel } from 'node:diagnostics_channel';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Kysely, type KyselyConfig, PGliteDialect, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { lock } from 'proper-lockfile';
import type { DB } from './schema.js';

// int8 (count(*), identity columns) arrives as a string by default; counts here stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));
// pg's own timestamptz parser is postgres-date 1 (regular expressions); version 2 reads the same
// text into the same Date in half the time, and list answers carry two timestamps a row.
// (It is CommonJS whose typings declare an ES default export, hence require.)
const parseTimestamp = createRequire(import.meta.url)('postgres-date') as (text: string) => Date | number;
pg.types.setTypeParser(pg.types.builtins.TIMESTAMPTZ, parseTimestamp);

export interface DatabaseOptions {
  /** PostgreSQL connection string; unset means embedded PGlite. */
  url?: string | undefined;
  /** PGlite data directory; `memory` keeps the database in memory (tests). */
  pgliteDir?: string | 'memory';
  poolMax?: number;
  statementTimeoutMs?: number;
  /** How long to wait for a pool connection before failing; keeps requests from hanging on a dead database. */
  connectionTimeoutMs?: number;
  log?: KyselyConfig['log'];
  /**
   * Publish every statement on `QUERY_CHANNEL` (default true). The host turns it off when nothing
   * will listen (no tracing): Kysely then runs statements without its logging wrapper, an extra
   * async layer and event object per statement.
   */
  publishQueries?: boolean;
}

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface Database {
  db: Kysely<DB>;
  kind: 'postgres' | 'pglite';
  /**
   * The same database for a library that connects by itself (the job queue): PGlite's one instance
   * (its transactions hold the instance, so nothing interleaves with Kysely's), or the URL.
   */
  direct: { kind: 'pglite'; pglite: PGlite } | { kind: 'postgres'; url: string };
  poolStats(): PoolStats;
  ping(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Every statement is published here once it has run (or failed), for tracing to subscribe to
 * without this package knowing about it; nothing is published while no one listens.
 */
export const QUERY_CHANNEL = 'keel:db:query';

export interface QueryEvent {
  sql: string;
  durationMs: number;
  /** Set when the statement failed. */
  error?: unknown;
}

const queryChannel = channel(QUERY_CHANNEL);

// Kysely's log hook sees failed statements too, which a plugin's transformResult never does.
function publishingLog(log: KyselyConfig['log']): KyselyConfig['log'] {
  if (log !== undefined && typeof log !== 'function') return log;
  return (event) => {
    if (queryChannel.hasSubscribers) {
      const published: QueryEvent = { sql: event.query.sql, durationMs: event.queryDurationMillis };
      if (event.level === 'error') published.error = event.error;
      queryChannel.publish(published);
    }
    return log?.(event);
  };
}

/**
 * Opens the database like `createDatabase`, first creating a new PGlite data directory in a worker
 * thread: initdb's own WASM instance (~300 MB) would otherwise stay in this process until a major
 * GC, and the server's memory budget (under 1 GiB at 200 concurrent sign-ins) has no room for it.
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url || !options.pgliteDir || options.pgliteDir === 'memory') return createDatabase(options);
  const release = await lockPgliteDirectory(options.pgliteDir);
  try {
    await initializePgliteDirectory(options.pgliteDir);
    const database = createDatabase(options);
    return {
      ...database,
      async close() {
        try {
          await database.close();
        } finally {
          await release();
        }
      },
    };
  } catch (error) {
    await release();
    throw error;
  }
}

/** Another process holds the PGlite data directory. */
export class DataDirectoryInUseError extends Error {
  constructor(readonly dir: string) {
    super(
      `The embedded database in ${dir} is in use by another process (is the server running on this data directory?). ` +
        'Stop it and run this command again, or use a PostgreSQL server (DATABASE_URL), which any number of processes can share.',
    );
    this.name = 'DataDirectoryInUseError';
  }
}

/**
 * PGlite keeps the database in this process's memory and writes it back on its own schedule: a
 * second process opening the same directory works on its own copy, and whichever writes last wins
 * (a seed run beside the server was lost on the server's next restart). So one process at a time:
 * a lock beside the directory, kept fresh while the process lives and released when it closes the
 * database or exits; a lock a crashed process left goes stale after 2 s (the least proper-lockfile allows).
 */
async function lockPgliteDirectory(dir: string): Promise<() => Promise<void>> {
  mkdirSync(dir, { recursive: true });
  try {
    return await lock(dir, {
      stale: 2_000,
      // A `pnpm dev` restart opens the directory while the previous process is still closing it.
      retries: { retries: 6, minTimeout: 100, maxTimeout: 1_000 },
      // Losing the lock (the file system stalled past `stale`) must not crash a running server.
      onCompromised: () => {},
    });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ELOCKED') throw new DataDirectoryInUseError(dir);
    throw error;
  }
}

async function initializePgliteDirectory(dir: string): Promise<void> {
  if (existsSync(join(dir, 'PG_VERSION'))) return;
  mkdirSync(dir, { recursive: true });
  const worker = new Worker(
    `const { workerData, parentPort } = require('node:worker_threads');
     import(workerData.pgliteUrl)
       .then(({ PGlite }) => PGlite.create(workerData.dir, { startParams: workerData.startParams }))
       .then((pglite) => pglite.close())
       .then(() => parentPort.postMessage('ready'));`,
    {
      eval: true,
      workerData: { dir, pgliteUrl: import.meta.resolve('@electric-sql/pglite'), startParams: pgliteStartParams() },
    },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`PGlite could not initialize ${dir} (worker exited ${code})`)));
    });
  } finally {
    await worker.terminate();
  }
}

export function createDatabase(options: DatabaseOptions): Database {
  const withEvents = options.publishQueries === false ? options : { ...options, log: publishingLog(options.log) };
  if (options.url) return createPostgres(options.url, withEvents);
  return createPglite(withEvents);
}

function createPostgres(url: string, options: DatabaseOptions): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolMax ?? 10,
    statement_timeout: options.statementTimeoutMs ?? 10_000,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 2_000,
    idleTimeoutMillis: 30_000,
  });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), log: options.log });
  return {
    db,
    kind: 'postgres',
    direct: { kind: 'postgres', url },
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    ping: (timeoutMs = 2_000) => withTimeout(sql`select 1`.execute(db), timeoutMs),
    close: () => db.destroy(),
  };
}

// PostgreSQL's default 128 MB of shared buffers lives inside PGlite's WASM heap and is never given
// back; an embedded single-process database needs far less, and the saving keeps the whole server
// (argon2 included) under the 1 GiB budget at 200 concurrent logins.
const PGLITE_SETTINGS = ['-c', 'shared_buffers=16MB', '-c', 'work_mem=2MB', '-c', 'wal_buffers=1MB'];

function pgliteStartParams(): string[] {
  return [...PGlite.defaultStartParams, ...PGLITE_SETTINGS];
}

function createPglite(options: DatabaseOptions): Database {
  const dir = options.pgliteDir ?? 'memory';
  if (dir !== 'memory') mkdirSync(dir, { recursive: true });
  const pglite = new PGlite({
    ...(dir === 'memory' ? {} : { dataDir: dir }),
    startParams: pgliteStartParams(),
    // The trigram indexes of the searches (a 16 kB bundle, a few MB once loaded); a data directory
    // that has them cannot run without it.
    extensions: { pg_trgm },
  });
  const db = new Kysely<DB>({ dialect: new PGliteDialect({ pglite }), log: options.log });
  return {
    db,
    kind: 'pglite',
    direct: { kind: 'pglite', pglite },
    poolStats: () => ({ total: 1, idle: 1, waiting: 0 }),
    ping: (timeoutMs = 2_000) => withTimeout(sql`select 1`.execute(db), timeoutMs),
    close: () => db.destroy(),
  };
}

async function withTimeout(work: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Database did not answer within ${ms} ms`)), ms);
  });
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
