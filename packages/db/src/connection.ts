// Connection factory: Kysely on a pg pool when a URL is given, on embedded PGlite otherwise.
import { channel } from 'node:diagnostics_channel';
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, type KyselyConfig, PGliteDialect, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.js';

// int8 (count(*), identity columns) arrives as a string by default; counts here stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));

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
}

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
}

export interface Database {
  db: Kysely<DB>;
  kind: 'postgres' | 'pglite';
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

export function createDatabase(options: DatabaseOptions): Database {
  const withEvents = { ...options, log: publishingLog(options.log) };
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
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    ping: (timeoutMs = 2_000) => withTimeout(sql`select 1`.execute(db), timeoutMs),
    close: () => db.destroy(),
  };
}

function createPglite(options: DatabaseOptions): Database {
  const dir = options.pgliteDir ?? 'memory';
  if (dir !== 'memory') mkdirSync(dir, { recursive: true });
  const pglite = dir === 'memory' ? new PGlite() : new PGlite(dir);
  const db = new Kysely<DB>({ dialect: new PGliteDialect({ pglite }), log: options.log });
  return {
    db,
    kind: 'pglite',
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
