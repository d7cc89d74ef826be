// Sign-ins racing a password change or a deactivation on PostgreSQL: whatever the interleaving, no
// session opened by a sign-in that verified the old password (or an active account) outlives the change.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PasswordHasher } from '../../common/hash.js';
import {
  callerFor,
  createTestDeps,
  createUser,
  outcomeWithMessage,
  TEST_PASSWORD,
  type TestDeps,
  type TestUser,
  tokensOf,
} from '../../testing/index.js';
import { createTestHasher, liveSessionIds, sessionIdOf } from '../../testing/sessions.js';

const NEW_PASSWORD = 'N3w-Passw0rd';
const ROUNDS = 8;
const LOGINS_PER_ROUND = 12;

/**
 * The real hasher, except that a verification can be held after it has checked the password: the
 * test then commits a change and lets the sign-in go on, the interleaving the race needs.
 */
function holdableHasher() {
  const real = createTestHasher();
  let hold: { password: string; reached: () => void; release: Promise<void> } | undefined;
  const hasher: PasswordHasher = {
    hash: (password) => real.hash(password),
    async verify(hash, password) {
      const ok = await real.verify(hash, password);
      const held = hold;
      if (held && held.password === password) {
        hold = undefined;
        held.reached();
        await held.release;
      }
      return ok;
    },
    verifyDummy: (password) => real.verifyDummy(password),
    needsRehash: (hash) => real.needsRehash(hash),
    stats: () => real.stats(),
  };
  /** Holds the next verification of `password` once checked; resolves when one is held. */
  function holdNextVerify(password: string) {
    let release!: () => void;
    let reached!: () => void;
    const held = new Promise<void>((resolve) => {
      reached = resolve;
    });
    hold = { password, reached, release: new Promise<void>((resolve) => (release = resolve)) };
    return { held, release };
  }
  return { hasher, holdNextVerify };
}

const holdable = holdableHasher();
let deps: TestDeps;
beforeAll(async () => {
  deps = await createTestDeps({ hasher: holdable.hasher });
});
afterAll(async () => {
  await deps.close();
});

const anonymous = () => callerFor(deps);
const as = (accessToken: string) => callerFor(deps, { accessToken });

interface Survivor {
  refresh: string;
  createProject: string;
}

/** What each sign-in that succeeded can still do after the change: nothing, if it is honoured. */
async function survivors(payloads: { accessToken: string; refreshToken: string }[]): Promise<Survivor[]> {
  const found: Survivor[] = [];
  for (const [index, payload] of payloads.entries()) {
    const refresh = await outcomeWithMessage((await anonymous()).auth.refresh({ refreshToken: payload.refreshToken }));
    const createProject = await outcomeWithMessage(
      (await as(payload.accessToken)).projects.create({ name: `raced session ${index}` }),
    );
    if (refresh === 'OK' || createProject === 'OK') found.push({ refresh, createProject });
  }
  return found;
}

async function settleAll<T>(calls: Promise<T>[]) {
  const results = await Promise.allSettled(calls);
  return results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
}

describe('a sign-in racing a password change', () => {
  it('that verified the old password before the change committed is refused and opens no session', async () => {
    const user = await createUser(deps);
    const { held, release } = holdable.holdNextVerify(TEST_PASSWORD);
    const login = outcomeWithMessage((await anonymous()).auth.login({ email: user.email, password: TEST_PASSWORD }));
    await held;
    await user.caller.auth.changePassword({ currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD });
    release();

    expect(await login).toBe('UNAUTHORIZED: Invalid credentials');
    expect(await liveSessionIds(deps.db, user.id)).toEqual([await sessionIdOf(deps.db, user.refreshToken)]);
  });

  it('of many sign-ins with the old password started with the change, none keeps a session', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const user = await createUser(deps);
      const caller = await anonymous();
      const logins = Array.from({ length: LOGINS_PER_ROUND }, () =>
        caller.auth.login({ email: user.email, password: TEST_PASSWORD }).then(tokensOf),
      );
      const change = user.caller.auth.changePassword({ currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD });
      const payloads = await settleAll(logins);
      await change;

      expect({ round, survivors: await survivors(payloads) }).toEqual({ round, survivors: [] });
      const { items } = await user.caller.auth.sessions();
      expect(items.map((item) => item.id)).toEqual([await sessionIdOf(deps.db, user.refreshToken)]);
    }
  });

  it('a second change with the same current password, racing the first, is refused', async () => {
    const user = await createUser(deps);
    const { held, release } = holdable.holdNextVerify(TEST_PASSWORD);
    const second = outcomeWithMessage(
      user.caller.auth.changePassword({ currentPassword: TEST_PASSWORD, newPassword: 'Th1rd-Passw0rd' }),
    );
    await held;
    await user.caller.auth.changePassword({ currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD });
    release();

    expect(await second).toBe('BAD_REQUEST: Current password is incorrect');
    await expect((await anonymous()).auth.login({ email: user.email, password: NEW_PASSWORD })).resolves.toMatchObject({
      user: { id: user.id },
    });
  });
});

describe('a sign-in racing a deactivation', () => {
  async function adminAndUser(): Promise<{ admin: TestUser; user: TestUser }> {
    return { admin: await createUser(deps, { role: 'ADMIN' }), user: await createUser(deps) };
  }

  it('that saw an active account before the deactivation committed is refused and opens no session', async () => {
    const { admin, user } = await adminAndUser();
    const { held, release } = holdable.holdNextVerify(TEST_PASSWORD);
    const login = outcomeWithMessage((await anonymous()).auth.login({ email: user.email, password: TEST_PASSWORD }));
    await held;
    await admin.caller.admin.users.setActive({ userId: user.id, active: false });
    release();

    expect(await login).toBe('FORBIDDEN: This account is disabled');
    expect(await liveSessionIds(deps.db, user.id)).toEqual([]);
  });

  it('of many sign-ins started with the deactivation, none can refresh or create a project afterwards', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { admin, user } = await adminAndUser();
      const caller = await anonymous();
      const logins = Array.from({ length: LOGINS_PER_ROUND }, () =>
        caller.auth.login({ email: user.email, password: TEST_PASSWORD }).then(tokensOf),
      );
      const deactivation = admin.caller.admin.users.setActive({ userId: user.id, active: false });
      const payloads = await settleAll(logins);
      await deactivation;

      expect({ round, survivors: await survivors(payloads) }).toEqual({ round, survivors: [] });
      expect(await liveSessionIds(deps.db, user.id)).toEqual([]);
    }
  });
});

describe('a sign-in or a password change racing the removal of the user', () => {
  async function removeUser(userId: string) {
    await deps.db.deleteFrom('users').where('id', '=', userId).execute();
  }

  it('a sign-in whose user is removed after its password check is refused like a wrong password', async () => {
    const user = await createUser(deps);
    const { held, release } = holdable.holdNextVerify(TEST_PASSWORD);
    const login = outcomeWithMessage((await anonymous()).auth.login({ email: user.email, password: TEST_PASSWORD }));
    await held;
    await removeUser(user.id);
    release();
    expect(await login).toBe('UNAUTHORIZED: Invalid credentials');
  });

  it('a password change whose user is removed after its password check is told the user no longer exists', async () => {
    const user = await createUser(deps);
    const { held, release } = holdable.holdNextVerify(TEST_PASSWORD);
    const change = outcomeWithMessage(
      user.caller.auth.changePassword({ currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD }),
    );
    await held;
    await removeUser(user.id);
    release();
    expect(await change).toBe('UNAUTHORIZED: User no longer exists');
  });
});
