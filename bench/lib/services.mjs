// The bench's own PostgreSQL database and Redis key prefix: created fresh for a run, removed after it.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';

const env = process.env;
export const POSTGRES_URL = env.BENCH_DATABASE_URL ?? env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = env.BENCH_REDIS_URL ?? env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function withDatabase(url, database) {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function admin(statement) {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** A new, empty database `keel_bench_<random>`; `drop()` removes it. */
export async function createBenchDatabase() {
  const name = `keel_bench_${randomBytes(5).toString('hex')}`;
  await admin(`create database "${name}"`);
  let dropped = false;
  return {
    name,
    url: withDatabase(POSTGRES_URL, name),
    async drop() {
      if (dropped) return;
      dropped = true;
      await admin(`drop database if exists "${name}" with (force)`);
    },
  };
}

/** A unique key prefix; `clear()` deletes every key under it. */
export async function createRedisPrefix() {
  const prefix = `keel-bench:${randomBytes(5).toString('hex')}:`;
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  await redis.ping();
  return {
    prefix,
    url: REDIS_URL,
    async clear() {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.del(...keys);
      } while (cursor !== '0');
    },
    async close() {
      redis.disconnect();
    },
  };
}

/** PIDs of the PostgreSQL backends serving one database (to give them the bench's priority). */
export async function backendPids(database) {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    const { rows } = await client.query('select pid from pg_stat_activity where datname = $1', [database]);
    return rows.map((row) => row.pid);
  } finally {
    await client.end();
  }
}
