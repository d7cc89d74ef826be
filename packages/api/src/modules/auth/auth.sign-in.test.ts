// Sign-in upkeep: outdated password hashes rewritten on the next successful sign-in, and the cap on
// live sessions per user.
import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../common/errors.js';
import type { PasswordHasher } from '../../common/hash.js';
import {
  callerFor,
  createTestDeps,
  createUser,
  outcomeWithMessage,
  TEST_HASH_PARAMS,
  TEST_PASSWORD,
  type TestDeps,
  tokensOf,
} from '../../testing/index.js';
import { createTestHasher, sessionIdOf } from '../../testing/sessions.js';

const SESSIONS_MAX = 3;

/** The real hasher, whose `hash` can be made to fail as a full hashing queue does. */
function refusableHasher() {
  const real = createTestHasher();
  const control = { refuseHash: false };
  const hasher: PasswordHasher = {
    ...real,
    hash(password) {
      if (control.refuseHash) {
        return Promise.reject(new AppError('SERVICE_UNAVAILABLE', 'Too many sign-ins at once, try again shortly'));
      }
      return real.hash(password);
    },
  };
  return { hasher, control };
}

const refusable = refusableHasher();
let deps: TestDeps;
beforeAll(async () => {
  deps = await createTestDeps({ hasher: refusable.hasher, config: { sessionsPerUserMax: SESSIONS_MAX } });
});
afterAll(async () => {
  await deps.close();
});

const anonymous = () => callerFor(deps);
const as = (accessToken: string) => callerFor(deps, { accessToken });
const login = async (email: string, password = TEST_PASSWORD) =>
  tokensOf(await (await anonymous()).auth.login({ email, password }));

function storedPassword(userId: string) {
  return deps.db
    .selectFrom('users')
    .select(['password_hash', 'password_version'])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
}

async function storeHash(userId: string, hash: string): Promise<void> {
  await deps.db.updateTable('users').set({ password_hash: hash }).where('id', '=', userId).execute();
}

/** A hash as `argon2` encodes it on its own: parameters in the m,p,t order. */
function legacyHash(password: string, params = TEST_HASH_PARAMS) {
  return argon2.hash(password, { type: argon2.argon2id, ...params });
}

const STANDARD_TEST_HASH = /^\$argon2id\$v=19\$m=1024,t=1,p=1\$/;

describe('an outdated password hash', () => {
  it('in the m,p,t order still signs in, and is rewritten in the standard order', async () => {
    const user = await createUser(deps);
    const legacy = await legacyHash(TEST_PASSWORD);
    expect(legacy).toMatch(/\$m=1024,p=1,t=1\$/);
    await storeHash(user.id, legacy);

    await expect(login(user.email)).resolves.toMatchObject({ user: { id: user.id } });
    const rewritten = await storedPassword(user.id);
    expect(rewritten).toEqual({ password_hash: expect.stringMatching(STANDARD_TEST_HASH), password_version: 0 });
    expect(await argon2.verify(rewritten.password_hash, TEST_PASSWORD)).toBe(true);

    await expect(login(user.email)).resolves.toMatchObject({ user: { id: user.id } });
    expect(await storedPassword(user.id)).toEqual(rewritten);
  });

  it('with a lower cost than configured is upgraded on the next sign-in', async () => {
    const user = await createUser(deps);
    await storeHash(user.id, await legacyHash(TEST_PASSWORD, { memoryCost: 256, timeCost: 1, parallelism: 1 }));

    await expect(login(user.email)).resolves.toMatchObject({ user: { id: user.id } });
    const { password_hash: upgraded } = await storedPassword(user.id);
    expect(upgraded).toMatch(STANDARD_TEST_HASH);
    expect(await argon2.verify(upgraded, TEST_PASSWORD)).toBe(true);
  });

  it('is left as it is by a wrong password', async () => {
    const user = await createUser(deps);
    const legacy = await legacyHash(TEST_PASSWORD);
    await storeHash(user.id, legacy);

    expect(await outcomeWithMessage(login(user.email, 'Wrong-passw0rd'))).toBe('UNAUTHORIZED: Invalid credentials');
    expect((await storedPassword(user.id)).password_hash).toBe(legacy);
  });

  it('stays until a later sign-in when the hashing queue refuses the rehash; the sign-in succeeds', async () => {
    const user = await createUser(deps);
    const legacy = await legacyHash(TEST_PASSWORD);
    await storeHash(user.id, legacy);

    refusable.control.refuseHash = true;
    try {
      await expect(login(user.email)).resolves.toMatchObject({ user: { id: user.id } });
    } finally {
      refusable.control.refuseHash = false;
    }
    expect((await storedPassword(user.id)).password_hash).toBe(legacy);
    expect(deps.logs).toContainEqual(
      expect.objectContaining({
        level: 40,
        msg: 'could not rehash an outdated password hash; kept until a later sign-in',
      }),
    );

    await login(user.email);
    expect((await storedPassword(user.id)).password_hash).toMatch(STANDARD_TEST_HASH);
  });
});

describe('the cap on sessions per user', () => {
  it('a sign-in beyond it revokes the least recently used session, whose tokens stop working at once', async () => {
    const user = await createUser(deps);
    const second = await login(user.email);
    const third = await login(user.email);
    // Using the first session makes the second the least recently used.
    const first = await (await anonymous()).auth.refresh({ refreshToken: user.refreshToken });

    const fourth = await login(user.email);

    expect(await outcomeWithMessage((await as(second.accessToken)).auth.me())).toBe(
      'UNAUTHORIZED: Session has been revoked',
    );
    expect(await outcomeWithMessage((await anonymous()).auth.refresh({ refreshToken: second.refreshToken }))).toBe(
      'UNAUTHORIZED: Invalid or expired refresh token',
    );
    const { items } = await (await as(fourth.accessToken)).auth.sessions();
    expect(items.map((item) => item.id)).toEqual([
      await sessionIdOf(deps.db, fourth.refreshToken),
      await sessionIdOf(deps.db, first.refreshToken),
      await sessionIdOf(deps.db, third.refreshToken),
    ]);
    const revoked = await deps.db
      .selectFrom('sessions')
      .select('revoked_reason')
      .where('id', '=', await sessionIdOf(deps.db, second.refreshToken))
      .executeTakeFirstOrThrow();
    expect(revoked.revoked_reason).toBe('session_limit');
    const loginEvent = await deps.db
      .selectFrom('audit_events')
      .select('metadata')
      .where('action', '=', 'auth.login')
      .where('target_id', '=', await sessionIdOf(deps.db, fourth.refreshToken))
      .executeTakeFirstOrThrow();
    expect(loginEvent.metadata).toEqual({ revokedSessions: 1 });
  });

  it('auth.sessions lists every live session, however many; the next sign-in brings them within the cap', async () => {
    const user = await createUser(deps);
    // As if opened before the cap was lowered to its current value.
    await deps.db
      .insertInto('sessions')
      .columns(['user_id', 'expires_at', 'last_used_at', 'user_agent'])
      .expression(
        sql`select ${user.id}::uuid, now() + interval '1 day', now() - make_interval(secs => n), ${`agent-${randomBytes(3).toString('hex')}`}
            from generate_series(1, 120) as n`,
      )
      .execute();

    const before = await user.caller.auth.sessions();
    expect(before.items).toHaveLength(121);
    expect(before.items.filter((item) => item.current)).toHaveLength(1);

    const fresh = await login(user.email);
    const after = await (await as(fresh.accessToken)).auth.sessions();
    expect(after.items.map((item) => item.id)).toEqual([
      await sessionIdOf(deps.db, fresh.refreshToken),
      await sessionIdOf(deps.db, user.refreshToken),
      before.items[1]?.id,
    ]);
  });
});
