// Real clients pointed at a closed port: how the suites show behaviour while Redis or PostgreSQL is down.
import { createDatabase, type Database, type DB } from '@keel/db';
import { Redis } from 'ioredis';
import type { Kysely } from 'kysely';
import { createRedisSessionState } from '../common/session-state.js';
import { createSessionRecord } from '../modules/auth/session-record.js';

/** Nothing listens on port 1 of the loopback address: every connection attempt is refused at once. */
const CLOSED_PORT = 1;

/**
 * An ioredis client configured as the server configures it (`enableOfflineQueue: false`), for a
 * Redis that is down: every command fails at once instead of queueing. Call `disconnect()` after use.
 */
export function unreachableRedis(): Redis {
  const redis = new Redis({
    host: '127.0.0.1',
    port: CLOSED_PORT,
    lazyConnect: true,
    enableOfflineQueue: false,
    commandTimeout: 1000,
    maxRetriesPerRequest: 0,
  });
  // The reconnect attempts report ECONNREFUSED as events; the commands' own rejections are what tests check.
  redis.on('error', () => {});
  return redis;
}

/** A pg pool for a PostgreSQL that is down. Call `close()` after use. */
export function unreachableDatabase(): Database {
  return createDatabase({ url: `postgres://postgres@127.0.0.1:${CLOSED_PORT}/keel`, connectionTimeoutMs: 1000 });
}

/**
 * The server's Redis session-state store on a Redis that is down: it answers from `db` and reports
 * each degradation into `degraded`. Call `store.close()` after use.
 */
export function sessionStateWithRedisDown(redis: Redis, db: Kysely<DB>) {
  const degraded: string[] = [];
  const store = createRedisSessionState({
    redis,
    prefix: 'keel-test:redis-down:',
    ttlSeconds: 900,
    record: createSessionRecord(db),
    onDegraded: (message) => void degraded.push(message),
  });
  return { store, degraded };
}
