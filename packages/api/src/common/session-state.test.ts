import { randomBytes, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSessionRecord } from '../modules/auth/session-record.js';
import {
  clearRedisPrefix,
  connectTestRedis,
  createTestDeps,
  createUser,
  type TestDeps,
  testRedisUrl,
  until,
} from '../testing/index.js';
import { sessionStateWithRedisDown, unreachableRedis } from '../testing/unreachable.js';
import {
  createMemorySessionState,
  createRedisSessionState,
  type DurableSessionStateStore,
  type SessionStateStore,
} from './session-state.js';

const TTL_SECONDS = 900;
let redis: Redis | undefined;
let down: Redis;
let deps: TestDeps;
const opened: DurableSessionStateStore[] = [];
const prefix = `keel-test:ss:${randomBytes(4).toString('hex')}:`;

beforeAll(async () => {
  redis = await connectTestRedis();
  down = unreachableRedis();
  deps = await createTestDeps({ redis: false });
});
afterAll(async () => {
  for (const store of opened) store.close();
  await deps.close();
  if (redis) {
    await clearRedisPrefix(redis, prefix);
    redis.disconnect();
  }
  down.disconnect();
});

const stores: ['memory' | 'redis', () => Promise<SessionStateStore>][] = [
  ['memory', async () => createMemorySessionState(TTL_SECONDS)],
];
/** A Redis store once it has caught up, when it answers from memory. */
async function redisStore(): Promise<DurableSessionStateStore> {
  const store = createRedisSessionState({
    redis: redis as Redis,
    prefix,
    ttlSeconds: TTL_SECONDS,
    record: createSessionRecord(deps.db),
  });
  opened.push(store);
  await until(
    async () => store.synced,
    (synced) => synced,
    5_000,
  );
  return store;
}
if (testRedisUrl) stores.push(['redis', redisStore]);

describe.each(stores)('session-state store on %s', (_name, create) => {
  it('knows nothing of a session that was never revoked nor a user whose role never changed', async () => {
    expect(await (await create()).lookup(randomUUID(), randomUUID())).toEqual({ revoked: false, role: undefined });
  });

  it('reports a revoked session as revoked, and only that one', async () => {
    const store = await create();
    const [revoked, other, kept] = [randomUUID(), randomUUID(), randomUUID()];
    await store.revokeSessions([revoked, other]);
    expect((await store.lookup(revoked, randomUUID())).revoked).toBe(true);
    expect((await store.lookup(other, randomUUID())).revoked).toBe(true);
    expect((await store.lookup(kept, randomUUID())).revoked).toBe(false);
  });

  it('reports the changed role of a user for every one of their sessions', async () => {
    const store = await create();
    const userId = randomUUID();
    await store.setUserRole(userId, 'GUEST');
    expect(await store.lookup(randomUUID(), userId)).toEqual({ revoked: false, role: 'GUEST' });
    await store.setUserRole(userId, 'ADMIN');
    expect((await store.lookup(randomUUID(), userId)).role).toBe('ADMIN');
    expect((await store.lookup(randomUUID(), randomUUID())).role).toBeUndefined();
  });

  it('revoking an empty list of sessions is a harmless no-op', async () => {
    const store = await create();
    await expect(store.revokeSessions([])).resolves.toBeUndefined();
  });
});

describe('in-memory session state', () => {
  it('forgets revocations and role changes once every access token they concern has expired', async () => {
    let now = 1_000_000;
    const store = createMemorySessionState(60, () => now);
    const [sessionId, userId] = [randomUUID(), randomUUID()];
    await store.revokeSessions([sessionId]);
    await store.setUserRole(userId, 'GUEST');
    now += 59_000;
    expect(await store.lookup(sessionId, userId)).toEqual({ revoked: true, role: 'GUEST' });
    now += 1_000;
    expect(await store.lookup(sessionId, userId)).toEqual({ revoked: false, role: undefined });
  });

  it('each entry expires on its own schedule, however many are written after it', async () => {
    let now = 0;
    const store = createMemorySessionState(10, () => now);
    const [old, fresh, userId] = [randomUUID(), randomUUID(), randomUUID()];
    await store.revokeSessions([old]);
    await store.setUserRole(userId, 'ADMIN');
    now = 5_000;
    await store.revokeSessions([fresh]);
    now = 11_000;
    await store.setUserRole(randomUUID(), 'USER');
    expect(await store.lookup(old, userId)).toEqual({ revoked: false, role: undefined });
    expect((await store.lookup(fresh, randomUUID())).revoked).toBe(true);
  });

  it('a revocation or a role written again lives from its last write, and the newest role wins', async () => {
    let now = 0;
    const store = createMemorySessionState(10, () => now);
    const [sessionId, userId] = [randomUUID(), randomUUID()];
    await store.revokeSessions([sessionId]);
    await store.setUserRole(userId, 'ADMIN');
    now = 6_000;
    await store.revokeSessions([sessionId]);
    await store.setUserRole(userId, 'GUEST');
    now = 12_000;
    // A write that drops what has expired by now.
    await store.setUserRole(randomUUID(), 'USER');
    expect(await store.lookup(sessionId, userId)).toEqual({ revoked: true, role: 'GUEST' });
    now = 16_000;
    expect(await store.lookup(sessionId, userId)).toEqual({ revoked: false, role: undefined });
  });
});

describe('Redis session state while Redis is down', () => {
  const storeDown = () => {
    const { store, degraded } = sessionStateWithRedisDown(down, deps.db);
    opened.push(store);
    return { store, degraded };
  };

  it('answers lookups from the database: an active session is valid and carries its current role', async () => {
    const user = await createUser(deps, { role: 'GUEST' });
    const { store, degraded } = storeDown();
    expect(store.synced).toBe(false);
    expect(await store.lookup(user.sessionId, user.id)).toEqual({ revoked: false, role: 'GUEST' });
    expect(degraded).toEqual([]);
  });

  it('answers "revoked" for a session the database revoked, and for one it does not know', async () => {
    const user = await createUser(deps);
    await deps.db.updateTable('sessions').set({ revoked_at: new Date() }).where('id', '=', user.sessionId).execute();
    const { store } = storeDown();
    expect((await store.lookup(user.sessionId, user.id)).revoked).toBe(true);
    expect((await store.lookup(randomUUID(), user.id)).revoked).toBe(true);
  });

  it('keeps a revocation Redis refused, and refuses that session on this instance at once', async () => {
    const { store, degraded } = storeDown();
    const sessionId = randomUUID();
    await expect(store.revokeSessions([sessionId])).resolves.toBeUndefined();
    expect(store.pendingWrites).toBe(1);
    expect(degraded).toContain('Redis refused a revocation; kept and retried until it takes it');
    expect((await store.lookup(sessionId, randomUUID())).revoked).toBe(true);
  });

  it('keeps a role change Redis refused until Redis takes it', async () => {
    const { store } = storeDown();
    await store.setUserRole(randomUUID(), 'GUEST');
    await store.setUserRole(randomUUID(), 'USER');
    expect(store.pendingWrites).toBe(2);
  });
});
