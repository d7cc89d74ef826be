import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PasswordHasher } from '../../common/hash.js';
import { generateRefreshToken, hashRefreshToken } from '../../common/tokens.js';
import {
  callerFor,
  createTestDeps,
  createUser,
  outcomeWithMessage,
  recordingResponse,
  TEST_PASSWORD,
  type TestDeps,
  tokensOf,
} from '../../testing/index.js';
import { createTestHasher, sessionIdOf } from '../../testing/sessions.js';
import { sessionStateWithRedisDown, unreachableRedis } from '../../testing/unreachable.js';
import { ensureAdmin } from './auth.service.js';

/** The real argon2 hasher, counting the verifications each sign-in path runs. */
function countingHasher() {
  const real = createTestHasher();
  const counts = { verify: 0, verifyDummy: 0 };
  const hasher: PasswordHasher = {
    hash: (password) => real.hash(password),
    verify: (hash, password) => {
      counts.verify++;
      return real.verify(hash, password);
    },
    verifyDummy: (password) => {
      counts.verifyDummy++;
      return real.verifyDummy(password);
    },
    needsRehash: (hash) => real.needsRehash(hash),
    stats: () => real.stats(),
  };
  return { hasher, counts };
}

const counting = countingHasher();
let deps: TestDeps;
beforeAll(async () => {
  deps = await createTestDeps({ hasher: counting.hasher });
});
afterAll(async () => {
  await deps.close();
});

const requestId = () => `req-${randomBytes(6).toString('hex')}`;
const email = () => `auth-${randomBytes(5).toString('hex')}@example.com`;

function auditEvents(filter: { requestId?: string; actorId?: string; action?: string }) {
  let query = deps.db
    .selectFrom('audit_events')
    .select(['action', 'actor_id', 'target_type', 'target_id', 'metadata', 'ip', 'request_id'])
    .orderBy('seq');
  if (filter.requestId) query = query.where('request_id', '=', filter.requestId);
  if (filter.actorId) query = query.where('actor_id', '=', filter.actorId);
  if (filter.action) query = query.where('action', '=', filter.action);
  return query.execute();
}

function sessionRow(id: string) {
  return deps.db
    .selectFrom('sessions')
    .select(['revoked_at', 'revoked_reason'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
}

/** Moves a token's rotation `seconds` into the past, as if that much time had gone by since. */
async function ageRotation(refreshToken: string, seconds: number) {
  await deps.db
    .updateTable('refresh_tokens')
    .set({ rotated_at: sql<Date>`now() - make_interval(secs => ${seconds})` })
    .where('token_hash', '=', hashRefreshToken(refreshToken))
    .execute();
}

const anonymous = (options: Parameters<typeof callerFor>[1] = {}) => callerFor(deps, options);
const as = (accessToken: string) => callerFor(deps, { accessToken });

describe('auth.register', () => {
  it('refuses an email that is already registered, in any case or spacing, with 409', async () => {
    const user = await createUser(deps);
    const again = (await anonymous()).auth.register({
      email: `  ${user.email.toUpperCase()} `,
      password: TEST_PASSWORD,
      name: 'Copy',
    });
    expect(await outcomeWithMessage(again)).toBe('CONFLICT: Email is already registered');
  });

  it('opens a session, audits auth.register and sets the refresh cookie', async () => {
    const response = recordingResponse();
    const id = requestId();
    const payload = await (await anonymous({ response, requestId: id, ip: '203.0.113.9' })).auth.register({
      email: email(),
      password: TEST_PASSWORD,
      name: 'New',
    });
    expect(payload).toMatchObject({ tokenType: 'Bearer', expiresIn: 900, user: { role: 'USER', active: true } });
    expect(response.refreshCookie).toBe(payload.refreshToken);
    expect(await auditEvents({ requestId: id })).toEqual([
      expect.objectContaining({
        action: 'auth.register',
        actor_id: payload.user.id,
        target_id: payload.user.id,
        ip: '203.0.113.9',
      }),
    ]);
  });
});

describe('auth.login', () => {
  it('unknown email and wrong password give the same 401 "Invalid credentials"', async () => {
    const user = await createUser(deps);
    const caller = await anonymous();
    const unknown = await outcomeWithMessage(caller.auth.login({ email: email(), password: TEST_PASSWORD }));
    const wrong = await outcomeWithMessage(caller.auth.login({ email: user.email, password: 'Wrong-passw0rd' }));
    expect(unknown).toBe('UNAUTHORIZED: Invalid credentials');
    expect(wrong).toBe(unknown);
  });

  it('both the unknown-email and the wrong-password paths run an argon2 verification', async () => {
    const user = await createUser(deps);
    const caller = await anonymous();

    const beforeUnknown = { ...counting.counts };
    await caller.auth.login({ email: email(), password: TEST_PASSWORD }).catch(() => undefined);
    expect(counting.counts.verifyDummy - beforeUnknown.verifyDummy).toBe(1);
    expect(counting.counts.verify - beforeUnknown.verify).toBe(0);

    const beforeWrong = { ...counting.counts };
    await caller.auth.login({ email: user.email, password: 'Wrong-passw0rd' }).catch(() => undefined);
    expect(counting.counts.verify - beforeWrong.verify).toBe(1);
    expect(counting.counts.verifyDummy - beforeWrong.verifyDummy).toBe(0);
  });

  it('audits a failed sign-in for an unknown email as auth.login_failed without an actor', async () => {
    const id = requestId();
    await (await anonymous({ requestId: id })).auth.login({ email: email(), password: 'x' }).catch(() => undefined);
    expect(await auditEvents({ requestId: id })).toEqual([
      expect.objectContaining({
        action: 'auth.login_failed',
        actor_id: null,
        target_id: null,
        metadata: { reason: 'unknown_email' },
      }),
    ]);
  });

  it("audits a wrong password as auth.login_failed against that user's account", async () => {
    const user = await createUser(deps);
    const id = requestId();
    await (await anonymous({ requestId: id })).auth
      .login({ email: user.email, password: 'Wrong-passw0rd' })
      .catch(() => undefined);
    expect(await auditEvents({ requestId: id })).toEqual([
      expect.objectContaining({
        action: 'auth.login_failed',
        actor_id: user.id,
        target_type: 'user',
        target_id: user.id,
        metadata: { reason: 'wrong_password' },
      }),
    ]);
  });

  it('a disabled account with the right password is 403; with a wrong one it is 401 like anyone', async () => {
    const user = await createUser(deps);
    await deps.db.updateTable('users').set({ active: false }).where('id', '=', user.id).execute();
    const caller = await anonymous();
    expect(await outcomeWithMessage(caller.auth.login({ email: user.email, password: TEST_PASSWORD }))).toBe(
      'FORBIDDEN: This account is disabled',
    );
    expect(await outcomeWithMessage(caller.auth.login({ email: user.email, password: 'Wrong-passw0rd' }))).toBe(
      'UNAUTHORIZED: Invalid credentials',
    );
  });

  it('signs in with the email in any case, opening a new session audited as auth.login', async () => {
    const user = await createUser(deps);
    const response = recordingResponse();
    const id = requestId();
    const payload = tokensOf(
      await (await anonymous({ response, requestId: id })).auth.login({
        email: ` ${user.email.toUpperCase()}`,
        password: TEST_PASSWORD,
      }),
    );
    expect(payload.user.id).toBe(user.id);
    expect(response.refreshCookie).toBe(payload.refreshToken);
    const sessionId = await sessionIdOf(deps.db, payload.refreshToken);
    expect(sessionId).not.toBe(await sessionIdOf(deps.db, user.refreshToken));
    expect(await auditEvents({ requestId: id })).toEqual([
      expect.objectContaining({ action: 'auth.login', actor_id: user.id, target_id: sessionId }),
    ]);
  });
});

describe('auth.refresh', () => {
  it.each([
    ['no token at all', undefined],
    ['an empty token', ''],
    ['a junk token', 'junk'],
    ['a JWT instead of a refresh token', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc'],
    ['a well-formed token nobody issued', generateRefreshToken()],
  ])('refuses %s with 401', async (_case, refreshToken) => {
    const input = refreshToken === undefined ? undefined : { refreshToken };
    expect(await outcomeWithMessage((await anonymous()).auth.refresh(input))).toBe(
      'UNAUTHORIZED: Invalid or expired refresh token',
    );
  });

  it('takes the token from the keel_rt cookie when the body has none, and sets the new one', async () => {
    const user = await createUser(deps);
    const response = recordingResponse();
    const payload = await (await anonymous({ refreshCookie: user.refreshToken, response })).auth.refresh();
    expect(payload.user.id).toBe(user.id);
    expect(payload.refreshToken).not.toBe(user.refreshToken);
    expect(response.refreshCookie).toBe(payload.refreshToken);
    expect(await sessionIdOf(deps.db, payload.refreshToken)).toBe(await sessionIdOf(deps.db, user.refreshToken));
  });

  it('a token in the body is preferred to the cookie', async () => {
    const user = await createUser(deps);
    const caller = await anonymous({ refreshCookie: 'junk-cookie' });
    expect((await caller.auth.refresh({ refreshToken: user.refreshToken })).user.id).toBe(user.id);
  });

  it("mints a token that carries the user's current role", async () => {
    const user = await createUser(deps);
    await deps.db.updateTable('users').set({ role: 'GUEST' }).where('id', '=', user.id).execute();
    const payload = await (await anonymous()).auth.refresh({ refreshToken: user.refreshToken });
    expect(payload.user.role).toBe('GUEST');
    expect((await deps.tokens.verifyAccess(payload.accessToken))?.role).toBe('GUEST');
  });

  it('of two concurrent refreshes with the same token exactly one succeeds', async () => {
    const user = await createUser(deps);
    const caller = await anonymous();
    const results = await Promise.all(
      Array.from({ length: 2 }, () => outcomeWithMessage(caller.auth.refresh({ refreshToken: user.refreshToken }))),
    );
    expect(results.sort()).toEqual(['OK', 'UNAUTHORIZED: Invalid or expired refresh token']);
  });

  it('a rotated token presented again within the grace window is refused without harm to the session', async () => {
    const user = await createUser(deps);
    const caller = await anonymous();
    const next = await caller.auth.refresh({ refreshToken: user.refreshToken });
    expect(await outcomeWithMessage(caller.auth.refresh({ refreshToken: user.refreshToken }))).toBe(
      'UNAUTHORIZED: Invalid or expired refresh token',
    );
    expect((await sessionRow(await sessionIdOf(deps.db, next.refreshToken))).revoked_at).toBeNull();
    await expect(caller.auth.refresh({ refreshToken: next.refreshToken })).resolves.toMatchObject({
      user: { id: user.id },
    });
    expect(await auditEvents({ actorId: user.id, action: 'auth.refresh_reuse_detected' })).toEqual([]);
  });

  it('reuse after the grace window revokes the whole family, newest token and access token included', async () => {
    const user = await createUser(deps);
    const caller = await anonymous();
    const next = await caller.auth.refresh({ refreshToken: user.refreshToken });
    await ageRotation(user.refreshToken, 60);

    expect(await outcomeWithMessage(caller.auth.refresh({ refreshToken: user.refreshToken }))).toBe(
      'UNAUTHORIZED: Invalid or expired refresh token',
    );
    const sessionId = await sessionIdOf(deps.db, next.refreshToken);
    expect(await sessionRow(sessionId)).toEqual({ revoked_at: expect.any(Date), revoked_reason: 'refresh_reuse' });
    expect(await outcomeWithMessage(caller.auth.refresh({ refreshToken: next.refreshToken }))).toBe(
      'UNAUTHORIZED: Invalid or expired refresh token',
    );
    expect(await outcomeWithMessage((await as(next.accessToken)).auth.me())).toBe(
      'UNAUTHORIZED: Session has been revoked',
    );
    expect(await auditEvents({ actorId: user.id, action: 'auth.refresh_reuse_detected' })).toEqual([
      expect.objectContaining({ target_type: 'session', target_id: sessionId }),
    ]);
    expect(deps.logs).toContainEqual(
      expect.objectContaining({ level: 40, sessionId, msg: 'refresh token reuse detected; session revoked' }),
    );
  });

  it('replaying an old token of an already revoked family is refused without another reuse alarm', async () => {
    const user = await createUser(deps);
    const caller = await anonymous();
    await caller.auth.refresh({ refreshToken: user.refreshToken });
    await ageRotation(user.refreshToken, 60);
    await caller.auth.refresh({ refreshToken: user.refreshToken }).catch(() => undefined);
    await caller.auth.refresh({ refreshToken: user.refreshToken }).catch(() => undefined);
    expect(await auditEvents({ actorId: user.id, action: 'auth.refresh_reuse_detected' })).toHaveLength(1);
  });

  it('a logged-out session never mints again, even with its newest token', async () => {
    const user = await createUser(deps);
    const caller = await anonymous();
    await (await as(user.accessToken)).auth.logoutAll();
    expect(await outcomeWithMessage(caller.auth.refresh({ refreshToken: user.refreshToken }))).toBe(
      'UNAUTHORIZED: Invalid or expired refresh token',
    );
  });

  it('refuses an expired refresh token', async () => {
    const user = await createUser(deps);
    await deps.db
      .updateTable('refresh_tokens')
      .set({ expires_at: sql<Date>`now() - interval '1 second'` })
      .where('token_hash', '=', hashRefreshToken(user.refreshToken))
      .execute();
    expect(await outcomeWithMessage((await anonymous()).auth.refresh({ refreshToken: user.refreshToken }))).toBe(
      'UNAUTHORIZED: Invalid or expired refresh token',
    );
    expect((await sessionRow(await sessionIdOf(deps.db, user.refreshToken))).revoked_at).toBeNull();
  });

  it('refuses a token whose session has expired', async () => {
    const user = await createUser(deps);
    await deps.db
      .updateTable('sessions')
      .set({ expires_at: sql<Date>`now() - interval '1 second'` })
      .where('id', '=', await sessionIdOf(deps.db, user.refreshToken))
      .execute();
    expect(await outcomeWithMessage((await anonymous()).auth.refresh({ refreshToken: user.refreshToken }))).toBe(
      'UNAUTHORIZED: Invalid or expired refresh token',
    );
  });

  it('refuses a token of a deactivated user', async () => {
    const user = await createUser(deps);
    await deps.db.updateTable('users').set({ active: false }).where('id', '=', user.id).execute();
    expect(await outcomeWithMessage((await anonymous()).auth.refresh({ refreshToken: user.refreshToken }))).toBe(
      'UNAUTHORIZED: Invalid or expired refresh token',
    );
  });
});

describe('auth.logout', () => {
  it.each([
    ['no token', undefined],
    ['a junk token', { refreshToken: 'junk' }],
    ['a well-formed token nobody issued', { refreshToken: generateRefreshToken() }],
  ])('with %s succeeds and clears the cookie', async (_case, input) => {
    const response = recordingResponse();
    await expect((await anonymous({ response })).auth.logout(input)).resolves.toEqual({ success: true });
    expect(response.refreshCookie).toBeNull();
  });

  it('through the cookie revokes that session: its refresh and access tokens stop working', async () => {
    const user = await createUser(deps);
    const response = recordingResponse();
    const id = requestId();
    await (await anonymous({ refreshCookie: user.refreshToken, response, requestId: id })).auth.logout();
    expect(response.refreshCookie).toBeNull();
    const sessionId = await sessionIdOf(deps.db, user.refreshToken);
    expect((await sessionRow(sessionId)).revoked_reason).toBe('logout');
    expect(await outcomeWithMessage((await as(user.accessToken)).auth.me())).toBe(
      'UNAUTHORIZED: Session has been revoked',
    );
    expect(await outcomeWithMessage((await anonymous()).auth.refresh({ refreshToken: user.refreshToken }))).toMatch(
      /^UNAUTHORIZED/,
    );
    expect(await auditEvents({ requestId: id })).toEqual([
      expect.objectContaining({ action: 'auth.logout', actor_id: user.id, target_id: sessionId }),
    ]);
  });

  it("revokes only that session: the user's other sessions keep working", async () => {
    const user = await createUser(deps);
    const other = tokensOf(await (await anonymous()).auth.login({ email: user.email, password: TEST_PASSWORD }));
    await (await anonymous()).auth.logout({ refreshToken: user.refreshToken });
    await expect((await as(other.accessToken)).auth.me()).resolves.toMatchObject({ id: user.id });
  });

  it('logging out an already logged-out session succeeds without a second audit event', async () => {
    const user = await createUser(deps);
    const caller = await anonymous();
    await caller.auth.logout({ refreshToken: user.refreshToken });
    await expect(caller.auth.logout({ refreshToken: user.refreshToken })).resolves.toEqual({ success: true });
    expect(await auditEvents({ actorId: user.id, action: 'auth.logout' })).toHaveLength(1);
  });

  it('still logs out when Redis is down: refused here at once, and kept until Redis takes it', async () => {
    const down = unreachableRedis();
    const { store } = sessionStateWithRedisDown(down, deps.db);
    try {
      const user = await createUser(deps);
      const withStoreDown = { ...deps, sessionState: store };
      const caller = await callerFor(withStoreDown, {});
      await expect(caller.auth.logout({ refreshToken: user.refreshToken })).resolves.toEqual({ success: true });
      expect((await sessionRow(await sessionIdOf(deps.db, user.refreshToken))).revoked_at).not.toBeNull();
      expect(store.pendingWrites).toBe(1);
      const sameInstance = await callerFor(withStoreDown, { accessToken: user.accessToken });
      expect(await outcomeWithMessage(sameInstance.auth.me())).toBe('UNAUTHORIZED: Session has been revoked');
    } finally {
      store.close();
      down.disconnect();
    }
  });
});

describe('auth.logoutAll', () => {
  it('revokes every session of the caller and counts them; every access token stops working', async () => {
    const user = await createUser(deps);
    const second = tokensOf(await (await anonymous()).auth.login({ email: user.email, password: TEST_PASSWORD }));
    const response = recordingResponse();
    const caller = await callerFor(deps, { accessToken: user.accessToken, response });
    expect(await caller.auth.logoutAll()).toEqual({ revokedSessions: 2 });
    expect(response.refreshCookie).toBeNull();
    for (const token of [user.accessToken, second.accessToken]) {
      expect(await outcomeWithMessage((await as(token)).auth.me())).toBe('UNAUTHORIZED: Session has been revoked');
    }
    expect(await auditEvents({ actorId: user.id, action: 'auth.logout' })).toEqual([
      expect.objectContaining({ target_type: 'user', metadata: { allSessions: true, revokedSessions: 2 } }),
    ]);
  });
});

describe('auth.sessions', () => {
  it('lists the active sessions with their device, address and which one is current', async () => {
    const user = await createUser(deps);
    const laptop = tokensOf(
      await (await anonymous({ userAgent: 'Laptop Browser', ip: '198.51.100.7' })).auth.login({
        email: user.email,
        password: TEST_PASSWORD,
      }),
    );
    const gone = tokensOf(await (await anonymous()).auth.login({ email: user.email, password: TEST_PASSWORD }));
    await (await anonymous()).auth.logout({ refreshToken: gone.refreshToken });

    const { items } = await (await as(laptop.accessToken)).auth.sessions();
    expect(items).toHaveLength(2);
    const current = items.find((item) => item.current);
    expect(current).toMatchObject({
      id: await sessionIdOf(deps.db, laptop.refreshToken),
      userAgent: 'Laptop Browser',
      ip: '198.51.100.7',
    });
    expect(new Date(current?.expiresAt ?? 0).getTime()).toBeGreaterThan(Date.now() + 6 * 24 * 3600 * 1000);
    expect(items.filter((item) => !item.current).map((item) => item.id)).toEqual([
      await sessionIdOf(deps.db, user.refreshToken),
    ]);
  });
});

describe('auth.revokeSession', () => {
  it("revokes one of the caller's other sessions: its token stops working, the caller's does not", async () => {
    const user = await createUser(deps);
    const other = tokensOf(await (await anonymous()).auth.login({ email: user.email, password: TEST_PASSWORD }));
    const caller = await as(user.accessToken);
    await expect(
      caller.auth.revokeSession({ sessionId: await sessionIdOf(deps.db, other.refreshToken) }),
    ).resolves.toEqual({
      success: true,
    });
    expect(await outcomeWithMessage((await as(other.accessToken)).auth.me())).toBe(
      'UNAUTHORIZED: Session has been revoked',
    );
    await expect(caller.auth.me()).resolves.toMatchObject({ id: user.id });
  });

  it("reports another user's session as not found and leaves it alone", async () => {
    const [owner, stranger] = [await createUser(deps), await createUser(deps)];
    const sessionId = await sessionIdOf(deps.db, owner.refreshToken);
    expect(await outcomeWithMessage(stranger.caller.auth.revokeSession({ sessionId }))).toBe(
      'NOT_FOUND: Session not found',
    );
    expect(await outcomeWithMessage(stranger.caller.auth.revokeSession({ sessionId: randomUUID() }))).toBe(
      'NOT_FOUND: Session not found',
    );
    expect((await sessionRow(sessionId)).revoked_at).toBeNull();
  });

  it('revoking an already revoked session succeeds without another audit event', async () => {
    const user = await createUser(deps);
    const other = tokensOf(await (await anonymous()).auth.login({ email: user.email, password: TEST_PASSWORD }));
    const sessionId = await sessionIdOf(deps.db, other.refreshToken);
    await user.caller.auth.revokeSession({ sessionId });
    await expect(user.caller.auth.revokeSession({ sessionId })).resolves.toEqual({ success: true });
    expect(await auditEvents({ actorId: user.id, action: 'auth.logout' })).toHaveLength(1);
  });

  it('refuses a malformed session id as a validation error', async () => {
    const user = await createUser(deps);
    expect(await outcomeWithMessage(user.caller.auth.revokeSession({ sessionId: 'not-a-uuid' }))).toMatch(
      /^BAD_REQUEST/,
    );
  });
});

describe('auth.changePassword', () => {
  const NEW_PASSWORD = 'N3w-Passw0rd';

  it('refuses a wrong current password with 400 and keeps the old password', async () => {
    const user = await createUser(deps);
    expect(
      await outcomeWithMessage(
        user.caller.auth.changePassword({ currentPassword: 'Wrong-passw0rd', newPassword: NEW_PASSWORD }),
      ),
    ).toBe('BAD_REQUEST: Current password is incorrect');
    await expect((await anonymous()).auth.login({ email: user.email, password: TEST_PASSWORD })).resolves.toMatchObject(
      { user: { id: user.id } },
    );
  });

  it('refuses a new password that breaks the policy', async () => {
    const user = await createUser(deps);
    expect(
      await outcomeWithMessage(
        user.caller.auth.changePassword({ currentPassword: TEST_PASSWORD, newPassword: 'alllowercase1' }),
      ),
    ).toMatch(/^BAD_REQUEST/);
  });

  it('changes the password and revokes every other session, keeping the current one', async () => {
    const user = await createUser(deps);
    const other = tokensOf(await (await anonymous()).auth.login({ email: user.email, password: TEST_PASSWORD }));
    await expect(
      user.caller.auth.changePassword({ currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD }),
    ).resolves.toEqual({ success: true });

    await expect(user.caller.auth.me()).resolves.toMatchObject({ id: user.id });
    expect(await outcomeWithMessage((await as(other.accessToken)).auth.me())).toBe(
      'UNAUTHORIZED: Session has been revoked',
    );
    const caller = await anonymous();
    expect(await outcomeWithMessage(caller.auth.login({ email: user.email, password: TEST_PASSWORD }))).toBe(
      'UNAUTHORIZED: Invalid credentials',
    );
    await expect(caller.auth.login({ email: user.email, password: NEW_PASSWORD })).resolves.toMatchObject({
      user: { id: user.id },
    });
    expect(await auditEvents({ actorId: user.id, action: 'auth.password_changed' })).toEqual([
      expect.objectContaining({ target_id: user.id, metadata: { revokedSessions: 1 } }),
    ]);
  });
});

describe('a user removed from the database', () => {
  it('is told its user no longer exists, by auth.me and auth.changePassword alike', async () => {
    const user = await createUser(deps);
    await deps.db.deleteFrom('users').where('id', '=', user.id).execute();
    expect(await outcomeWithMessage(user.caller.auth.me())).toBe('UNAUTHORIZED: User no longer exists');
    expect(
      await outcomeWithMessage(
        user.caller.auth.changePassword({ currentPassword: TEST_PASSWORD, newPassword: 'N3w-Passw0rd' }),
      ),
    ).toBe('UNAUTHORIZED: User no longer exists');
  });
});

describe('ensureAdmin', () => {
  it('creates the bootstrap ADMIN with a normalized email, who can then sign in', async () => {
    const address = email();
    const created = await ensureAdmin(deps, `  ${address.toUpperCase()} `, 'Adm1n-password');
    expect(created).toMatchObject({ email: address, role: 'ADMIN', name: 'Administrator' });
    const payload = tokensOf(await (await anonymous()).auth.login({ email: address, password: 'Adm1n-password' }));
    expect(payload.user).toMatchObject({ id: created?.id, role: 'ADMIN' });
  });

  it('does nothing when a user already has that email: no second account, no promotion', async () => {
    const user = await createUser(deps);
    expect(await ensureAdmin(deps, user.email, 'Adm1n-password')).toBeUndefined();
    const rows = await deps.db.selectFrom('users').select(['id', 'role']).where('email', '=', user.email).execute();
    expect(rows).toEqual([{ id: user.id, role: 'USER' }]);
  });

  it('is idempotent across instances starting at the same moment: exactly one admin is created', async () => {
    const address = email();
    const results = await Promise.all(Array.from({ length: 4 }, () => ensureAdmin(deps, address, 'Adm1n-password')));
    expect(results.filter((row) => row !== undefined)).toHaveLength(1);
    const rows = await deps.db.selectFrom('users').select('role').where('email', '=', address).execute();
    expect(rows).toEqual([{ role: 'ADMIN' }]);
  });
});
