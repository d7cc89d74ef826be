import { randomBytes, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearRedisPrefix, connectTestRedis, testRedisUrl } from '../testing/index.js';
import { unreachableRedis } from '../testing/unreachable.js';
import { createMemorySessionState, createRedisSessionState, type SessionStateStore } from './session-state.js';

const TTL_SECONDS = 900;
let redis: Redis | undefined;
let down: Redis;
const prefix = `keel-test:ss:${randomBytes(4).toString('hex')}:`;

beforeAll(async () => {
  redis = await connectTestRedis();
  down = unreachableRedis();
});
afterAll(async () => {
  if (redis) {
    await clearRedisPrefix(redis, prefix);
    redis.disconnect();
  }
  down.disconnect();
});

const stores: ['memory' | 'redis', () => SessionStateStore][] = [
  ['memory', () => createMemorySessionState(TTL_SECONDS)],
];
if (testRedisUrl) stores.push(['redis', () => createRedisSessionState(redis as Redis, prefix, TTL_SECONDS)]);

describe.each(stores)('session-state store on %s', (_name, create) => {
  it('knows nothing of a session that was never revoked nor a user whose role never changed', async () => {
    expect(await create().lookup(randomUUID(), randomUUID())).toEqual({ revoked: false, role: undefined });
  });

  it('reports a revoked session as revoked, and only that one', async () => {
    const store = create();
    const [revoked, other, kept] = [randomUUID(), randomUUID(), randomUUID()];
    await store.revokeSessions([revoked, other]);
    expect((await store.lookup(revoked, randomUUID())).revoked).toBe(true);
    expect((await store.lookup(other, randomUUID())).revoked).toBe(true);
    expect((await store.lookup(kept, randomUUID())).revoked).toBe(false);
  });

  it('reports the changed role of a user for every one of their sessions', async () => {
    const store = create();
    const userId = randomUUID();
    await store.setUserRole(userId, 'GUEST');
    expect(await store.lookup(randomUUID(), userId)).toEqual({ revoked: false, role: 'GUEST' });
    await store.setUserRole(userId, 'ADMIN');
    expect((await store.lookup(randomUUID(), userId)).role).toBe('ADMIN');
    expect((await store.lookup(randomUUID(), randomUUID())).role).toBeUndefined();
  });

  it('revoking an empty list of sessions is a harmless no-op', async () => {
    const store = create();
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
});

describe('Redis session state while Redis is down', () => {
  const store = () => createRedisSessionState(down, prefix, TTL_SECONDS);

  it('a lookup fails loudly instead of answering "not revoked"', async () => {
    await expect(store().lookup(randomUUID(), randomUUID())).rejects.toThrow();
  });

  it('a revocation fails loudly instead of pretending it was broadcast', async () => {
    await expect(store().revokeSessions([randomUUID()])).rejects.toThrow();
  });

  it('a role change fails loudly instead of pretending it was broadcast', async () => {
    await expect(store().setUserRole(randomUUID(), 'GUEST')).rejects.toThrow();
  });
});
