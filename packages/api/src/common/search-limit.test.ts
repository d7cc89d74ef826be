import { TRPCError } from '@trpc/server';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  callerFor,
  createTestDeps,
  createUser,
  outcome,
  type TestDeps,
  type TestUser,
  until,
} from '../testing/index.js';
import { unreachableDatabase } from '../testing/unreachable.js';
import { toPublicError } from './errors.js';
import { searchesInFlight } from './search-limit.js';

let deps: TestDeps;
let admin: TestUser;
beforeAll(async () => {
  deps = await createTestDeps();
  admin = await createUser(deps, { role: 'ADMIN' });
});
afterAll(async () => {
  await deps.close();
});

type Caller = TestUser['caller'];

/**
 * Holds `table` locked until the returned release is called: on PostgreSQL every statement reading
 * it waits for the lock, on PGlite every statement waits for the one connection this holds.
 */
async function holdTable(table: 'users' | 'projects'): Promise<() => Promise<void>> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => {
    locked = resolve;
  });
  const transaction = deps.db.transaction().execute(async (trx) => {
    await sql`lock table ${sql.table(table)} in access exclusive mode`.execute(trx);
    locked();
    await released;
  });
  await isLocked;
  return async () => {
    release();
    await transaction;
  };
}

const SEARCHES: [string, 'users' | 'projects', (caller: Caller) => Promise<unknown>][] = [
  ['users.search', 'users', (c) => c.users.search({ query: 'someone' })],
  ['admin.users.list with a search', 'users', (c) => c.admin.users.list({ search: 'someone' })],
  ['projects.list with a search', 'projects', (c) => c.projects.list({ search: 'something' })],
];

describe('searches per user', () => {
  it.each(SEARCHES)(
    '%s: over the bound, the call is refused with 429 RATE_LIMITED and a retry delay',
    async (_name, table, search) => {
      const release = await holdTable(table);
      let held: Promise<string>[] = [];
      try {
        held = Array.from({ length: deps.config.searchesPerUser }, () => outcome(search(admin.caller)));
        await until(
          () => searchesInFlight(admin.id),
          (n) => n === deps.config.searchesPerUser,
        );
        const refused = await search(admin.caller).then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(refused).toBeInstanceOf(TRPCError);
        expect((refused as TRPCError).code).toBe('TOO_MANY_REQUESTS');
        expect(toPublicError(refused as TRPCError)).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 1 });
      } finally {
        await release();
      }
      // The held searches finish normally and give their slots back.
      expect(await Promise.all(held)).toEqual(held.map(() => 'OK'));
      expect(searchesInFlight(admin.id)).toBe(0);
      expect(await outcome(search(admin.caller))).toBe('OK');
    },
  );

  it('the bound is one budget per user across every search procedure, and other users keep theirs', async () => {
    const other = await createUser(deps);
    const release = await holdTable('users');
    let held: Promise<string>[] = [];
    let othersSearch: Promise<string> | undefined;
    try {
      held = [
        outcome(admin.caller.users.search({ query: 'a' })),
        outcome(admin.caller.admin.users.list({ search: 'b' })),
      ];
      await until(
        () => searchesInFlight(admin.id),
        (n) => n === 2,
      );
      expect(await outcome(admin.caller.projects.list({ search: 'c' }))).toBe('TOO_MANY_REQUESTS');
      othersSearch = outcome(other.caller.users.search({ query: 'a' }));
      await until(
        () => searchesInFlight(other.id),
        (n) => n === 1,
      );
    } finally {
      await release();
    }
    expect(await Promise.all([...held, othersSearch])).toEqual(['OK', 'OK', 'OK']);
  });

  it('listing without a search is not bounded', async () => {
    const release = await holdTable('projects');
    let held: Promise<string>[] = [];
    let lists: Promise<string>[] = [];
    try {
      held = [
        outcome(admin.caller.projects.list({ search: 'x' })),
        outcome(admin.caller.projects.list({ search: 'y' })),
      ];
      await until(
        () => searchesInFlight(admin.id),
        (n) => n === 2,
      );
      // A blank search is no search: these wait for the table like any list, none is refused.
      lists = [
        outcome(admin.caller.projects.list({})),
        outcome(admin.caller.projects.list({ search: '   ' })),
        outcome(admin.caller.admin.users.list({})),
      ];
      expect(searchesInFlight(admin.id)).toBe(2);
    } finally {
      await release();
    }
    expect(await Promise.all([...held, ...lists])).toEqual(['OK', 'OK', 'OK', 'OK', 'OK']);
  });

  it('SEARCHES_PER_USER sets the bound', async () => {
    const caller = await callerFor(
      { ...deps, config: { ...deps.config, searchesPerUser: 1 } },
      { accessToken: admin.accessToken },
    );
    const release = await holdTable('users');
    let held: Promise<string> | undefined;
    try {
      held = outcome(caller.users.search({ query: 'someone' }));
      await until(
        () => searchesInFlight(admin.id),
        (n) => n === 1,
      );
      expect(await outcome(caller.users.search({ query: 'someone' }))).toBe('TOO_MANY_REQUESTS');
    } finally {
      await release();
    }
    expect(await held).toBe('OK');
  });

  it('a search that fails gives its slot back', async () => {
    const down = unreachableDatabase();
    try {
      const caller = await callerFor({ ...deps, db: down.db }, { accessToken: admin.accessToken });
      for (let i = 0; i <= deps.config.searchesPerUser; i++) {
        expect(await outcome(caller.users.search({ query: 'someone' }))).toBe('SERVICE_UNAVAILABLE');
      }
      expect(searchesInFlight(admin.id)).toBe(0);
    } finally {
      await down.close();
    }
  });
});
