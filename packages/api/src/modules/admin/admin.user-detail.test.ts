// admin.users.get (one user's profile, balance, live sessions and recent audit events) and
// admin.users.revokeSessions (an admin signing a user out everywhere).
import { randomUUID } from 'node:crypto';
import type { TRPCError } from '@trpc/server';
import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toPublicError } from '../../common/errors.js';
import {
  callerFor,
  createTestDeps,
  createUser,
  outcome,
  TEST_PASSWORD,
  type TestDeps,
  tokensOf,
  until,
} from '../../testing/index.js';
import { liveSessionIds } from '../../testing/sessions.js';
import type { LiveEvent } from '../events/events.schema.js';

let deps: TestDeps;
beforeAll(async () => {
  deps = await createTestDeps();
});
afterAll(async () => {
  await deps.close();
});

/** The public error a call failed with (what the envelope carries), or `OK`. */
async function publicErrorOf(call: Promise<unknown>) {
  try {
    await call;
    return 'OK';
  } catch (error) {
    return toPublicError(error as TRPCError);
  }
}

/** Signs the user in once more: another session. */
async function anonymousLogin(email: string) {
  return tokensOf(await (await callerFor(deps)).auth.login({ email, password: TEST_PASSWORD }));
}

describe('admin.users.get', () => {
  it("shows the user's profile, balance, live sessions and the audit events about them with their actors", async () => {
    const admin = await createUser(deps, { role: 'ADMIN', name: 'Ada Admin' });
    const user = await createUser(deps, { name: 'Uma User', balance: 40 });
    // A second session from another device, and a third one that is revoked (not shown).
    const firefox = 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0';
    const anonymous = await callerFor(deps, { userAgent: firefox, ip: '203.0.113.7' });
    await anonymous.auth.login({ email: user.email, password: TEST_PASSWORD });
    const third = tokensOf(await anonymous.auth.login({ email: user.email, password: TEST_PASSWORD }));
    await (await callerFor(deps, { accessToken: third.accessToken })).auth.logout({ refreshToken: third.refreshToken });
    await admin.caller.admin.credits.grant({ userId: user.id, amount: 2, reason: 'welcome' });
    await admin.caller.admin.users.setRole({ userId: user.id, role: 'GUEST' });

    const detail = await admin.caller.admin.users.get({ userId: user.id.toUpperCase() });

    expect(detail.user).toMatchObject({
      id: user.id,
      email: user.email,
      name: 'Uma User',
      role: 'GUEST',
      active: true,
    });
    expect(Object.keys(detail.user)).not.toContain('passwordHash');
    expect(detail.balance).toBe(42);
    expect(detail.sessions.map((session) => session.id).sort()).toEqual(
      (await liveSessionIds(deps.db, user.id)).sort(),
    );
    expect(detail.sessions).toHaveLength(2);
    expect(detail.sessions).toContainEqual(expect.objectContaining({ userAgent: firefox, ip: '203.0.113.7' }));
    // Newest first: the admin's two changes, then the user's own sign-ins and sign-out.
    expect(detail.recentAudit.slice(0, 2).map((event) => [event.action, event.actor?.name])).toEqual([
      ['admin.role_changed', 'Ada Admin'],
      ['credits.grant', 'Ada Admin'],
    ]);
    expect(detail.recentAudit.map((event) => event.action)).toContain('auth.logout');
    expect(detail.recentAudit.every((event) => event.actorId === user.id || event.targetId === user.id)).toBe(true);
  });

  it('returns the 20 newest audit events about the user, newest first, in the same statements however many', async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    const user = await createUser(deps);
    let statements = 0;
    const counter: KyselyPlugin = {
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        statements++;
        return args.result;
      },
    };
    const counted = await callerFor({ ...deps, db: deps.db.withPlugin(counter) }, { accessToken: admin.accessToken });

    await counted.admin.users.get({ userId: user.id });
    const few = statements;
    for (let i = 1; i <= 25; i++) {
      await admin.caller.admin.credits.grant({ userId: user.id, amount: i, reason: `grant ${i}` });
    }
    await anonymousLogin(user.email);
    statements = 0;
    const detail = await counted.admin.users.get({ userId: user.id });

    expect(statements).toBe(few);
    // The user, their sessions, their audit events and whether two-step verification is on.
    expect(few).toBeLessThanOrEqual(4);
    expect(detail.sessions).toHaveLength(2);
    expect(detail.recentAudit).toHaveLength(20);
    // The sign-in came last; then the grants from the 25th down.
    expect(detail.recentAudit[0]?.action).toBe('auth.login');
    expect(detail.recentAudit.slice(1).map((event) => event.metadata.amount)).toEqual(
      Array.from({ length: 19 }, (_, i) => 25 - i),
    );
  });

  it('an unknown user is the NOT_FOUND envelope, a malformed id a validation error', async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    expect(await publicErrorOf(admin.caller.admin.users.get({ userId: randomUUID() }))).toEqual({
      code: 'NOT_FOUND',
      message: 'User not found',
    });
    expect(await publicErrorOf(admin.caller.admin.users.get({ userId: 'nobody' }))).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: [{ field: 'userId', message: 'Invalid user id' }],
    });
  });

  it('is a query: reading a user writes no audit event', async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    const user = await createUser(deps);
    const before = (await admin.caller.admin.audit.list({ userId: admin.id })).items.length;
    await admin.caller.admin.users.get({ userId: user.id });
    expect((await admin.caller.admin.audit.list({ userId: admin.id })).items).toHaveLength(before);
  });
});

describe('admin.users.revokeSessions', () => {
  it('ends every session of the user at once, audits it, and leaves the account able to sign in again', async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    const user = await createUser(deps);
    const second = await anonymousLogin(user.email);
    const secondCaller = await callerFor(deps, { accessToken: second.accessToken });
    expect((await secondCaller.auth.me()).id).toBe(user.id);
    const received: LiveEvent[] = [];
    const unsubscribe = deps.events.subscribe(user.id, (event) => received.push(event as LiveEvent));
    try {
      expect(await admin.caller.admin.users.revokeSessions({ userId: user.id })).toEqual({ revoked: 2 });

      // Both access tokens fail from the next request on, and neither refresh token works.
      expect(await outcome(user.caller.auth.me())).toBe('UNAUTHORIZED');
      expect(await outcome(secondCaller.auth.me())).toBe('UNAUTHORIZED');
      const anonymous = await callerFor(deps);
      expect(await outcome(anonymous.auth.refresh({ refreshToken: user.refreshToken }))).toBe('UNAUTHORIZED');
      expect(await outcome(anonymous.auth.refresh({ refreshToken: second.refreshToken }))).toBe('UNAUTHORIZED');
      expect(await liveSessionIds(deps.db, user.id)).toEqual([]);
      // Their open streams are told to end.
      const revokedEvent = await until(
        () => received.find((event) => event.type === 'session.revoked'),
        (event) => event !== undefined,
      );
      expect(revokedEvent).toMatchObject({ type: 'session.revoked' });
    } finally {
      unsubscribe();
    }

    const events = await admin.caller.admin.audit.list({ userId: user.id, action: 'admin.sessions_revoked' });
    expect(events.items).toHaveLength(1);
    expect(events.items[0]).toMatchObject({
      actorId: admin.id,
      targetType: 'user',
      targetId: user.id,
      metadata: { revokedSessions: 2 },
    });

    // Not a deactivation: the account is active and may sign in again.
    const detail = await admin.caller.admin.users.get({ userId: user.id });
    expect(detail.user.active).toBe(true);
    expect(detail.sessions).toEqual([]);
    const again = await anonymousLogin(user.email);
    expect((await (await callerFor(deps, { accessToken: again.accessToken })).auth.me()).id).toBe(user.id);
  });

  it('a user with no live session revokes nothing and records nothing', async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    const user = await createUser(deps);
    expect(await admin.caller.admin.users.revokeSessions({ userId: user.id })).toEqual({ revoked: 1 });
    expect(await admin.caller.admin.users.revokeSessions({ userId: user.id })).toEqual({ revoked: 0 });
    const events = await admin.caller.admin.audit.list({ userId: user.id, action: 'admin.sessions_revoked' });
    expect(events.items).toHaveLength(1);
  });

  it("leaves other users' sessions alone", async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    const user = await createUser(deps);
    const bystander = await createUser(deps);
    await admin.caller.admin.users.revokeSessions({ userId: user.id });
    expect((await bystander.caller.auth.me()).id).toBe(bystander.id);
    expect((await admin.caller.auth.me()).id).toBe(admin.id);
  });

  it('an unknown user is the NOT_FOUND envelope', async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    expect(await publicErrorOf(admin.caller.admin.users.revokeSessions({ userId: randomUUID() }))).toEqual({
      code: 'NOT_FOUND',
      message: 'User not found',
    });
  });
});
