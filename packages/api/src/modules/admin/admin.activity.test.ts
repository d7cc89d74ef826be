import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastUtcDays } from '../../common/utc-days.js';
import {
  callerFor,
  createTestDeps,
  createUser,
  outcome,
  TEST_PASSWORD,
  type TestDeps,
  type TestUser,
} from '../../testing/index.js';

let deps: TestDeps;
let admin: TestUser;
/** The 30 UTC days the default range covers, oldest first. */
let days: string[];
/** The day `ago` days before today, as the series names it. */
const dayAgo = (ago: number) => days[days.length - 1 - ago] as string;
/** Noon UTC of the day `ago` days before today (older than the range when `ago` ≥ 30). */
const noonAgo = (ago: number) => {
  const { days: range } = lastUtcDays(ago + 1);
  return `${range[0]}T12:00:00Z`;
};

async function insertUserCreatedAt(name: string, at: string): Promise<string> {
  const row = await sql<{ id: string }>`insert into users (email, name, password_hash, created_at)
    values (${`${name.toLowerCase().replace(/\W+/g, '-')}-${randomBytes(4).toString('hex')}@example.com`}, ${name},
      'not-a-hash', ${at}::timestamptz)
    returning id`.execute(deps.db);
  return row.rows[0]?.id as string;
}

async function insertAuditEvent(action: string, actorId: string | null, at: string): Promise<void> {
  await sql`insert into audit_events (actor_id, action, at) values (${actorId}, ${action}, ${at}::timestamptz)`.execute(
    deps.db,
  );
}

async function insertTransfer(fromUserId: string, toUserId: string, amount: number, at: string): Promise<void> {
  await sql`insert into transfers (from_user_id, to_user_id, amount, from_balance_after, to_balance_after, created_at)
    values (${fromUserId}, ${toUserId}, ${amount}, 0, ${amount}, ${at}::timestamptz)`.execute(deps.db);
}

let sender: string;
let recipient: string;

beforeAll(async () => {
  deps = await createTestDeps();
  admin = await createUser(deps, { role: 'ADMIN', name: 'Ada Admin' });
  days = lastUtcDays(30).days;
  // Three days ago: two sign-ups, three sign-ins; five days ago: two failed sign-ins; two days
  // ago: two transfers; ten days ago one more sign-up; and a day of each beyond the range.
  sender = await insertUserCreatedAt('Sam Sender', noonAgo(3));
  recipient = await insertUserCreatedAt('Rita Recipient', noonAgo(3));
  await insertUserCreatedAt('Tom Tenday', noonAgo(10));
  await insertUserCreatedAt('Olga Old', noonAgo(40));
  for (let i = 0; i < 3; i += 1) await insertAuditEvent('auth.login', sender, noonAgo(3));
  await insertAuditEvent('auth.login_failed', sender, noonAgo(5));
  await insertAuditEvent('auth.login_failed', null, noonAgo(5));
  await insertAuditEvent('auth.login_failed', null, noonAgo(40));
  await insertTransfer(sender, recipient, 30, noonAgo(2));
  await insertTransfer(recipient, sender, 12, noonAgo(2));
  await insertTransfer(sender, recipient, 99, noonAgo(40));
});
afterAll(async () => {
  await deps.close();
});

describe('admin.activity', () => {
  it('has one entry per UTC day of the last 30, oldest first, ending today', async () => {
    const { series } = await admin.caller.admin.activity();
    expect(series.map((entry) => entry.day)).toEqual(days);
    expect(series.at(-1)?.day).toBe(new Date().toISOString().slice(0, 10));
  });

  it('counts the seeded sign-ups, sign-ins, failed sign-ins and transfers on their days', async () => {
    const { series } = await admin.caller.admin.activity();
    const on = (ago: number) => series.find((entry) => entry.day === dayAgo(ago));
    expect(on(3)).toEqual({ day: dayAgo(3), signUps: 2, signIns: 3, failedSignIns: 0, transfers: 0, creditVolume: 0 });
    expect(on(5)).toEqual({ day: dayAgo(5), signUps: 0, signIns: 0, failedSignIns: 2, transfers: 0, creditVolume: 0 });
    expect(on(2)).toEqual({ day: dayAgo(2), signUps: 0, signIns: 0, failedSignIns: 0, transfers: 2, creditVolume: 42 });
    expect(on(10)).toMatchObject({ signUps: 1 });
  });

  it('fills the days without activity with zeros', async () => {
    const { series } = await admin.caller.admin.activity();
    const quiet = series.filter((entry) => [1, 4, 6, 29].map(dayAgo).includes(entry.day));
    expect(quiet).toHaveLength(4);
    for (const entry of quiet) {
      expect(entry).toEqual({
        day: entry.day,
        signUps: 0,
        signIns: 0,
        failedSignIns: 0,
        transfers: 0,
        creditVolume: 0,
      });
    }
  });

  it('leaves out what happened before the range, and sums the series in the totals', async () => {
    const { series, totals } = await admin.caller.admin.activity();
    const sum = (key: keyof typeof totals) => series.reduce((total, entry) => total + entry[key], 0);
    expect(totals).toEqual({
      signUps: sum('signUps'),
      signIns: sum('signIns'),
      failedSignIns: sum('failedSignIns'),
      transfers: sum('transfers'),
      creditVolume: sum('creditVolume'),
    });
    // The 40-day-old sign-up, failed sign-in and 99-credit transfer are not counted.
    expect(totals.transfers).toBe(2);
    expect(totals.creditVolume).toBe(42);
    expect(totals.failedSignIns).toBe(2 + (series.at(-1)?.failedSignIns ?? 0));
  });

  it('covers the number of days asked for, from 7 to 90', async () => {
    const week = await admin.caller.admin.activity({ days: 7 });
    expect(week.series.map((entry) => entry.day)).toEqual(days.slice(-7));
    // The sign-up ten days ago is outside a week.
    expect(week.totals.signUps).toBe(week.series.reduce((total, entry) => total + entry.signUps, 0));
    expect(week.series.some((entry) => entry.day === dayAgo(10))).toBe(false);
    const quarter = await admin.caller.admin.activity({ days: 90 });
    expect(quarter.series).toHaveLength(90);
    expect(quarter.series.find((entry) => entry.day === lastUtcDays(41).days[0])).toMatchObject({
      signUps: 1,
      failedSignIns: 1,
      transfers: 1,
      creditVolume: 99,
    });
    for (const days of [6, 91, 7.5]) {
      expect(await outcome(admin.caller.admin.activity({ days }))).toBe('BAD_REQUEST');
    }
  });

  it('counts a real sign-in and a refused one today', async () => {
    const user = await createUser(deps, { name: 'Tina Today' });
    const before = (await admin.caller.admin.activity({ days: 7 })).series.at(-1);
    const anonymous = await callerFor(deps);
    await anonymous.auth.login({ email: user.email, password: TEST_PASSWORD });
    expect(await outcome(anonymous.auth.login({ email: user.email, password: 'Wrong-passw0rd' }))).toBe('UNAUTHORIZED');
    const after = (await admin.caller.admin.activity({ days: 7 })).series.at(-1);
    expect(after).toEqual({
      ...before,
      signIns: (before?.signIns ?? 0) + 1,
      failedSignIns: (before?.failedSignIns ?? 0) + 1,
    });
  });

  it('lists the latest notable events newest first, with the actor named, and no sign-ins', async () => {
    const bea = await createUser(deps, { name: 'Bea Notable' });
    await admin.caller.admin.credits.grant({ userId: bea.id, amount: 25, reason: 'welcome' });
    const anonymous = await callerFor(deps);
    await outcome(anonymous.auth.login({ email: 'nobody@example.com', password: 'Wrong-passw0rd' }));
    await outcome(anonymous.auth.login({ email: bea.email, password: 'Wrong-passw0rd' }));

    const { recent } = await admin.caller.admin.activity();
    expect(recent.length).toBeLessThanOrEqual(10);
    expect(recent.map((event) => event.action)).not.toContain('auth.login');
    const [wrongPassword, unknownEmail, grant, registered] = recent;
    expect(wrongPassword).toMatchObject({
      action: 'auth.login_failed',
      actor: { id: bea.id, name: 'Bea Notable', email: bea.email },
    });
    expect(unknownEmail).toMatchObject({ action: 'auth.login_failed', actor: null });
    expect(grant).toMatchObject({
      action: 'credits.grant',
      actor: { id: admin.id, name: 'Ada Admin', email: admin.email },
      targetType: 'user',
      targetId: bea.id,
    });
    expect(registered).toMatchObject({ action: 'auth.register', actor: { name: 'Bea Notable' } });
    const times = recent.map((event) => Date.parse(event.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('writes no audit event', async () => {
    const count = async () =>
      Number((await sql<{ n: string }>`select count(*) as n from audit_events`.execute(deps.db)).rows[0]?.n);
    const before = await count();
    await admin.caller.admin.activity();
    expect(await count()).toBe(before);
  });

  it('refuses USER and GUEST callers', async () => {
    for (const role of ['USER', 'GUEST'] as const) {
      const { caller } = await createUser(deps, { role });
      expect(await outcome(caller.admin.activity())).toBe('FORBIDDEN');
    }
  });
});
