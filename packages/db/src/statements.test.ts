import { describe, expect, it } from 'vitest';
import { migrateToLatest } from './migrate.js';
import { StatementCache } from './statements.js';
import { freshDatabase } from './test-env.js';

async function seededDatabase() {
  const database = (await freshDatabase())();
  await migrateToLatest(database.db);
  const users = await database.db
    .insertInto('users')
    .values([
      { email: 'ada@example.com', name: 'Ada', password_hash: 'h' },
      { email: 'bob@example.com', name: 'Bob', password_hash: 'h', role: 'GUEST' },
      { email: 'cy@example.com', name: 'Cy', password_hash: 'h' },
    ])
    .returning(['id', 'name'])
    .execute();
  return { database, users };
}

describe('StatementCache', () => {
  it('compiles a shape once and binds each call its own values', async () => {
    const { database } = await seededDatabase();
    const cache = new StatementCache();
    let builds = 0;
    const byRole = (role: string, limit: number) =>
      cache.execute(database.db, 'users-by-role', [role, limit], (slot) => {
        builds++;
        return database.db
          .selectFrom('users')
          .select('name')
          .where('role', '=', slot<'USER' | 'GUEST'>(0))
          .where('active', '=', true)
          .orderBy('name')
          .limit(slot<number>(1));
      });
    expect(await byRole('USER', 10)).toEqual([{ name: 'Ada' }, { name: 'Cy' }]);
    expect(await byRole('GUEST', 10)).toEqual([{ name: 'Bob' }]);
    expect(await byRole('USER', 1)).toEqual([{ name: 'Ada' }]);
    expect(builds).toBe(1);
    expect(cache.size).toBe(1);
  });

  it('binds values as parameters: SQL in a value is only text', async () => {
    const { database } = await seededDatabase();
    const cache = new StatementCache();
    const named = (name: string) =>
      cache.execute(database.db, 'by-name', [name], (slot) =>
        database.db.selectFrom('users').select('email').where('name', '=', slot<string>(0)),
      );
    expect(await named("x' or '1'='1")).toEqual([]);
    expect(await named('Bob')).toEqual([{ email: 'bob@example.com' }]);
  });

  it('runs inside a transaction, seeing what it has not committed yet', async () => {
    const { database } = await seededDatabase();
    const cache = new StatementCache();
    const count = await database.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('users').where('name', '=', 'Ada').execute();
      return cache.execute(trx, 'count', [], () =>
        trx.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')),
      );
    });
    expect(Number(count[0]?.n)).toBe(2);
  });

  it('keeps answering past its bound on shapes, compiling the extra ones every time', async () => {
    const { database } = await seededDatabase();
    const cache = new StatementCache(1);
    const select = (shape: string, name: string) =>
      cache.execute(database.db, shape, [name], (slot) =>
        database.db.selectFrom('users').select('name').where('name', '=', slot<string>(0)),
      );
    expect(await select('a', 'Ada')).toEqual([{ name: 'Ada' }]);
    expect(await select('b', 'Bob')).toEqual([{ name: 'Bob' }]);
    expect(await select('b', 'Cy')).toEqual([{ name: 'Cy' }]);
    expect(cache.size).toBe(1);
  });
});
