// __items__.*: ownership, roles, pagination, search, sorting, audit and the indexes behind the list.
import { randomUUID } from 'node:crypto';
import type { TRPCError } from '@trpc/server';
import { CompiledQuery, type KyselyPlugin, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toPublicError } from '../../common/errors.js';
import { callerFor, createTestDeps, createUser, type TestDeps, type TestUser } from '../../testing/index.js';
import { select__Item__Page } from './__itemsKebab__.repository.js';
import type { __Item__ } from './__itemsKebab__.schema.js';

let deps: TestDeps;
beforeAll(async () => {
  deps = await createTestDeps();
});
afterAll(async () => {
  await deps.close();
});

async function rowOf(id: string) {
  return deps.db.selectFrom('__table__').selectAll().where('id', '=', id).executeTakeFirst();
}

async function insertOwned(ownerId: string, name: string) {
  return deps.db
    .insertInto('__table__')
    .values({ owner_id: ownerId, name })
    .returningAll()
    .executeTakeFirstOrThrow();
}

async function setCreatedAt(id: string, at: string): Promise<void> {
  // created_at is insert-only in the schema types; tests may still rewrite history.
  await sql`update ${sql.table('__table__')} set created_at = ${at} where id = ${id}`.execute(deps.db);
}

async function createMany(user: TestUser, names: string[]): Promise<__Item__[]> {
  const created: __Item__[] = [];
  for (const name of names) created.push(await user.caller.__items__.create({ name }));
  return created;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

describe('__items__.create', () => {
  it('creates __anItemLabel__ owned by the caller, name trimmed', async () => {
    const user = await createUser(deps);
    const created = await user.caller.__items__.create({ name: '  Apollo  ', description: 'to the moon' });
    expect(created).toMatchObject({ ownerId: user.id, name: 'Apollo', description: 'to the moon' });
    expect(new Date(created.createdAt).toISOString()).toBe(created.createdAt);
    expect(await rowOf(created.id)).toMatchObject({ owner_id: user.id, name: 'Apollo' });
  });

  it('stores a missing description as null', async () => {
    const user = await createUser(deps);
    expect((await user.caller.__items__.create({ name: 'Plain' })).description).toBeNull();
  });

  it('ignores an ownerId in the input', async () => {
    const user = await createUser(deps);
    const other = await createUser(deps);
    const input = { name: 'Mine', ownerId: other.id };
    const created = await user.caller.__items__.create(input);
    expect(created.ownerId).toBe(user.id);
  });

  it('refuses the same name twice for one owner with CONFLICT', async () => {
    const user = await createUser(deps);
    await user.caller.__items__.create({ name: 'Twice' });
    await expect(user.caller.__items__.create({ name: ' Twice ' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: '__AnItemLabel__ with this name already exists',
    });
  });

  it('allows the same name for two different owners', async () => {
    const first = await createUser(deps);
    const second = await createUser(deps);
    const a = await first.caller.__items__.create({ name: 'Shared Name' });
    const b = await second.caller.__items__.create({ name: 'Shared Name' });
    expect(a.id).not.toBe(b.id);
  });

  it.each([{ name: '' }, { name: '   ' }, { name: 'x'.repeat(101) }, { name: 'ok', description: 'x'.repeat(2001) }])(
    'refuses %o with BAD_REQUEST',
    async (input) => {
      const user = await createUser(deps);
      await expect(user.caller.__items__.create(input)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    },
  );

  it('refuses a GUEST with FORBIDDEN', async () => {
    const guest = await createUser(deps, { role: 'GUEST' });
    await expect(guest.caller.__items__.create({ name: 'Nope' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it.each(["O'Brien; DROP TABLE __table__;--", '100%_done', 'back\\slash', 'quote " and $1 and ?'])(
    'stores %s verbatim',
    async (name) => {
      const user = await createUser(deps);
      const created = await user.caller.__items__.create({ name });
      expect(created.name).toBe(name);
      expect((await user.caller.__items__.get({ id: created.id })).name).toBe(name);
      expect((await rowOf(created.id))?.name).toBe(name);
    },
  );
});

describe('__items__ ownership', () => {
  it.each(['get', 'update', 'delete'] as const)(
    "refuses %s on another user's __itemLabel__ with FORBIDDEN and leaves it unchanged",
    async (action) => {
      const owner = await createUser(deps);
      const intruder = await createUser(deps);
      const created = await owner.caller.__items__.create({ name: 'Private', description: 'keep out' });
      const before = await rowOf(created.id);
      const attempt =
        action === 'get'
          ? intruder.caller.__items__.get({ id: created.id })
          : action === 'update'
            ? intruder.caller.__items__.update({ id: created.id, name: 'Hijacked', description: null })
            : intruder.caller.__items__.delete({ id: created.id });
      await expect(attempt).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(await rowOf(created.id)).toEqual(before);
    },
  );

  it.each(['get', 'update', 'delete'] as const)('answers %s on a random id with NOT_FOUND', async (action) => {
    const user = await createUser(deps);
    const id = randomUUID();
    const attempt =
      action === 'get'
        ? user.caller.__items__.get({ id })
        : action === 'update'
          ? user.caller.__items__.update({ id, name: 'x' })
          : user.caller.__items__.delete({ id });
    await expect(attempt).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it.each(['get', 'update', 'delete'] as const)(
    'refuses %s with a malformed id as a validation error',
    async (action) => {
      const user = await createUser(deps);
      const id = 'not-a-uuid';
      const attempt =
        action === 'get'
          ? user.caller.__items__.get({ id })
          : action === 'update'
            ? user.caller.__items__.update({ id, name: 'x' })
            : user.caller.__items__.delete({ id });
      const error = await attempt.then(
        () => expect.fail('expected a rejection'),
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: 'BAD_REQUEST' });
      expect(toPublicError(error as TRPCError)).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ field: 'id' }] });
    },
  );

  it("lets an ADMIN get, update and delete another user's __itemLabel__", async () => {
    const owner = await createUser(deps);
    const admin = await createUser(deps, { role: 'ADMIN' });
    const created = await owner.caller.__items__.create({ name: 'Moderated' });
    expect((await admin.caller.__items__.get({ id: created.id })).id).toBe(created.id);
    const updated = await admin.caller.__items__.update({ id: created.id, name: 'Moderated (edited)' });
    expect(updated).toMatchObject({ name: 'Moderated (edited)', ownerId: owner.id });
    expect(await admin.caller.__items__.delete({ id: created.id })).toEqual({ success: true });
    expect(await rowOf(created.id)).toBeUndefined();
  });

  it('lets a GUEST list and get its own __itemsLabel__', async () => {
    const guest = await createUser(deps, { role: 'GUEST' });
    // A guest keeps what it owned as a USER; here the row is written directly.
    const row = await insertOwned(guest.id, 'Guest Owned');
    expect((await guest.caller.__items__.get({ id: row.id })).name).toBe('Guest Owned');
    const page = await guest.caller.__items__.list({});
    expect(page.items.map((item) => item.id)).toEqual([row.id]);
  });

  it.each(['update', 'delete'] as const)('refuses %s by a GUEST on its own __itemLabel__ with FORBIDDEN', async (action) => {
    const guest = await createUser(deps, { role: 'GUEST' });
    const row = await insertOwned(guest.id, 'Read Only');
    const attempt =
      action === 'update'
        ? guest.caller.__items__.update({ id: row.id, name: 'x' })
        : guest.caller.__items__.delete({ id: row.id });
    await expect(attempt).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(await rowOf(row.id)).toEqual(row);
  });

  it.each(['list', 'get'] as const)('refuses %s by an anonymous caller with UNAUTHORIZED', async (action) => {
    const anonymous = await callerFor(deps);
    const attempt = action === 'list' ? anonymous.__items__.list({}) : anonymous.__items__.get({ id: randomUUID() });
    await expect(attempt).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});

describe('__items__.update', () => {
  it('renames and clears the description', async () => {
    const user = await createUser(deps);
    const created = await user.caller.__items__.create({ name: 'Old', description: 'text' });
    const updated = await user.caller.__items__.update({ id: created.id, name: 'New', description: null });
    expect(updated).toMatchObject({ id: created.id, name: 'New', description: null, ownerId: user.id });
    expect(updated.updatedAt >= created.updatedAt).toBe(true);
  });

  it('leaves omitted fields as they are', async () => {
    const user = await createUser(deps);
    const created = await user.caller.__items__.create({ name: 'Keep', description: 'kept' });
    const updated = await user.caller.__items__.update({ id: created.id, name: 'Kept Name' });
    expect(updated.description).toBe('kept');
  });

  it('refuses a rename onto another of the owner’s names with CONFLICT', async () => {
    const user = await createUser(deps);
    await user.caller.__items__.create({ name: 'Taken' });
    const created = await user.caller.__items__.create({ name: 'Free' });
    await expect(user.caller.__items__.update({ id: created.id, name: 'Taken' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: '__AnItemLabel__ with this name already exists',
    });
    expect((await rowOf(created.id))?.name).toBe('Free');
  });

  it('never moves __anItemLabel__ to another owner', async () => {
    const user = await createUser(deps);
    const other = await createUser(deps);
    const created = await user.caller.__items__.create({ name: 'Staying' });
    const input = { id: created.id, name: 'Still Mine', ownerId: other.id };
    await user.caller.__items__.update(input);
    expect((await rowOf(created.id))?.owner_id).toBe(user.id);
  });
});

describe('__items__.delete', () => {
  it('deletes the __itemLabel__ and writes a __auditAction__ audit event', async () => {
    const user = await createUser(deps);
    const created = await user.caller.__items__.create({ name: 'Doomed' });
    expect(await user.caller.__items__.delete({ id: created.id })).toEqual({ success: true });
    expect(await rowOf(created.id)).toBeUndefined();
    const events = await deps.db
      .selectFrom('audit_events')
      .select(['actor_id', 'target_type', 'target_id', 'metadata'])
      .where('action', '=', '__auditAction__')
      .where('target_id', '=', created.id)
      .execute();
    expect(events).toEqual([
      {
        actor_id: user.id,
        target_type: '__auditTarget__',
        target_id: created.id,
        metadata: { name: 'Doomed', ownerId: user.id },
      },
    ]);
  });

  it('keeps the __itemLabel__ when its audit event cannot be written: one transaction', async () => {
    const user = await createUser(deps);
    const created = await user.caller.__items__.create({ name: 'Survivor' });
    const failAudit: KyselyPlugin = {
      transformQuery: (args) => {
        const node = args.node;
        if (node.kind === 'InsertQueryNode' && JSON.stringify(node.into).includes('"audit_events"')) {
          throw new Error('audit insert refused by the test');
        }
        return node;
      },
      transformResult: async (args) => args.result,
    };
    const caller = await callerFor({ ...deps, db: deps.db.withPlugin(failAudit) }, { accessToken: user.accessToken });
    await expect(caller.__items__.delete({ id: created.id })).rejects.toMatchObject({ code: 'INTERNAL_SERVER_ERROR' });
    expect(await rowOf(created.id)).toMatchObject({ id: created.id, name: 'Survivor' });
  });

  it('answers a second delete of the same __itemLabel__ with NOT_FOUND', async () => {
    const user = await createUser(deps);
    const created = await user.caller.__items__.create({ name: 'Once' });
    await user.caller.__items__.delete({ id: created.id });
    await expect(user.caller.__items__.delete({ id: created.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('writes no audit event when the delete is refused', async () => {
    const owner = await createUser(deps);
    const intruder = await createUser(deps);
    const created = await owner.caller.__items__.create({ name: 'Guarded' });
    await expect(intruder.caller.__items__.delete({ id: created.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const events = await deps.db.selectFrom('audit_events').select('id').where('target_id', '=', created.id).execute();
    expect(events).toEqual([]);
  });
});

describe('__items__.list', () => {
  it('pages by name: page 3 of 25 at limit 10 holds the last 5', async () => {
    const user = await createUser(deps);
    const names = Array.from({ length: 25 }, (_, i) => `page-${String(i + 1).padStart(2, '0')}`);
    // Created out of order so name order is not creation order.
    await createMany(user, [...names].reverse());
    const page = await user.caller.__items__.list({ page: 3, limit: 10, sort: 'name' });
    expect(page).toMatchObject({ total: 25, page: 3, limit: 10, totalPages: 3 });
    expect(page.items.map((item) => item.name)).toEqual(names.slice(20));
  });

  it('uses page 1, limit 20 and newest first by default', async () => {
    const user = await createUser(deps);
    const created = await createMany(user, ['d1', 'd2', 'd3']);
    // Explicit timestamps: two quick inserts may share one (PGlite's clock is coarse).
    for (const [i, item] of created.entries()) await setCreatedAt(item.id, `2024-01-0${i + 1}T00:00:00.000Z`);
    const page = await user.caller.__items__.list({});
    expect(page).toMatchObject({ page: 1, limit: 20, total: 3, totalPages: 1 });
    expect(page.items.map((item) => item.id)).toEqual(created.map((item) => item.id).reverse());
  });

  it('returns an empty page past the end with the right total', async () => {
    const user = await createUser(deps);
    await createMany(user, ['only']);
    expect(await user.caller.__items__.list({ page: 5, limit: 10 })).toEqual({
      items: [],
      total: 1,
      page: 5,
      limit: 10,
      totalPages: 1,
    });
  });

  describe('sorts', () => {
    let user: TestUser;
    let created: __Item__[];
    beforeAll(async () => {
      user = await createUser(deps);
      const items = await createMany(user, ['delta', 'alpha', 'echo', 'charlie', 'bravo']);
      // Whole-second timestamps so JavaScript compares them as PostgreSQL does; echo and bravo
      // share one so the id tiebreak is exercised.
      const days: Record<string, string> = { delta: '03', alpha: '01', echo: '02', charlie: '04', bravo: '02' };
      for (const item of items) await setCreatedAt(item.id, `2024-01-${days[item.name]}T00:00:00.000Z`);
      created = (await user.caller.__items__.list({ limit: 100 })).items;
    });

    const byCreated = (a: __Item__, b: __Item__) => compare(a.createdAt, b.createdAt) || compare(a.id, b.id);
    const byName = (a: __Item__, b: __Item__) => compare(a.name, b.name) || compare(a.id, b.id);

    it.each([
      ['createdAt', byCreated],
      ['-createdAt', (a: __Item__, b: __Item__) => byCreated(b, a)],
      ['name', byName],
      ['-name', (a: __Item__, b: __Item__) => byName(b, a)],
    ] as const)('orders by %s with id as the tiebreak', async (sort, order) => {
      const page = await user.caller.__items__.list({ sort, limit: 100 });
      expect(page.items.map((item) => item.id)).toEqual([...created].sort(order).map((item) => item.id));
    });
  });

  it('filters by a case-insensitive name search', async () => {
    const user = await createUser(deps);
    await createMany(user, ['Red Apple', 'green apple', 'Banana']);
    const page = await user.caller.__items__.list({ search: 'APPLE', sort: 'name' });
    expect(page.total).toBe(2);
    expect(page.items.map((item) => item.name).sort()).toEqual(['Red Apple', 'green apple'].sort());
  });

  it.each([
    ['%', ['100%_done']],
    ['_', ['100%_done', 'snake_case']],
    ['\\', ['back\\slash']],
  ])('matches the search %s literally', async (search, expected) => {
    const user = await createUser(deps);
    await createMany(user, ['100%_done', 'back\\slash', 'snake_case', 'plain']);
    const page = await user.caller.__items__.list({ search, sort: 'name' });
    expect(page.items.map((item) => item.name).sort()).toEqual([...expected].sort());
  });

  it('lists only the caller’s __itemsLabel__ by default', async () => {
    const user = await createUser(deps);
    const other = await createUser(deps);
    await createMany(other, ['not yours']);
    const [mine] = await createMany(user, ['yours']);
    const page = await user.caller.__items__.list({});
    expect(page.items.map((item) => item.id)).toEqual([mine?.id]);
  });

  it('refuses scope all for a non-admin with FORBIDDEN', async () => {
    const user = await createUser(deps);
    await expect(user.caller.__items__.list({ scope: 'all' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('returns everyone’s __itemsLabel__ for an admin with scope all', async () => {
    const first = await createUser(deps);
    const second = await createUser(deps);
    const admin = await createUser(deps, { role: 'ADMIN' });
    await createMany(first, ['scope-all-marker one']);
    await createMany(second, ['scope-all-marker two']);
    const page = await admin.caller.__items__.list({ scope: 'all', search: 'scope-all-marker', sort: 'name' });
    expect(page.items.map((item) => item.ownerId)).toEqual([first.id, second.id]);
    expect(page.total).toBe(2);
  });

  it.each([
    { limit: 101 },
    { limit: 0 },
    { page: 0 },
    { page: 1.5 },
    { sort: 'owner' },
    { scope: 'everyone' },
    { search: 'x'.repeat(101) },
  ])('refuses %o with BAD_REQUEST', async (input) => {
    const user = await createUser(deps);
    // @ts-expect-error each input breaks the schema
    await expect(user.caller.__items__.list(input)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('runs the same number of SQL statements whatever the page size', async () => {
    const user = await createUser(deps);
    await deps.db
      .insertInto('__table__')
      .values(Array.from({ length: 60 }, (_, i) => ({ owner_id: user.id, name: `counted-${i}` })))
      .execute();
    let statements = 0;
    const counter: KyselyPlugin = {
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        statements++;
        return args.result;
      },
    };
    const caller = await callerFor({ ...deps, db: deps.db.withPlugin(counter) }, { accessToken: user.accessToken });
    expect((await caller.__items__.list({ limit: 5 })).items).toHaveLength(5);
    const small = statements;
    statements = 0;
    expect((await caller.__items__.list({ limit: 50 })).items).toHaveLength(50);
    expect(statements).toBe(small);
    expect(small).toBe(2);
  });
});

describe('__items__ list query plan', () => {
  let planDeps: TestDeps;
  let largeOwnerId: string;
  let smallOwnerId: string;
  beforeAll(async () => {
    planDeps = await createTestDeps();
    largeOwnerId = (await createUser(planDeps)).id;
    await sql`insert into ${sql.table('__table__')} (owner_id, name)
      select ${largeOwnerId}, 'bulk-' || g from generate_series(1, 10000) as g`.execute(planDeps.db);
    for (let i = 0; i < 3; i++) {
      smallOwnerId = (await createUser(planDeps)).id;
      await sql`insert into ${sql.table('__table__')} (owner_id, name)
        select ${smallOwnerId}, 'other-' || g from generate_series(1, 200) as g`.execute(planDeps.db);
    }
    await sql`analyze ${sql.table('__table__')}`.execute(planDeps.db);
  });
  afterAll(async () => {
    await planDeps.close();
  });

  async function explain(query: { compile(): CompiledQuery }): Promise<string> {
    const compiled = query.compile();
    const result = await planDeps.db.executeQuery<{ 'QUERY PLAN': string }>(
      CompiledQuery.raw(`explain ${compiled.sql}`, [...compiled.parameters]),
    );
    return result.rows.map((row) => row['QUERY PLAN']).join('\n');
  }

  const SORTS = ['-createdAt', 'createdAt', 'name', '-name'] as const;

  it.each(SORTS)('reads the first page of a 10 000-row owner sorted by %s through an index', async (sort) => {
    const plan = await explain(select__Item__Page(planDeps.db, { ownerId: largeOwnerId, sort, limit: 20, offset: 0 }));
    expect(plan).toMatch(/Index (Only )?Scan( Backward)? using __table___\w+ on __table__/);
    expect(plan).not.toMatch(/Seq Scan on __table__/);
  });

  it.each(SORTS)('reads a small owner’s page sorted by %s through an owner index', async (sort) => {
    const plan = await explain(select__Item__Page(planDeps.db, { ownerId: smallOwnerId, sort, limit: 20, offset: 0 }));
    expect(plan).toMatch(/Index (Only )?Scan( Backward)? using __table___owner\w* on __table__/);
    expect(plan).not.toMatch(/Seq Scan on __table__/);
  });

  it.each(SORTS)('reads the first page of everyone’s rows sorted by %s through an index', async (sort) => {
    const plan = await explain(select__Item__Page(planDeps.db, { sort, limit: 20, offset: 0 }));
    expect(plan).toMatch(/Index (Only )?Scan( Backward)? using __table___\w+ on __table__/);
    expect(plan).not.toMatch(/Seq Scan on __table__/);
  });
});
