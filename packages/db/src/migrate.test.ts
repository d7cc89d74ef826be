import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Database } from './connection.js';
import { migrateToLatest } from './migrate.js';
import { migrations } from './migrations/index.js';
import { freshDatabase } from './test-env.js';

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

  it("stop at a migration that fails, naming it and the database's reason", async () => {
    const connect = await freshDatabase();
    const { db } = connect();
    // A table the first migration creates, already there: its CREATE TABLE fails.
    await sql`create table users (id integer)`.execute(db);
    const first = Object.keys(migrations).sort()[0];
    await expect(migrateToLatest(db)).rejects.toThrow(
      new RegExp(`^Migration ${first} failed: .*users.*already exists`),
    );
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
        // @ts-expect-error ROOT is no role: the database's own check must refuse it too
        .values({ ...base, email: 'r@b.co', role: 'ROOT' })
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
