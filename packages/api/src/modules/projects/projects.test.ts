import { randomUUID } from 'node:crypto';
import type { TRPCError } from '@trpc/server';
import { CompiledQuery, type KyselyPlugin, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toPublicError } from '../../common/errors.js';
import { callerFor, createTestDeps, createUser, type TestDeps, type TestUser } from '../../testing/index.js';
import type { LiveEvent } from '../events/events.schema.js';
import { listProjects, type ProjectPageQuery, selectProjectPage } from './projects.repository.js';
import { PROJECT_SORTS, type Project } from './projects.schema.js';
import { listProjectsCompiled } from './projects.statements.js';

let deps: TestDeps;
beforeAll(async () => {
  deps = await createTestDeps();
});
afterAll(async () => {
  await deps.close();
});

async function projectRow(id: string) {
  return deps.db.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst();
}

async function setCreatedAt(id: string, at: string): Promise<void> {
  // created_at is insert-only in the schema types; tests may still rewrite history.
  await sql`update projects set created_at = ${at} where id = ${id}`.execute(deps.db);
}

async function createProjects(user: TestUser, names: string[]): Promise<Project[]> {
  const created: Project[] = [];
  for (const name of names) created.push(await user.caller.projects.create({ name }));
  return created;
}

/** Polls until `check` passes or the deadline is over. */
async function eventually(check: () => void, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

describe('projects.create', () => {
  it('creates a project owned by the caller, name trimmed', async () => {
    const user = await createUser(deps);
    const project = await user.caller.projects.create({ name: '  Apollo  ', description: 'to the moon' });
    expect(project).toMatchObject({ ownerId: user.id, name: 'Apollo', description: 'to the moon' });
    expect(new Date(project.createdAt).toISOString()).toBe(project.createdAt);
    expect(await projectRow(project.id)).toMatchObject({ owner_id: user.id, name: 'Apollo' });
  });

  it('stores a missing description as null', async () => {
    const user = await createUser(deps);
    expect((await user.caller.projects.create({ name: 'Plain' })).description).toBeNull();
  });

  it('ignores an ownerId in the input', async () => {
    const user = await createUser(deps);
    const other = await createUser(deps);
    const input = { name: 'Mine', ownerId: other.id };
    const project = await user.caller.projects.create(input);
    expect(project.ownerId).toBe(user.id);
  });

  it('refuses the same name twice for one owner with CONFLICT', async () => {
    const user = await createUser(deps);
    await user.caller.projects.create({ name: 'Twice' });
    await expect(user.caller.projects.create({ name: ' Twice ' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'A project with this name already exists',
    });
  });

  it('allows the same name for two different owners', async () => {
    const first = await createUser(deps);
    const second = await createUser(deps);
    const a = await first.caller.projects.create({ name: 'Shared Name' });
    const b = await second.caller.projects.create({ name: 'Shared Name' });
    expect(a.id).not.toBe(b.id);
  });

  it.each([{ name: '' }, { name: '   ' }, { name: 'x'.repeat(101) }, { name: 'ok', description: 'x'.repeat(2001) }])(
    'refuses %o with BAD_REQUEST',
    async (input) => {
      const user = await createUser(deps);
      await expect(user.caller.projects.create(input)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    },
  );

  it('refuses a GUEST with FORBIDDEN', async () => {
    const guest = await createUser(deps, { role: 'GUEST' });
    await expect(guest.caller.projects.create({ name: 'Nope' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it.each(["O'Brien; DROP TABLE projects;--", '100%_done', 'back\\slash', 'quote " and $1 and ?'])(
    'stores %s verbatim',
    async (name) => {
      const user = await createUser(deps);
      const project = await user.caller.projects.create({ name });
      expect(project.name).toBe(name);
      expect((await user.caller.projects.get({ id: project.id })).name).toBe(name);
      expect((await projectRow(project.id))?.name).toBe(name);
    },
  );
});

describe('projects ownership', () => {
  it.each(['get', 'update', 'delete'] as const)(
    "refuses %s on another user's project with FORBIDDEN and leaves it unchanged",
    async (action) => {
      const owner = await createUser(deps);
      const intruder = await createUser(deps);
      const project = await owner.caller.projects.create({ name: 'Private', description: 'keep out' });
      const before = await projectRow(project.id);
      const attempt =
        action === 'get'
          ? intruder.caller.projects.get({ id: project.id })
          : action === 'update'
            ? intruder.caller.projects.update({ id: project.id, name: 'Hijacked', description: null })
            : intruder.caller.projects.delete({ id: project.id });
      await expect(attempt).rejects.toMatchObject({ code: 'FORBIDDEN' });
      expect(await projectRow(project.id)).toEqual(before);
    },
  );

  it.each(['get', 'update', 'delete'] as const)('answers %s on a random id with NOT_FOUND', async (action) => {
    const user = await createUser(deps);
    const id = randomUUID();
    const attempt =
      action === 'get'
        ? user.caller.projects.get({ id })
        : action === 'update'
          ? user.caller.projects.update({ id, name: 'x' })
          : user.caller.projects.delete({ id });
    await expect(attempt).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it.each(['get', 'update', 'delete'] as const)(
    'refuses %s with a malformed id as a validation error',
    async (action) => {
      const user = await createUser(deps);
      const id = 'not-a-uuid';
      const attempt =
        action === 'get'
          ? user.caller.projects.get({ id })
          : action === 'update'
            ? user.caller.projects.update({ id, name: 'x' })
            : user.caller.projects.delete({ id });
      const error = await attempt.then(
        () => expect.fail('expected a rejection'),
        (e: unknown) => e,
      );
      expect(error).toMatchObject({ code: 'BAD_REQUEST' });
      expect(toPublicError(error as TRPCError)).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ field: 'id' }] });
    },
  );

  it("lets an ADMIN get, update and delete another user's project", async () => {
    const owner = await createUser(deps);
    const admin = await createUser(deps, { role: 'ADMIN' });
    const project = await owner.caller.projects.create({ name: 'Moderated' });
    expect((await admin.caller.projects.get({ id: project.id })).id).toBe(project.id);
    const updated = await admin.caller.projects.update({ id: project.id, name: 'Moderated (edited)' });
    expect(updated).toMatchObject({ name: 'Moderated (edited)', ownerId: owner.id });
    expect(await admin.caller.projects.delete({ id: project.id })).toEqual({ success: true });
    expect(await projectRow(project.id)).toBeUndefined();
  });

  it('lets a GUEST list and get its own projects', async () => {
    const guest = await createUser(deps, { role: 'GUEST' });
    // A guest keeps what it owned as a USER; here the row is written directly.
    const row = await deps.db
      .insertInto('projects')
      .values({ owner_id: guest.id, name: 'Guest Owned' })
      .returningAll()
      .executeTakeFirstOrThrow();
    expect((await guest.caller.projects.get({ id: row.id })).name).toBe('Guest Owned');
    const page = await guest.caller.projects.list({});
    expect(page.items.map((p) => p.id)).toEqual([row.id]);
  });

  it.each(['update', 'delete'] as const)('refuses %s by a GUEST on its own project with FORBIDDEN', async (action) => {
    const guest = await createUser(deps, { role: 'GUEST' });
    const row = await deps.db
      .insertInto('projects')
      .values({ owner_id: guest.id, name: 'Read Only' })
      .returningAll()
      .executeTakeFirstOrThrow();
    const attempt =
      action === 'update'
        ? guest.caller.projects.update({ id: row.id, name: 'x' })
        : guest.caller.projects.delete({ id: row.id });
    await expect(attempt).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('refuses an anonymous caller with UNAUTHORIZED', async () => {
    const anonymous = await callerFor(deps);
    await expect(anonymous.projects.list({})).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});

describe('projects.update', () => {
  it('renames and clears the description', async () => {
    const user = await createUser(deps);
    const project = await user.caller.projects.create({ name: 'Old', description: 'text' });
    const updated = await user.caller.projects.update({ id: project.id, name: 'New', description: null });
    expect(updated).toMatchObject({ id: project.id, name: 'New', description: null, ownerId: user.id });
    expect(updated.updatedAt >= project.updatedAt).toBe(true);
  });

  it('leaves omitted fields as they are', async () => {
    const user = await createUser(deps);
    const project = await user.caller.projects.create({ name: 'Keep', description: 'kept' });
    const updated = await user.caller.projects.update({ id: project.id, name: 'Kept Name' });
    expect(updated.description).toBe('kept');
  });

  it('refuses a rename onto another of the owner’s names with CONFLICT', async () => {
    const user = await createUser(deps);
    await user.caller.projects.create({ name: 'Taken' });
    const project = await user.caller.projects.create({ name: 'Free' });
    await expect(user.caller.projects.update({ id: project.id, name: 'Taken' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'A project with this name already exists',
    });
    expect((await projectRow(project.id))?.name).toBe('Free');
  });

  it('never moves a project to another owner', async () => {
    const user = await createUser(deps);
    const other = await createUser(deps);
    const project = await user.caller.projects.create({ name: 'Staying' });
    const input = { id: project.id, name: 'Still Mine', ownerId: other.id };
    await user.caller.projects.update(input);
    expect((await projectRow(project.id))?.owner_id).toBe(user.id);
  });
});

describe('projects.delete', () => {
  it('deletes the project and writes a project.deleted audit event', async () => {
    const user = await createUser(deps);
    const project = await user.caller.projects.create({ name: 'Doomed' });
    expect(await user.caller.projects.delete({ id: project.id })).toEqual({ success: true });
    expect(await projectRow(project.id)).toBeUndefined();
    const events = await deps.db
      .selectFrom('audit_events')
      .select(['actor_id', 'target_type', 'target_id', 'metadata'])
      .where('action', '=', 'project.deleted')
      .where('target_id', '=', project.id)
      .execute();
    expect(events).toEqual([
      {
        actor_id: user.id,
        target_type: 'project',
        target_id: project.id,
        metadata: { name: 'Doomed', ownerId: user.id },
      },
    ]);
  });

  it('answers a second delete of the same project with NOT_FOUND', async () => {
    const user = await createUser(deps);
    const project = await user.caller.projects.create({ name: 'Once' });
    await user.caller.projects.delete({ id: project.id });
    await expect(user.caller.projects.delete({ id: project.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('writes no audit event when the delete is refused', async () => {
    const owner = await createUser(deps);
    const intruder = await createUser(deps);
    const project = await owner.caller.projects.create({ name: 'Guarded' });
    await expect(intruder.caller.projects.delete({ id: project.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const events = await deps.db.selectFrom('audit_events').select('id').where('target_id', '=', project.id).execute();
    expect(events).toEqual([]);
  });
});

describe('projects live events', () => {
  it('tells the owner about create, update and delete, even when an ADMIN acts', async () => {
    const owner = await createUser(deps);
    const admin = await createUser(deps, { role: 'ADMIN' });
    const received: LiveEvent[] = [];
    const unsubscribe = deps.events.subscribe(owner.id, (event) => received.push(event));
    try {
      const project = await owner.caller.projects.create({ name: 'Watched' });
      await admin.caller.projects.update({ id: project.id, description: 'edited' });
      await owner.caller.projects.delete({ id: project.id });
      await eventually(() => expect(received).toHaveLength(3));
      expect(received.map((e) => ({ type: e.type, userId: e.userId, data: e.data }))).toEqual(
        (['created', 'updated', 'deleted'] as const).map((change) => ({
          type: 'project.changed',
          userId: owner.id,
          data: { projectId: project.id, change },
        })),
      );
    } finally {
      unsubscribe();
    }
  });
});

describe('projects.list', () => {
  it('pages by name: page 3 of 25 at limit 10 holds the last 5', async () => {
    const user = await createUser(deps);
    const names = Array.from({ length: 25 }, (_, i) => `page-${String(i + 1).padStart(2, '0')}`);
    // Created out of order so name order is not creation order.
    await createProjects(user, [...names].reverse());
    const page = await user.caller.projects.list({ page: 3, limit: 10, sort: 'name' });
    expect(page).toMatchObject({ total: 25, page: 3, limit: 10, totalPages: 3 });
    expect(page.items.map((p) => p.name)).toEqual(names.slice(20));
  });

  it('uses page 1, limit 20 and newest first by default', async () => {
    const user = await createUser(deps);
    const created = await createProjects(user, ['d1', 'd2', 'd3']);
    // Explicit timestamps: two quick inserts may share one (PGlite's clock is coarse).
    for (const [i, project] of created.entries()) await setCreatedAt(project.id, `2024-01-0${i + 1}T00:00:00.000Z`);
    const page = await user.caller.projects.list({});
    expect(page).toMatchObject({ page: 1, limit: 20, total: 3, totalPages: 1 });
    expect(page.items.map((p) => p.id)).toEqual(created.map((p) => p.id).reverse());
  });

  it('returns an empty page past the end with the right total', async () => {
    const user = await createUser(deps);
    await createProjects(user, ['only']);
    expect(await user.caller.projects.list({ page: 5, limit: 10 })).toEqual({
      items: [],
      total: 1,
      page: 5,
      limit: 10,
      totalPages: 1,
    });
  });

  describe('sorts', () => {
    let user: TestUser;
    let created: Project[];
    beforeAll(async () => {
      user = await createUser(deps);
      const projects = await createProjects(user, ['delta', 'alpha', 'echo', 'charlie', 'bravo']);
      // Whole-second timestamps so JavaScript compares them as PostgreSQL does; echo and bravo
      // share one so the id tiebreak is exercised.
      const days = { delta: '03', alpha: '01', echo: '02', charlie: '04', bravo: '02' } as Record<string, string>;
      for (const project of projects) await setCreatedAt(project.id, `2024-01-${days[project.name]}T00:00:00.000Z`);
      created = (await user.caller.projects.list({ limit: 100 })).items;
    });

    const byCreated = (a: Project, b: Project) => compare(a.createdAt, b.createdAt) || compare(a.id, b.id);
    const byName = (a: Project, b: Project) => compare(a.name, b.name) || compare(a.id, b.id);

    it.each([
      ['createdAt', byCreated],
      ['-createdAt', (a: Project, b: Project) => byCreated(b, a)],
      ['name', byName],
      ['-name', (a: Project, b: Project) => byName(b, a)],
    ] as const)('orders by %s with id as the tiebreak', async (sort, order) => {
      const page = await user.caller.projects.list({ sort, limit: 100 });
      expect(page.items.map((p) => p.id)).toEqual([...created].sort(order).map((p) => p.id));
    });
  });

  it('sorts names as people read them, ignoring case and accents', async () => {
    const user = await createUser(deps);
    await createProjects(user, ['Zed', 'émile', 'adam', 'Eve', 'Ärger']);
    const ascending = await user.caller.projects.list({ sort: 'name' });
    expect(ascending.items.map((p) => p.name)).toEqual(['adam', 'Ärger', 'émile', 'Eve', 'Zed']);
    const descending = await user.caller.projects.list({ sort: '-name' });
    expect(descending.items.map((p) => p.name)).toEqual(['Zed', 'Eve', 'émile', 'Ärger', 'adam']);
  });

  it('filters by a case-insensitive name search', async () => {
    const user = await createUser(deps);
    await createProjects(user, ['Red Apple', 'green apple', 'Banana']);
    const page = await user.caller.projects.list({ search: 'APPLE', sort: 'name' });
    expect(page.total).toBe(2);
    expect(page.items.map((p) => p.name).sort()).toEqual(['Red Apple', 'green apple'].sort());
  });

  it.each([
    ['%', ['100%_done']],
    ['_', ['100%_done', 'snake_case']],
    ['\\', ['back\\slash']],
    ["'Brien; DROP", ["O'Brien; DROP TABLE projects;--"]],
  ])('matches the search %s literally', async (search, expected) => {
    const user = await createUser(deps);
    await createProjects(user, ["O'Brien; DROP TABLE projects;--", '100%_done', 'back\\slash', 'snake_case', 'plain']);
    const page = await user.caller.projects.list({ search, sort: 'name' });
    expect(page.items.map((p) => p.name).sort()).toEqual([...expected].sort());
  });

  it('lists only the caller’s projects by default', async () => {
    const user = await createUser(deps);
    const other = await createUser(deps);
    await createProjects(other, ['not yours']);
    const [mine] = await createProjects(user, ['yours']);
    const page = await user.caller.projects.list({});
    expect(page.items.map((p) => p.id)).toEqual([mine?.id]);
  });

  it('refuses scope all for a non-admin with FORBIDDEN', async () => {
    const user = await createUser(deps);
    await expect(user.caller.projects.list({ scope: 'all' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('returns everyone’s projects for an admin with scope all', async () => {
    const first = await createUser(deps, { name: 'Ada Owner' });
    const second = await createUser(deps, { name: 'Bo Owner' });
    const admin = await createUser(deps, { role: 'ADMIN' });
    await createProjects(first, ['scope-all-marker one']);
    await createProjects(second, ['scope-all-marker two']);
    const page = await admin.caller.projects.list({ scope: 'all', search: 'scope-all-marker', sort: 'name' });
    expect(page.items.map((p) => p.ownerId)).toEqual([first.id, second.id]);
    expect(page.total).toBe(2);
    // Rows of different owners can be told apart: each names its owner.
    expect(page.items.map((p) => p.owner)).toEqual([
      { id: first.id, name: 'Ada Owner', email: first.email },
      { id: second.id, name: 'Bo Owner', email: second.email },
    ]);
  });

  it('leaves the owner out of the caller’s own listing (the caller owns every row)', async () => {
    const user = await createUser(deps);
    await createProjects(user, ['mine only']);
    const page = await user.caller.projects.list({});
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).not.toHaveProperty('owner');
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
    await expect(user.caller.projects.list(input)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('runs the same number of SQL statements whatever the page size', async () => {
    const user = await createUser(deps);
    await deps.db
      .insertInto('projects')
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
    expect((await caller.projects.list({ limit: 5 })).items).toHaveLength(5);
    const small = statements;
    statements = 0;
    expect((await caller.projects.list({ limit: 50 })).items).toHaveLength(50);
    expect(statements).toBe(small);
    expect(small).toBe(2);
  });

  it('reads from its compiled statements (projects.statements.ts) what the plain repository reads', async () => {
    const [first, second] = [await createUser(deps), await createUser(deps)];
    await createProjects(first, ['Same a', 'same B', 'other', 'Same%c']);
    await createProjects(second, ['same z', 'Another']);
    // Every shape twice, with other values the second time: they are bound to the statement compiled first.
    const queries: ProjectPageQuery[] = [];
    for (const sort of PROJECT_SORTS) {
      for (const search of [undefined, 'same', 'SAME%']) {
        for (const ownerId of [first.id, undefined, second.id]) {
          queries.push({ ownerId, search, sort, limit: 3, offset: 0 }, { ownerId, search, sort, limit: 2, offset: 1 });
        }
      }
    }
    for (const query of queries) {
      expect(await listProjectsCompiled(deps.db, query), JSON.stringify(query)).toEqual(
        await listProjects(deps.db, query),
      );
    }
  });
});

describe('projects list query plan', () => {
  let planDeps: TestDeps;
  let largeOwnerId: string;
  let smallOwnerId: string;
  beforeAll(async () => {
    planDeps = await createTestDeps();
    largeOwnerId = (await createUser(planDeps)).id;
    await sql`insert into projects (owner_id, name)
      select ${largeOwnerId}, 'bulk-' || g from generate_series(1, 10000) as g`.execute(planDeps.db);
    for (let i = 0; i < 3; i++) {
      smallOwnerId = (await createUser(planDeps)).id;
      await sql`insert into projects (owner_id, name)
        select ${smallOwnerId}, 'other-' || g from generate_series(1, 200) as g`.execute(planDeps.db);
    }
    await sql`analyze projects`.execute(planDeps.db);
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

  it.each(SORTS)('reads the first page of a 10 000-project owner sorted by %s through an index', async (sort) => {
    const plan = await explain(selectProjectPage(planDeps.db, { ownerId: largeOwnerId, sort, limit: 20, offset: 0 }));
    expect(plan).toMatch(/Index (Only )?Scan( Backward)? using projects_\w+ on projects/);
    expect(plan).not.toMatch(/Seq Scan on projects/);
  });

  it.each(SORTS)('reads a small owner’s page sorted by %s through an owner index', async (sort) => {
    const plan = await explain(selectProjectPage(planDeps.db, { ownerId: smallOwnerId, sort, limit: 20, offset: 0 }));
    expect(plan).toMatch(/Index (Only )?Scan( Backward)? using projects_owner\w* on projects/);
    expect(plan).not.toMatch(/Seq Scan on projects/);
  });

  it('counts a small owner’s projects through an owner index', async () => {
    const plan = await explain(
      planDeps.db
        .selectFrom('projects')
        .select((eb) => eb.fn.countAll().as('count'))
        .where('owner_id', '=', smallOwnerId),
    );
    expect(plan).toMatch(/projects_owner/);
  });
});
