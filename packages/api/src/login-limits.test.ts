// Sign-in limits: only a completed credential check counts, per address + email and
// per account, and a flood of the hashing queue never locks the real user out.
import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createPasswordHasher } from './common/hash.js';
import { callerFor, createTestDeps, outcome, TEST_HASH_PARAMS, TEST_PASSWORD, type TestDeps } from './testing/index.js';

// The real limits (multiplier 1) and the smallest hashing queue: one hash at a time, none waiting.
let deps: TestDeps;
beforeAll(async () => {
  deps = await createTestDeps({
    rateLimitMultiplier: 1,
    hasher: createPasswordHasher({ ...TEST_HASH_PARAMS, concurrency: 1, maxQueue: 0 }),
  });
});
afterAll(async () => {
  vi.restoreAllMocks();
  await deps.close();
});

let lastAddress = 0;
/** A client address of its own, so one test's counts never touch another's. */
const freshIp = () => {
  lastAddress++;
  return `198.19.${Math.floor(lastAddress / 250)}.${(lastAddress % 250) + 1}`;
};
const WRONG = 'Wrong-passw0rd';

/** An account registered (and so signed in once) from `home`. */
async function account(home = freshIp()) {
  const email = `login-${randomBytes(5).toString('hex')}@example.com`;
  await (await callerFor(deps, { ip: home })).auth.register({ email, password: TEST_PASSWORD, name: 'Victim' });
  return { email, home };
}

async function login(email: string, password: string, ip: string): Promise<string> {
  return outcome((await callerFor(deps, { ip })).auth.login({ email, password }));
}

async function logins(email: string, password: string, ip: string, times: number): Promise<string[]> {
  const results: string[] = [];
  for (let i = 0; i < times; i++) results.push(await login(email, password, ip));
  return results;
}

/** How many sign-ins of this account had their password checked and failed. */
async function checkedFailures(email: string): Promise<number> {
  const user = await deps.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow();
  const row = await deps.db
    .selectFrom('audit_events')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('actor_id', '=', user.id)
    .where('action', '=', 'auth.login_failed')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Fills the only hashing slot until the returned function is called, as an attacker's flood of
 * sign-ins does: every other hash meanwhile is refused by the real queue with 503.
 */
function saturateHashQueue(): () => Promise<void> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  const realHash = argon2.hash;
  const spy = vi.spyOn(argon2, 'hash').mockImplementationOnce(async (...args: Parameters<typeof realHash>) => {
    await held;
    return realHash(...args);
  });
  const occupant = deps.hasher.hash('attacker-flood');
  return async () => {
    release();
    await occupant;
    spy.mockRestore();
  };
}

describe('a sign-in refused before its password was checked never counts', () => {
  it('correct-password sign-ins refused with 503 by a full hashing queue leave the limit untouched', async () => {
    const { email } = await account();
    const ip = freshIp();
    const release = saturateHashQueue();
    try {
      expect(await logins(email, TEST_PASSWORD, ip, 8)).toEqual(Array(8).fill('SERVICE_UNAVAILABLE'));
    } finally {
      await release();
    }
    expect(await login(email, TEST_PASSWORD, ip)).toBe('OK');
  });

  it('after 503s the address still has its full five checked attempts, and no more', async () => {
    const { email } = await account();
    const ip = freshIp();
    const release = saturateHashQueue();
    try {
      await logins(email, WRONG, ip, 7);
    } finally {
      await release();
    }
    expect(await logins(email, WRONG, ip, 6)).toEqual([...Array(5).fill('UNAUTHORIZED'), 'TOO_MANY_REQUESTS']);
  });

  it('sign-ins refused as invalid input do not count against the sign-in limit', async () => {
    const { email } = await account();
    const ip = freshIp();
    expect(await logins(email, '', ip, 7)).toEqual(Array(7).fill('BAD_REQUEST'));
    expect(await login(email, TEST_PASSWORD, ip)).toBe('OK');
  });

  it('a wrong password counts: after five, even the right password is refused with 429', async () => {
    const { email } = await account();
    const ip = freshIp();
    expect(await logins(email, WRONG, ip, 5)).toEqual(Array(5).fill('UNAUTHORIZED'));
    expect(await login(email, TEST_PASSWORD, ip)).toBe('TOO_MANY_REQUESTS');
  });

  it('a disabled account answering 403 counts as a checked attempt', async () => {
    const { email } = await account();
    await deps.db.updateTable('users').set({ active: false }).where('email', '=', email).execute();
    const ip = freshIp();
    expect(await logins(email, TEST_PASSWORD, ip, 6)).toEqual([...Array(5).fill('FORBIDDEN'), 'TOO_MANY_REQUESTS']);
  });
});

describe('per-account sign-in limit: 20 checked failures per 15 minutes per email, whatever the address', () => {
  it('20 addresses × 5 wrong tries on one email: only the first 20 are checked, the rest refused with 429', async () => {
    const { email } = await account();
    const results: string[] = [];
    for (let address = 0; address < 20; address++) results.push(...(await logins(email, WRONG, freshIp(), 5)));
    expect(results.slice(0, 20)).toEqual(Array(20).fill('UNAUTHORIZED'));
    expect(results.slice(20)).toEqual(Array(80).fill('TOO_MANY_REQUESTS'));
    expect(await checkedFailures(email)).toBe(20);
    // A new address is refused even with the right password: the account is closed to strangers.
    expect(await login(email, TEST_PASSWORD, freshIp())).toBe('TOO_MANY_REQUESTS');
  });

  it('refusals of the per-address rule do not use up the account allowance', async () => {
    const { email } = await account();
    const hammering = freshIp();
    expect(await logins(email, WRONG, hammering, 30)).toEqual([
      ...Array(5).fill('UNAUTHORIZED'),
      ...Array(25).fill('TOO_MANY_REQUESTS'),
    ]);
    const results: string[] = [];
    for (let address = 0; address < 16; address++) results.push(await login(email, WRONG, freshIp()));
    expect(results).toEqual([...Array(15).fill('UNAUTHORIZED'), 'TOO_MANY_REQUESTS']);
  });

  it('another email is not affected by a locked account', async () => {
    const locked = await account();
    const other = await account();
    for (let address = 0; address < 4; address++) await logins(locked.email, WRONG, freshIp(), 5);
    const ip = freshIp();
    expect(await login(locked.email, WRONG, ip)).toBe('TOO_MANY_REQUESTS');
    expect(await login(other.email, WRONG, ip)).toBe('UNAUTHORIZED');
    expect(await login(other.email, TEST_PASSWORD, freshIp())).toBe('OK');
  });

  it('the owner still signs in from an address the account signed in from, and that success resets the count', async () => {
    const { email, home } = await account();
    for (let address = 0; address < 4; address++) await logins(email, WRONG, freshIp(), 5);
    expect(await login(email, TEST_PASSWORD, freshIp())).toBe('TOO_MANY_REQUESTS');
    expect(await login(email, TEST_PASSWORD, home)).toBe('OK');
    // The success forgave the account's failures: strangers are checked again.
    expect(await login(email, WRONG, freshIp())).toBe('UNAUTHORIZED');
  });

  it('an address the account last signed in from over 30 days ago is a stranger again', async () => {
    const { email, home } = await account();
    // created_at is never updated by the application; the test ages the session directly.
    await sql`update sessions set created_at = now() - interval '31 days' where ip = ${home}`.execute(deps.db);
    for (let address = 0; address < 4; address++) await logins(email, WRONG, freshIp(), 5);
    expect(await login(email, TEST_PASSWORD, home)).toBe('TOO_MANY_REQUESTS');
  });

  it('the known address is still held to its own five attempts', async () => {
    const { email, home } = await account();
    for (let address = 0; address < 4; address++) await logins(email, WRONG, freshIp(), 5);
    expect(await logins(email, WRONG, home, 6)).toEqual([...Array(5).fill('UNAUTHORIZED'), 'TOO_MANY_REQUESTS']);
  });

  it('503s from a full hashing queue do not count against the account either', async () => {
    const { email } = await account();
    const release = saturateHashQueue();
    try {
      for (let address = 0; address < 25; address++)
        expect(await login(email, TEST_PASSWORD, freshIp())).toBe('SERVICE_UNAVAILABLE');
    } finally {
      await release();
    }
    expect(await login(email, TEST_PASSWORD, freshIp())).toBe('OK');
  });
});
