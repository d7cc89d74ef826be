// __items__.*, scoped to a team: the team roles, rows reachable only through their own team,
// creator rules, names per team, pagination, search, sorting, audit and the indexes behind the list.
import { randomUUID } from 'node:crypto';
import type { TeamRole } from '@keel/db';
import type { TRPCError } from '@trpc/server';
import { CompiledQuery, type KyselyPlugin, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toPublicError } from '../../common/errors.js';
import { callerFor, createTestDeps, createUser, outcome, type TestDeps, type TestUser } from '../../testing/index.js';
import { select__Item__Page } from './__itemsKebab__.repository.js';
import type { __Item__ } from './__itemsKebab__.schema.js';

let deps: TestDeps;
beforeAll(async () => {
  deps = await createTestDeps();
});
afterAll(async () => {
  await deps.close();
});

interface TestTeam {
  id: string;
  owner: TestUser;
  admin: TestUser;
  member: TestUser;
  viewer: TestUser;
}

/** A team created by its OWNER through teams.create, with an ADMIN, a MEMBER and a VIEWER added. */
async function createTeam(): Promise<TestTeam> {
  const owner = await createUser(deps);
  const team = await owner.caller.teams.create({ name: `Team ${randomUUID().slice(0, 8)}` });
  const admin = await createUser(deps);
  const member = await createUser(deps);
  const viewer = await createUser(deps);
  await addMember(team.id, admin, 'ADMIN');
  await addMember(team.id, member, 'MEMBER');
  await addMember(team.id, viewer, 'VIEWER');
  return { id: team.id, owner, admin, member, viewer };
}

async function addMember(teamId: string, user: TestUser, role: TeamRole): Promise<void> {
  await deps.db.insertInto('team_members').values({ team_id: teamId, user_id: user.id, role }).execute();
}

async function rowOf(id: string) {
  return deps.db.selectFrom('__table__').selectAll().where('id', '=', id).executeTakeFirst();
}

async function setCreatedAt(id: string, at: string): Promise<void> {
  // created_at is insert-only in the schema types; tests may still rewrite history.
  await sql`update ${sql.table('__table__')} set created_at = ${at} where id = ${id}`.execute(deps.db);
}

async function createMany(user: TestUser, teamId: string, names: string[]): Promise<__Item__[]> {
  const created: __Item__[] = [];
  for (const name of names) created.push(await user.caller.__items__.create({ teamId, name }));
  return created;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

describe('__items__.create', () => {
  it('creates __anItemLabel__ in the team, created by the caller, name trimmed', async () => {
    const team = await createTeam();
    const created = await team.member.caller.__items__.create({
      teamId: team.id,
      name: '  Apollo  ',
      description: 'to the moon',
    });
    expect(created).toMatchObject({ teamId: team.id, createdBy: team.member.id, name: 'Apollo', description: 'to the moon' });
    expect(new Date(created.createdAt).toISOString()).toBe(created.createdAt);
    expect(await rowOf(created.id)).toMatchObject({ team_id: team.id, created_by: team.member.id, name: 'Apollo' });
  });

  it('ignores a createdBy in the input', async () => {
    const team = await createTeam();
    const input = { teamId: team.id, name: 'Mine', createdBy: team.owner.id };
    const created = await team.member.caller.__items__.create(input);
    expect(created.createdBy).toBe(team.member.id);
  });

  it('refuses the same name twice in one team with CONFLICT', async () => {
    const team = await createTeam();
    await team.member.caller.__items__.create({ teamId: team.id, name: 'Twice' });
    await expect(team.admin.caller.__items__.create({ teamId: team.id, name: ' Twice ' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: '__AnItemLabel__ with this name already exists in this team',
    });
  });

  it('allows the same name in two different teams', async () => {
    const first = await createTeam();
    const second = await createTeam();
    const a = await first.member.caller.__items__.create({ teamId: first.id, name: 'Shared Name' });
    const b = await second.member.caller.__items__.create({ teamId: second.id, name: 'Shared Name' });
    expect(a.id).not.toBe(b.id);
  });

  it.each([{ name: '' }, { name: '   ' }, { name: 'x'.repeat(101) }, { name: 'ok', description: 'x'.repeat(2001) }])(
    'refuses %o with BAD_REQUEST',
    async (fields) => {
      const team = await createTeam();
      await expect(team.member.caller.__items__.create({ teamId: team.id, ...fields })).rejects.toMatchObject({
        code: 'BAD_REQUEST',
      });
    },
  );

  it.each(["O'Brien; DROP TABLE __table__;--", '100%_done', 'back\\slash', 'quote " and $1 and ?'])(
    'stores %s verbatim',
    async (name) => {
      const team = await createTeam();
      const created = await team.member.caller.__items__.create({ teamId: team.id, name });
      expect((await team.viewer.caller.__items__.get({ teamId: team.id, id: created.id })).name).toBe(name);
      expect((await rowOf(created.id))?.name).toBe(name);
    },
  );
});

describe('__items__ team roles', () => {
  type Standing = 'owner' | 'admin' | 'member' | 'creator' | 'viewer' | 'otherTeam' | 'nonMember' | 'globalAdmin';
  type Action = 'list' | 'get' | 'create' | 'update' | 'delete';
  type Expected = 'OK' | 'FORBIDDEN' | 'NOT_FOUND';
  // `creator` is a MEMBER who created the row the call acts on; `member` is a MEMBER who did not.
  const TABLE: Record<Action, Record<Standing, Expected>> = {
    list: { owner: 'OK', admin: 'OK', member: 'OK', creator: 'OK', viewer: 'OK', otherTeam: 'NOT_FOUND', nonMember: 'NOT_FOUND', globalAdmin: 'OK' },
    get: { owner: 'OK', admin: 'OK', member: 'OK', creator: 'OK', viewer: 'OK', otherTeam: 'NOT_FOUND', nonMember: 'NOT_FOUND', globalAdmin: 'OK' },
    create: { owner: 'OK', admin: 'OK', member: 'OK', creator: 'OK', viewer: 'FORBIDDEN', otherTeam: 'NOT_FOUND', nonMember: 'NOT_FOUND', globalAdmin: 'FORBIDDEN' },
    update: { owner: 'OK', admin: 'OK', member: 'OK', creator: 'OK', viewer: 'FORBIDDEN', otherTeam: 'NOT_FOUND', nonMember: 'NOT_FOUND', globalAdmin: 'FORBIDDEN' },
    delete: { owner: 'OK', admin: 'OK', member: 'FORBIDDEN', creator: 'OK', viewer: 'FORBIDDEN', otherTeam: 'NOT_FOUND', nonMember: 'NOT_FOUND', globalAdmin: 'FORBIDDEN' },
  };
  const cases = Object.entries(TABLE).flatMap(([action, row]) =>
    Object.entries(row).map(([standing, expected]) => [action as Action, standing as Standing, expected] as const),
  );

  it.each(cases)('%s as %s: %s', async (action, standing, expected) => {
    const team = await createTeam();
    const creator = await createUser(deps);
    await addMember(team.id, creator, 'MEMBER');
    const row = await creator.caller.__items__.create({ teamId: team.id, name: 'Subject', description: 'kept' });
    const before = await rowOf(row.id);
    const otherTeam = await createTeam();
    const callers: Record<Standing, TestUser> = {
      owner: team.owner,
      admin: team.admin,
      member: team.member,
      creator,
      viewer: team.viewer,
      otherTeam: otherTeam.owner,
      nonMember: await createUser(deps),
      globalAdmin: await createUser(deps, { role: 'ADMIN' }),
    };
    const api = callers[standing].caller.__items__;
    const teamId = team.id;
    const call =
      action === 'list'
        ? api.list({ teamId })
        : action === 'get'
          ? api.get({ teamId, id: row.id })
          : action === 'create'
            ? api.create({ teamId, name: 'Added' })
            : action === 'update'
              ? api.update({ teamId, id: row.id, name: 'Renamed' })
              : api.delete({ teamId, id: row.id });
    expect(await outcome(call)).toBe(expected);
    if (expected !== 'OK') {
      // A refused call changed nothing.
      expect(await rowOf(row.id)).toEqual(before);
      const names = await deps.db.selectFrom('__table__').select('name').where('team_id', '=', team.id).execute();
      expect(names).toEqual([{ name: 'Subject' }]);
    }
  });

  it.each(['get', 'update', 'delete'] as const)(
    "answers %s of another team's __itemLabel__ named through the caller's own team with NOT_FOUND",
    async (action) => {
      // The caller owns one team and is a MEMBER of a second: the row is the second team's, the
      // team id the first's. The row's own team decides, not the team id of the input.
      const home = await createTeam();
      const away = await createTeam();
      const row = await away.member.caller.__items__.create({ teamId: away.id, name: 'Away' });
      const before = await rowOf(row.id);
      const api = home.owner.caller.__items__;
      const call =
        action === 'get'
          ? api.get({ teamId: home.id, id: row.id })
          : action === 'update'
            ? api.update({ teamId: home.id, id: row.id, name: 'Taken over' })
            : api.delete({ teamId: home.id, id: row.id });
      expect(await outcome(call)).toBe('NOT_FOUND');
      expect(await rowOf(row.id)).toEqual(before);
    },
  );

  it.each(['get', 'update', 'delete'] as const)('answers %s on a random id with NOT_FOUND', async (action) => {
    const team = await createTeam();
    const api = team.owner.caller.__items__;
    const id = randomUUID();
    const call =
      action === 'get'
        ? api.get({ teamId: team.id, id })
        : action === 'update'
          ? api.update({ teamId: team.id, id, name: 'x' })
          : api.delete({ teamId: team.id, id });
    expect(await outcome(call)).toBe('NOT_FOUND');
  });

  it.each(['get', 'update', 'delete'] as const)('refuses %s with a malformed id as a validation error', async (action) => {
    const team = await createTeam();
    const api = team.owner.caller.__items__;
    const id = 'not-a-uuid';
    const call =
      action === 'get'
        ? api.get({ teamId: team.id, id })
        : action === 'update'
          ? api.update({ teamId: team.id, id, name: 'x' })
          : api.delete({ teamId: team.id, id });
    const error = await call.then(
      () => expect.fail('expected a rejection'),
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'BAD_REQUEST' });
    expect(toPublicError(error as TRPCError)).toMatchObject({ code: 'VALIDATION_ERROR', details: [{ field: 'id' }] });
  });

  it('refuses an anonymous caller with UNAUTHORIZED', async () => {
    const team = await createTeam();
    const anonymous = await callerFor(deps);
    expect(await outcome(anonymous.__items__.list({ teamId: team.id }))).toBe('UNAUTHORIZED');
  });

  it('reads a demotion from the next call on: a MEMBER made VIEWER can no longer edit', async () => {
    const team = await createTeam();
    const row = await team.member.caller.__items__.create({ teamId: team.id, name: 'Before' });
    await team.owner.caller.teams.members.setRole({ teamId: team.id, userId: team.member.id, role: 'VIEWER' });
    expect(await outcome(team.member.caller.__items__.update({ teamId: team.id, id: row.id, name: 'After' }))).toBe(
      'FORBIDDEN',
    );
    expect(await outcome(team.member.caller.__items__.delete({ teamId: team.id, id: row.id }))).toBe('FORBIDDEN');
    expect((await rowOf(row.id))?.name).toBe('Before');
  });

  it('shuts a removed member out: NOT_FOUND from the next call on', async () => {
    const team = await createTeam();
    const row = await team.member.caller.__items__.create({ teamId: team.id, name: 'Left behind' });
    await team.owner.caller.teams.members.remove({ teamId: team.id, userId: team.member.id });
    expect(await outcome(team.member.caller.__items__.get({ teamId: team.id, id: row.id }))).toBe('NOT_FOUND');
  });

  it("audits a global ADMIN's read of a team they are not in", async () => {
    const team = await createTeam();
    const admin = await createUser(deps, { role: 'ADMIN' });
    await admin.caller.__items__.list({ teamId: team.id });
    const events = await deps.db
      .selectFrom('audit_events')
      .select(['actor_id', 'metadata'])
      .where('action', '=', 'team.admin_read')
      .where('target_id', '=', team.id)
      .execute();
    expect(events).toEqual([
      { actor_id: admin.id, metadata: { teamId: team.id, procedure: '__items__.list', asGlobalAdmin: true } },
    ]);
  });
});

describe('__items__.update', () => {
  it("lets a MEMBER rename and clear the description of a teammate's __itemLabel__", async () => {
    const team = await createTeam();
    const created = await team.admin.caller.__items__.create({ teamId: team.id, name: 'Old', description: 'text' });
    const updated = await team.member.caller.__items__.update({
      teamId: team.id,
      id: created.id,
      name: 'New',
      description: null,
    });
    expect(updated).toMatchObject({ id: created.id, name: 'New', description: null, createdBy: team.admin.id });
    expect(updated.updatedAt >= created.updatedAt).toBe(true);
  });

  it('leaves omitted fields as they are', async () => {
    const team = await createTeam();
    const created = await team.member.caller.__items__.create({ teamId: team.id, name: 'Keep', description: 'kept' });
    const updated = await team.member.caller.__items__.update({ teamId: team.id, id: created.id, name: 'Kept Name' });
    expect(updated.description).toBe('kept');
    expect(await team.member.caller.__items__.update({ teamId: team.id, id: created.id })).toMatchObject({
      name: 'Kept Name',
      description: 'kept',
    });
  });

  it('refuses a rename onto another name of the team with CONFLICT', async () => {
    const team = await createTeam();
    await team.member.caller.__items__.create({ teamId: team.id, name: 'Taken' });
    const created = await team.member.caller.__items__.create({ teamId: team.id, name: 'Free' });
    await expect(
      team.member.caller.__items__.update({ teamId: team.id, id: created.id, name: 'Taken' }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await rowOf(created.id))?.name).toBe('Free');
  });
});

describe('__items__.delete', () => {
  it('deletes the __itemLabel__ and writes a __auditAction__ audit event with the team', async () => {
    const team = await createTeam();
    const created = await team.member.caller.__items__.create({ teamId: team.id, name: 'Doomed' });
    expect(await team.admin.caller.__items__.delete({ teamId: team.id, id: created.id })).toEqual({ success: true });
    expect(await rowOf(created.id)).toBeUndefined();
    const events = await deps.db
      .selectFrom('audit_events')
      .select(['actor_id', 'target_type', 'target_id', 'metadata'])
      .where('action', '=', '__auditAction__')
      .where('target_id', '=', created.id)
      .execute();
    expect(events).toEqual([
      {
        actor_id: team.admin.id,
        target_type: '__auditTarget__',
        target_id: created.id,
        metadata: { teamId: team.id, name: 'Doomed', createdBy: team.member.id },
      },
    ]);
  });

  it('keeps the __itemLabel__ when its audit event cannot be written: one transaction', async () => {
    const team = await createTeam();
    const created = await team.member.caller.__items__.create({ teamId: team.id, name: 'Survivor' });
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
    const caller = await callerFor(
      { ...deps, db: deps.db.withPlugin(failAudit) },
      { accessToken: team.member.accessToken },
    );
    expect(await outcome(caller.__items__.delete({ teamId: team.id, id: created.id }))).toBe('INTERNAL_SERVER_ERROR');
    expect(await rowOf(created.id)).toMatchObject({ id: created.id, name: 'Survivor' });
  });

  it('goes with its team: deleting the team deletes its __itemsLabel__', async () => {
    const team = await createTeam();
    const created = await team.member.caller.__items__.create({ teamId: team.id, name: 'Cascaded' });
    await team.owner.caller.teams.delete({ teamId: team.id });
    expect(await rowOf(created.id)).toBeUndefined();
  });

  it("stays with the team when its creator's account is deleted", async () => {
    const team = await createTeam();
    const created = await team.member.caller.__items__.create({ teamId: team.id, name: 'Outlives' });
    await deps.db.deleteFrom('users').where('id', '=', team.member.id).execute();
    expect(await team.viewer.caller.__items__.get({ teamId: team.id, id: created.id })).toMatchObject({
      name: 'Outlives',
      createdBy: null,
    });
  });
});

describe('__items__.list', () => {
  it("lists the team's __itemsLabel__ only", async () => {
    const team = await createTeam();
    const other = await createTeam();
    await createMany(other.member, other.id, ['not this team']);
    const [ours] = await createMany(team.member, team.id, ['this team']);
    const page = await team.viewer.caller.__items__.list({ teamId: team.id });
    expect(page.items.map((item) => item.id)).toEqual([ours?.id]);
    expect(page.total).toBe(1);
  });

  it('pages by name: page 3 of 25 at limit 10 holds the last 5', async () => {
    const team = await createTeam();
    const names = Array.from({ length: 25 }, (_, i) => `page-${String(i + 1).padStart(2, '0')}`);
    // Created out of order so name order is not creation order.
    await createMany(team.member, team.id, [...names].reverse());
    const page = await team.viewer.caller.__items__.list({ teamId: team.id, page: 3, limit: 10, sort: 'name' });
    expect(page).toMatchObject({ total: 25, page: 3, limit: 10, totalPages: 3 });
    expect(page.items.map((item) => item.name)).toEqual(names.slice(20));
  });

  it('uses page 1, limit 20 and newest first by default', async () => {
    const team = await createTeam();
    const created = await createMany(team.member, team.id, ['d1', 'd2', 'd3']);
    // Explicit timestamps: two quick inserts may share one (PGlite's clock is coarse).
    for (const [i, item] of created.entries()) await setCreatedAt(item.id, `2024-01-0${i + 1}T00:00:00.000Z`);
    const page = await team.viewer.caller.__items__.list({ teamId: team.id });
    expect(page).toMatchObject({ page: 1, limit: 20, total: 3, totalPages: 1 });
    expect(page.items.map((item) => item.id)).toEqual(created.map((item) => item.id).reverse());
  });

  describe('sorts', () => {
    let team: TestTeam;
    let created: __Item__[];
    beforeAll(async () => {
      team = await createTeam();
      const items = await createMany(team.member, team.id, ['delta', 'alpha', 'echo', 'charlie', 'bravo']);
      // Whole-second timestamps so JavaScript compares them as PostgreSQL does; echo and bravo
      // share one so the id tiebreak is exercised.
      const days: Record<string, string> = { delta: '03', alpha: '01', echo: '02', charlie: '04', bravo: '02' };
      for (const item of items) await setCreatedAt(item.id, `2024-01-${days[item.name]}T00:00:00.000Z`);
      created = (await team.viewer.caller.__items__.list({ teamId: team.id, limit: 100 })).items;
    });

    const byCreated = (a: __Item__, b: __Item__) => compare(a.createdAt, b.createdAt) || compare(a.id, b.id);
    const byName = (a: __Item__, b: __Item__) => compare(a.name, b.name) || compare(a.id, b.id);

    it.each([
      ['createdAt', byCreated],
      ['-createdAt', (a: __Item__, b: __Item__) => byCreated(b, a)],
      ['name', byName],
      ['-name', (a: __Item__, b: __Item__) => byName(b, a)],
    ] as const)('orders by %s with id as the tiebreak', async (sort, order) => {
      const page = await team.viewer.caller.__items__.list({ teamId: team.id, sort, limit: 100 });
      expect(page.items.map((item) => item.id)).toEqual([...created].sort(order).map((item) => item.id));
    });
  });

  it.each([
    ['APPLE', ['Red Apple', 'green apple']],
    ['%', ['100%_done']],
    ['_', ['100%_done', 'snake_case']],
    ['\\', ['back\\slash']],
  ])('matches the search %s literally and case-insensitively', async (search, expected) => {
    const team = await createTeam();
    await createMany(team.member, team.id, ['Red Apple', 'green apple', '100%_done', 'back\\slash', 'snake_case']);
    const page = await team.viewer.caller.__items__.list({ teamId: team.id, search, sort: 'name' });
    expect(page.items.map((item) => item.name).sort()).toEqual([...expected].sort());
  });

  it.each([{ limit: 101 }, { limit: 0 }, { page: 0 }, { sort: 'owner' }, { search: 'x'.repeat(101) }, { teamId: 'x' }])(
    'refuses %o with BAD_REQUEST',
    async (fields) => {
      const team = await createTeam();
      // @ts-expect-error each input breaks the schema
      const call = team.viewer.caller.__items__.list({ teamId: team.id, ...fields });
      expect(await outcome(call)).toBe('BAD_REQUEST');
    },
  );

  it('runs the same number of SQL statements whatever the page size', async () => {
    const team = await createTeam();
    await deps.db
      .insertInto('__table__')
      .values(Array.from({ length: 60 }, (_, i) => ({ team_id: team.id, created_by: team.member.id, name: `n-${i}` })))
      .execute();
    let statements = 0;
    const counter: KyselyPlugin = {
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        statements++;
        return args.result;
      },
    };
    const caller = await callerFor(
      { ...deps, db: deps.db.withPlugin(counter) },
      { accessToken: team.viewer.accessToken },
    );
    expect((await caller.__items__.list({ teamId: team.id, limit: 5 })).items).toHaveLength(5);
    const small = statements;
    statements = 0;
    expect((await caller.__items__.list({ teamId: team.id, limit: 50 })).items).toHaveLength(50);
    expect(statements).toBe(small);
  });
});

describe('__items__ list query plan', () => {
  let planDeps: TestDeps;
  let largeTeamId: string;
  let smallTeamId: string;
  beforeAll(async () => {
    planDeps = await createTestDeps();
    const newTeam = async () =>
      (await planDeps.db.insertInto('teams').values({ name: 'Plan' }).returning('id').executeTakeFirstOrThrow()).id;
    largeTeamId = await newTeam();
    await sql`insert into ${sql.table('__table__')} (team_id, name)
      select ${largeTeamId}, 'bulk-' || g from generate_series(1, 10000) as g`.execute(planDeps.db);
    for (let i = 0; i < 3; i++) {
      smallTeamId = await newTeam();
      await sql`insert into ${sql.table('__table__')} (team_id, name)
        select ${smallTeamId}, 'other-' || g from generate_series(1, 200) as g`.execute(planDeps.db);
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

  it.each(SORTS)('reads the first page of a 10 000-row team sorted by %s through a team index', async (sort) => {
    const plan = await explain(select__Item__Page(planDeps.db, { teamId: largeTeamId, sort, limit: 20, offset: 0 }));
    expect(plan).toMatch(/Index (Only )?Scan( Backward)? using __table___team\w* on __table__/);
    expect(plan).not.toMatch(/Seq Scan on __table__/);
  });

  it.each(SORTS)('reads a small team’s page sorted by %s through a team index', async (sort) => {
    const plan = await explain(select__Item__Page(planDeps.db, { teamId: smallTeamId, sort, limit: 20, offset: 0 }));
    expect(plan).toMatch(/Index (Only )?Scan( Backward)? using __table___team\w* on __table__/);
    expect(plan).not.toMatch(/Seq Scan on __table__/);
  });
});
