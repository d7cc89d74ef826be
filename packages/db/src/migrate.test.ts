import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from './connection.js';
import { migrateToLatest } from './migrate.js';
import { migrations } from './migrations/index.js';
import { testDatabaseUrl } from './test-env.js';

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
async function freshDatabase(): Promise<() => Database> {
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

describe('migrations', () => {
  it('apply once when several instances start together', async () => {
    const connect = await freshDatabase();
    const instances = [connect(), connect(), connect()];
    await Promise.all(instances.map((instance) => migrateToLatest(instance.db)));
    const applied = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
      (instances[0] as Database).db,
    );
    expect(applied.rows.map((r) => r.name)).toEqual(Object.keys(migrations).sort());
  });

  it('are idempotent: a second run applies nothing', async () => {
    const connect = await freshDatabase();
    const database = connect();
    await migrateToLatest(database.db);
    const second = await migrateToLatest(database.db);
    expect(second.results).toEqual([]);
  });
});

describe('constraints', () => {
  it('refuse a negative balance, a non-normalized email and an unknown role', async () => {
    const connect = await freshDatabase();
    const { db } = connect();
    await migrateToLatest(db);
    const base = { name: 'X', password_hash: 'h' };
    await expect(
      db
        .insertInto('users')
        .values({ ...base, email: 'a@b.co', balance: -1 })
        .execute(),
    ).rejects.toMatchObject({
      code: '23514',
    });
    await expect(
      db
        .insertInto('users')
        .values({ ...base, email: 'Upper@b.co' })
        .execute(),
    ).rejects.toMatchObject({
      code: '23514',
    });
    await expect(
      db
        .insertInto('users')
        .values({ ...base, email: 'r@b.co', role: 'ROOT' as never })
        .execute(),
    ).rejects.toMatchObject({ code: '23514' });
    await db
      .insertInto('users')
      .values({ ...base, email: 'ok@b.co' })
      .execute();
    await expect(
      db
        .insertInto('users')
        .values({ ...base, email: 'ok@b.co' })
        .execute(),
    ).rejects.toMatchObject({
      code: '23505',
    });
  });
});
