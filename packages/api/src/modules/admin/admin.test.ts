import { randomBytes, randomUUID } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toPublicError } from '../../common/errors.js';
import {
  callerFor,
  createTestDeps,
  createUser,
  outcome,
  TEST_PASSWORD,
  type TestDeps,
  type TestUser,
  tokensOf,
  until,
} from '../../testing/index.js';
import type { LiveEvent } from '../events/events.schema.js';

let deps: TestDeps;
beforeAll(async () => {
  deps = await createTestDeps();
});
afterAll(async () => {
  await deps.close();
});

/** Writes an audit event directly, with a chosen time when given. */
async function insertEvent(event: {
  actorId: string | null;
  action: string;
  targetType?: string;
  targetId?: string;
  at?: string;
  metadata?: Record<string, unknown>;
}): Promise<void> {
  await sql`insert into audit_events (actor_id, action, target_type, target_id, at, metadata)
    values (${event.actorId}, ${event.action}, ${event.targetType ?? null}, ${event.targetId ?? null},
      ${event.at ?? new Date().toISOString()}::timestamptz, ${JSON.stringify(event.metadata ?? {})}::jsonb)`.execute(
    deps.db,
  );
}

/** Leaves `keep` as the only active admin, so last-admin rules can be exercised. */
async function makeOnlyActiveAdmins(...keep: TestUser[]): Promise<void> {
  const ids = keep.map((user) => user.id);
  await deps.db
    .updateTable('users')
    .set({ role: 'USER' })
    .where('role', '=', 'ADMIN')
    .where('id', 'not in', ids)
    .execute();
}

describe('admin access', () => {
  it('every admin procedure refuses USER and GUEST callers', async () => {
    const target = await createUser(deps);
    for (const role of ['USER', 'GUEST'] as const) {
      const { caller } = await createUser(deps, { role });
      const calls: [string, () => Promise<unknown>][] = [
        ['users.list', () => caller.admin.users.list()],
        ['users.setRole', () => caller.admin.users.setRole({ userId: target.id, role: 'ADMIN' })],
        ['users.setActive', () => caller.admin.users.setActive({ userId: target.id, active: false })],
        ['credits.grant', () => caller.admin.credits.grant({ userId: target.id, amount: 1, reason: 'x' })],
        ['audit.list', () => caller.admin.audit.list()],
        ['stats', () => caller.admin.stats()],
      ];
      for (const [name, call] of calls) {
        expect([role, name, await outcome(call())]).toEqual([role, name, 'FORBIDDEN']);
      }
    }
    const anonymous = await callerFor(deps);
    expect(await outcome(anonymous.admin.stats())).toBe('UNAUTHORIZED');
  });
});

describe('admin.users.list', () => {
  it('filters by literal search, role and active, sorts and paginates', async () => {
    const tag = `t${randomBytes(4).toString('hex')}`;
    const admin = await createUser(deps, { role: 'ADMIN' });
    const names = ['Carol', 'alice', 'Bob', 'Dave', 'Erin'];
    const created: TestUser[] = [];
    for (const name of names) {
      created.push(
        await createUser(deps, { name: `${tag} ${name}`, email: `${tag}.${name.toLowerCase()}@example.com` }),
      );
    }
    const [carol, , bob] = created;
    if (!carol || !bob) throw new Error('setup');
    await deps.db.updateTable('users').set({ role: 'GUEST' }).where('id', '=', carol.id).execute();
    await deps.db.updateTable('users').set({ active: false }).where('id', '=', bob.id).execute();

    const byName = await admin.caller.admin.users.list({ search: tag, sort: 'name' });
    expect(byName.total).toBe(5);
    // Reading order, case aside: a byte-wise order would put "alice" after "Erin".
    expect(byName.items.map((user) => user.name)).toEqual(
      ['alice', 'Bob', 'Carol', 'Dave', 'Erin'].map((name) => `${tag} ${name}`),
    );
    const byNameDesc = await admin.caller.admin.users.list({ search: tag, sort: '-name' });
    expect(byNameDesc.items.map((user) => user.id)).toEqual([...byName.items].reverse().map((user) => user.id));
    const byEmail = await admin.caller.admin.users.list({ search: tag, sort: 'email' });
    expect(byEmail.items.map((user) => user.email)).toEqual(
      ['alice', 'bob', 'carol', 'dave', 'erin'].map((name) => `${tag}.${name}@example.com`),
    );
    // Default sort: newest first.
    const newest = await admin.caller.admin.users.list({ search: tag });
    expect(newest.items.map((user) => user.id)).toEqual([...created].reverse().map((user) => user.id));

    const page1 = await admin.caller.admin.users.list({ search: tag, sort: 'email', limit: 2, page: 1 });
    const page3 = await admin.caller.admin.users.list({ search: tag, sort: 'email', limit: 2, page: 3 });
    expect(page1).toMatchObject({ total: 5, page: 1, limit: 2, totalPages: 3 });
    expect(page1.items.map((user) => user.email)).toEqual([`${tag}.alice@example.com`, `${tag}.bob@example.com`]);
    expect(page3.items.map((user) => user.email)).toEqual([`${tag}.erin@example.com`]);

    const guests = await admin.caller.admin.users.list({ search: tag, role: 'GUEST' });
    expect(guests.items.map((user) => user.id)).toEqual([carol.id]);
    const inactive = await admin.caller.admin.users.list({ search: tag, active: false });
    expect(inactive.items.map((user) => user.id)).toEqual([bob.id]);
    const activeUsers = await admin.caller.admin.users.list({ search: tag, active: true, role: 'USER' });
    expect(activeUsers.total).toBe(3);
    // Never a hash.
    expect(Object.keys(byName.items[0] ?? {})).not.toContain('passwordHash');
  });

  it('treats % and _ in the search as literal characters', async () => {
    const tag = `t${randomBytes(4).toString('hex')}`;
    const admin = await createUser(deps, { role: 'ADMIN' });
    const percent = await createUser(deps, { name: `${tag} 100%` });
    await createUser(deps, { name: `${tag} 1000` });
    const underscore = await createUser(deps, { name: `${tag} a_b` });
    await createUser(deps, { name: `${tag} axb` });

    const byPercent = await admin.caller.admin.users.list({ search: `${tag} 100%` });
    expect(byPercent.items.map((user) => user.id)).toEqual([percent.id]);
    const byUnderscore = await admin.caller.admin.users.list({ search: `${tag} a_b` });
    expect(byUnderscore.items.map((user) => user.id)).toEqual([underscore.id]);
  });
});

describe('admin.users.setRole', () => {
  it("changes the role and a demoted admin's existing token loses admin procedures at once", async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    const other = await createUser(deps, { role: 'ADMIN' });
    expect(await other.caller.admin.stats()).toBeDefined();

    const updated = await admin.caller.admin.users.setRole({ userId: other.id, role: 'USER' });
    expect(updated).toMatchObject({ id: other.id, role: 'USER' });
    await expect(other.caller.admin.stats()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // Still signed in: only the role changed.
    expect((await other.caller.auth.me()).role).toBe('USER');
    expect(await other.caller.credits.balance()).toEqual({ balance: 0 });

    // And a promotion is effective on the next request just the same.
    const guest = await createUser(deps, { role: 'GUEST' });
    await expect(guest.caller.admin.stats()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await admin.caller.admin.users.setRole({ userId: guest.id, role: 'ADMIN' });
    expect(await guest.caller.admin.stats()).toBeDefined();
  });

  it("tells the user's open dashboards, and only when the role really changed", async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    const target = await createUser(deps);
    const received: LiveEvent[] = [];
    const unsubscribe = deps.events.subscribe(target.id, (event) => received.push(event));
    try {
      await admin.caller.admin.users.setRole({ userId: target.id, role: 'GUEST' });
      await admin.caller.admin.users.setRole({ userId: target.id, role: 'GUEST' });
      await admin.caller.admin.users.setRole({ userId: target.id, role: 'USER' });
      await until(
        async () => received.length,
        (count) => count >= 2,
        2_000,
      );
      expect(received.map((e) => ({ type: e.type, userId: e.userId, data: e.data }))).toEqual(
        (['GUEST', 'USER'] as const).map((role) => ({ type: 'user.role_changed', userId: target.id, data: { role } })),
      );
    } finally {
      unsubscribe();
    }
  });

  it('writes an audit event with actor, target, ip and request id', async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    const target = await createUser(deps);
    const requestId = `req-${randomUUID()}`;
    const caller = await callerFor(deps, { accessToken: admin.accessToken, ip: '203.0.113.7', requestId });
    await caller.admin.users.setRole({ userId: target.id, role: 'GUEST' });

    const page = await admin.caller.admin.audit.list({ userId: admin.id, action: 'admin.role_changed' });
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({
      actorId: admin.id,
      action: 'admin.role_changed',
      targetType: 'user',
      targetId: target.id,
      ip: '203.0.113.7',
      requestId,
      metadata: { from: 'USER', to: 'GUEST' },
    });
  });

  it('refuses to demote the last active admin', async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    await makeOnlyActiveAdmins(admin);
    await expect(admin.caller.admin.users.setRole({ userId: admin.id, role: 'USER' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect((await admin.caller.auth.me()).role).toBe('ADMIN');
    // An inactive admin does not count as a remaining one.
    const inactiveAdmin = await createUser(deps, { role: 'ADMIN' });
    await admin.caller.admin.users.setActive({ userId: inactiveAdmin.id, active: false });
    await expect(admin.caller.admin.users.setRole({ userId: admin.id, role: 'GUEST' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('of two admins demoting each other at the same time, exactly one succeeds', async () => {
    const first = await createUser(deps, { role: 'ADMIN' });
    const second = await createUser(deps, { role: 'ADMIN' });
    await makeOnlyActiveAdmins(first, second);
    const results = await Promise.all([
      outcome(first.caller.admin.users.setRole({ userId: second.id, role: 'USER' })),
      outcome(second.caller.admin.users.setRole({ userId: first.id, role: 'USER' })),
    ]);
    expect(results.sort()).toEqual(['CONFLICT', 'OK']);
    const admins = await deps.db
      .selectFrom('users')
      .select('id')
      .where('role', '=', 'ADMIN')
      .where('active', '=', true)
      .execute();
    expect(admins).toHaveLength(1);
  });

  it('a missing user is NOT_FOUND and a bad role is refused', async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    await expect(admin.caller.admin.users.setRole({ userId: randomUUID(), role: 'USER' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(
      admin.caller.admin.users.setRole({ userId: admin.id, role: 'ROOT' as unknown as 'USER' }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
});

describe('admin.users.setActive', () => {
  it("deactivation ends the user's sessions at once, refuses refresh and login; reactivation allows login", async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    const user = await createUser(deps);
    expect((await user.caller.auth.me()).id).toBe(user.id);

    const deactivated = await admin.caller.admin.users.setActive({ userId: user.id, active: false });
    expect(deactivated).toMatchObject({ id: user.id, active: false });

    await expect(user.caller.auth.me()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    const anonymous = await callerFor(deps);
    await expect(anonymous.auth.refresh({ refreshToken: user.refreshToken })).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
    await expect(anonymous.auth.login({ email: user.email, password: TEST_PASSWORD })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    const sessions = await deps.db.selectFrom('sessions').select('revoked_at').where('user_id', '=', user.id).execute();
    expect(sessions.length).toBeGreaterThan(0);
    expect(sessions.every((row) => row.revoked_at !== null)).toBe(true);

    const reactivated = await admin.caller.admin.users.setActive({ userId: user.id, active: true });
    expect(reactivated.active).toBe(true);
    const payload = tokensOf(await anonymous.auth.login({ email: user.email, password: TEST_PASSWORD }));
    const fresh = await callerFor(deps, { accessToken: payload.accessToken });
    expect((await fresh.auth.me()).id).toBe(user.id);

    const actions = (await admin.caller.admin.audit.list({ userId: admin.id })).items
      .filter((event) => event.targetId === user.id)
      .map((event) => event.action);
    expect(actions).toEqual(['admin.user_activated', 'admin.user_deactivated']);
  });

  it('deactivating an account that is already inactive still ends the sessions it has left', async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    const user = await createUser(deps);
    // Inactive with a live session: what a sign-in that raced an earlier deactivation could leave.
    await deps.db.updateTable('users').set({ active: false }).where('id', '=', user.id).execute();
    expect((await user.caller.auth.me()).id).toBe(user.id);

    const again = await admin.caller.admin.users.setActive({ userId: user.id, active: false });
    expect(again).toMatchObject({ id: user.id, active: false });
    expect(await outcome(user.caller.auth.me())).toBe('UNAUTHORIZED');
    expect(await outcome((await callerFor(deps)).auth.refresh({ refreshToken: user.refreshToken }))).toBe(
      'UNAUTHORIZED',
    );
    await admin.caller.admin.users.setActive({ userId: user.id, active: false });
    const events = await deps.db
      .selectFrom('audit_events')
      .select(['action', 'metadata'])
      .where('target_id', '=', user.id)
      .where('action', '=', 'admin.user_deactivated')
      .execute();
    expect(events).toEqual([{ action: 'admin.user_deactivated', metadata: { revokedSessions: 1 } }]);
  });

  it('refuses to deactivate the last active admin', async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    await makeOnlyActiveAdmins(admin);
    await expect(admin.caller.admin.users.setActive({ userId: admin.id, active: false })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect((await admin.caller.auth.me()).active).toBe(true);
  });
});

describe('admin.credits.grant', () => {
  it('adds to the balance with a grant ledger row, an audit event and a live event', async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    const user = await createUser(deps, { balance: 5 });
    const received: unknown[] = [];
    const unsubscribe = deps.events.subscribe(user.id, (event) => received.push(event));
    try {
      expect(await admin.caller.admin.credits.grant({ userId: user.id, amount: 70, reason: 'welcome' })).toEqual({
        balance: 75,
      });
      expect(await user.caller.credits.balance()).toEqual({ balance: 75 });
      const history = await user.caller.credits.history();
      expect(history.items[0]).toMatchObject({
        direction: 'grant',
        amount: 70,
        note: 'welcome',
        transferId: null,
        balanceAfter: 75,
      });
      const events = await admin.caller.admin.audit.list({ userId: admin.id, action: 'credits.grant' });
      expect(events.items[0]).toMatchObject({
        actorId: admin.id,
        targetType: 'user',
        targetId: user.id,
        metadata: { amount: 70, reason: 'welcome' },
      });
      const deadline = Date.now() + 5_000;
      while (received.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      expect(received[0]).toMatchObject({
        type: 'credits.received',
        userId: user.id,
        data: { amount: 70, balance: 75 },
      });
    } finally {
      unsubscribe();
    }
  });

  it('refuses a missing user and bad amounts', async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    const user = await createUser(deps);
    const cases: [string, () => Promise<unknown>, string][] = [
      [
        'missing user',
        () => admin.caller.admin.credits.grant({ userId: randomUUID(), amount: 1, reason: 'x' }),
        'NOT_FOUND',
      ],
      ['amount 0', () => admin.caller.admin.credits.grant({ userId: user.id, amount: 0, reason: 'x' }), 'BAD_REQUEST'],
      [
        'amount 1.5',
        () => admin.caller.admin.credits.grant({ userId: user.id, amount: 1.5, reason: 'x' }),
        'BAD_REQUEST',
      ],
      [
        'empty reason',
        () => admin.caller.admin.credits.grant({ userId: user.id, amount: 1, reason: ' ' }),
        'BAD_REQUEST',
      ],
      [
        'long reason',
        () => admin.caller.admin.credits.grant({ userId: user.id, amount: 1, reason: 'x'.repeat(201) }),
        'BAD_REQUEST',
      ],
    ];
    for (const [name, call, expected] of cases) {
      expect([name, await outcome(call())]).toEqual([name, expected]);
    }
    expect(await user.caller.credits.balance()).toEqual({ balance: 0 });
  });
});

describe('admin.audit.list', () => {
  it('pages newest first by cursor and filters by user and action', async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    const user = await createUser(deps);
    const anonymous = await callerFor(deps);
    for (let i = 0; i < 4; i += 1) await anonymous.auth.login({ email: user.email, password: TEST_PASSWORD });
    // user: 1 register + 4 logins; noise from somebody else in between.
    await createUser(deps);

    const first = await admin.caller.admin.audit.list({ userId: user.id, limit: 2 });
    const second = await admin.caller.admin.audit.list({ userId: user.id, limit: 2, cursor: first.nextCursor ?? '' });
    const third = await admin.caller.admin.audit.list({ userId: user.id, limit: 2, cursor: second.nextCursor ?? '' });
    expect(third.nextCursor).toBeNull();
    const items = [...first.items, ...second.items, ...third.items];
    expect(items).toHaveLength(5);
    expect(new Set(items.map((event) => event.id)).size).toBe(5);
    expect(items.every((event) => event.actorId === user.id)).toBe(true);
    expect(items.map((event) => event.action)).toEqual([
      'auth.login',
      'auth.login',
      'auth.login',
      'auth.login',
      'auth.register',
    ]);
    const times = items.map((event) => Date.parse(event.at));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    const logins = await admin.caller.admin.audit.list({ userId: user.id, action: 'auth.login' });
    expect(logins.items).toHaveLength(4);
    const registers = await admin.caller.admin.audit.list({ action: 'auth.register', limit: 100 });
    expect(registers.items.every((event) => event.action === 'auth.register')).toBe(true);
    expect(registers.items.some((event) => event.actorId === user.id)).toBe(true);
  });

  it('userId matches what the user did and what was done to them as a user target', async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    const user = await createUser(deps);
    const bystander = await createUser(deps);
    await admin.caller.admin.users.setRole({ userId: user.id, role: 'GUEST' });
    await admin.caller.admin.credits.grant({ userId: bystander.id, amount: 1, reason: 'not about the user' });
    await admin.caller.admin.credits.grant({ userId: user.id, amount: 2, reason: 'about the user' });
    // A session of the user named as the target by somebody else's event is not "the user" (targetId finds it).
    await insertEvent({ actorId: admin.id, action: 'test.session_target', targetType: 'session', targetId: user.id });

    const page = await admin.caller.admin.audit.list({ userId: user.id, limit: 100 });
    expect(page.items.map((event) => [event.action, event.actorId === user.id ? 'actor' : 'target'])).toEqual([
      ['credits.grant', 'target'],
      ['admin.role_changed', 'target'],
      ['auth.register', 'actor'],
    ]);
    expect(page.items.every((event) => event.actorId === user.id || event.targetId === user.id)).toBe(true);
    const cased = await admin.caller.admin.audit.list({ userId: user.id.toUpperCase(), limit: 100 });
    expect(cased.items.map((event) => event.id)).toEqual(page.items.map((event) => event.id));
  });

  it('targetId matches the target of any type, combined with the other filters', async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    const user = await createUser(deps);
    const projectId = randomUUID();
    await insertEvent({ actorId: user.id, action: 'project.deleted', targetType: 'project', targetId: projectId });
    await admin.caller.admin.users.setRole({ userId: user.id, role: 'GUEST' });

    const byProject = await admin.caller.admin.audit.list({ targetId: projectId.toUpperCase() });
    expect(byProject.items.map((event) => [event.action, event.targetType])).toEqual([['project.deleted', 'project']]);
    const byUserTarget = await admin.caller.admin.audit.list({ targetId: user.id, action: 'admin.role_changed' });
    expect(byUserTarget.items.map((event) => event.actorId)).toEqual([admin.id]);
    const nothing = await admin.caller.admin.audit.list({ targetId: projectId, userId: admin.id });
    expect(nothing.items).toEqual([]);
    // A target id that is not a uuid is matched as it is.
    await insertEvent({ actorId: null, action: 'test.text_target', targetType: 'thing', targetId: 'Thing-A' });
    expect((await admin.caller.admin.audit.list({ targetId: 'Thing-A' })).items).toHaveLength(1);
    expect((await admin.caller.admin.audit.list({ targetId: 'thing-a' })).items).toHaveLength(0);
  });

  it('from is inclusive and to exclusive, and the cursor pages newest first inside the range', async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    const action = `test.range_${randomBytes(4).toString('hex')}`;
    const hours = [0, 1, 2, 3, 4, 5];
    for (const hour of hours) {
      await insertEvent({ actorId: null, action, at: `2030-01-01T0${hour}:00:00.000Z`, metadata: { hour } });
    }
    const range = { action, from: '2030-01-01T01:00:00.000Z', to: '2030-01-01T05:00:00Z' };
    const first = await admin.caller.admin.audit.list({ ...range, limit: 3 });
    const second = await admin.caller.admin.audit.list({ ...range, limit: 3, cursor: first.nextCursor ?? '' });
    expect(second.nextCursor).toBeNull();
    expect([...first.items, ...second.items].map((event) => event.metadata.hour)).toEqual([4, 3, 2, 1]);
    // An offset is a moment too: 05:00+01:00 is 04:00Z.
    const fromOnly = await admin.caller.admin.audit.list({ action, from: '2030-01-01T05:00:00+01:00' });
    expect(fromOnly.items.map((event) => event.metadata.hour)).toEqual([5, 4]);
    const toOnly = await admin.caller.admin.audit.list({ action, to: '2030-01-01T01:00:00Z' });
    expect(toOnly.items.map((event) => event.metadata.hour)).toEqual([0]);
  });

  it('a range whose from is not before its to, or a malformed date, is a VALIDATION_ERROR naming the field', async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    const cases: [string, Record<string, string>, string][] = [
      ['equal', { from: '2030-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z' }, 'to'],
      ['reversed', { from: '2030-01-02T00:00:00Z', to: '2030-01-01T00:00:00Z' }, 'to'],
      ['not a date', { from: 'yesterday' }, 'from'],
      ['no time', { to: '2030-01-01' }, 'to'],
      ['empty target', { targetId: '' }, 'targetId'],
    ];
    for (const [name, input, field] of cases) {
      const error = await admin.caller.admin.audit.list(input).then(
        () => undefined,
        (thrown: unknown) => thrown,
      );
      expect(error, name).toBeInstanceOf(TRPCError);
      const publicError = toPublicError(error as TRPCError);
      expect([name, publicError.code, publicError.details?.map((detail) => detail.field)]).toEqual([
        name,
        'VALIDATION_ERROR',
        [field],
      ]);
    }
  });

  it('a malformed cursor or user id is a bad request', async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    expect(await outcome(admin.caller.admin.audit.list({ cursor: '!!' }))).toBe('BAD_REQUEST');
    expect(await outcome(admin.caller.admin.audit.list({ userId: 'nobody' }))).toBe('BAD_REQUEST');
  });
});

describe('admin.stats', () => {
  it('counts users by role and activity, projects and transfers of the last 24 hours', async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    const before = await admin.caller.admin.stats();
    expect(before.users.total).toBe(before.users.byRole.ADMIN + before.users.byRole.USER + before.users.byRole.GUEST);

    const guest = await createUser(deps, { role: 'GUEST' });
    const sender = await createUser(deps, { balance: 10 });
    await admin.caller.admin.users.setActive({ userId: guest.id, active: false });
    await sender.caller.credits.transfer({ toUserId: admin.id, amount: 3 });
    await deps.db
      .insertInto('projects')
      .values({ owner_id: sender.id, name: `stats ${randomUUID()}` })
      .execute();
    // An old transfer falls outside the 24-hour window.
    // (created_at is insert-only in the schema types, so the test ages the row in plain SQL.)
    await sql`update transfers set created_at = now() - interval '25 hours' where from_user_id = ${sender.id}`.execute(
      deps.db,
    );
    await sender.caller.credits.transfer({ toUserId: admin.id, amount: 2 });

    const after = await admin.caller.admin.stats();
    expect(after.users.total).toBe(before.users.total + 2);
    expect(after.users.byRole).toEqual({
      ADMIN: before.users.byRole.ADMIN,
      USER: before.users.byRole.USER + 1,
      GUEST: before.users.byRole.GUEST + 1,
    });
    expect(after.users.active).toBe(before.users.active + 1);
    expect(after.projects).toBe(before.projects + 1);
    expect(after.transfersLast24h).toBe(before.transfersLast24h + 1);

    const [counted] = await deps.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .execute();
    expect(after.users.total).toBe(Number(counted?.count));
  });
});
