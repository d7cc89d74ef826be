// Needs a real Redis: runs in the services project only (see tooling/vitest-modes.ts).
import { randomBytes, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearRedisPrefix, connectTestRedis } from '../testing/index.js';
import { createRedisSessionState } from './session-state.js';

const TTL_SECONDS = 900;
let redis: Redis | undefined;
const prefix = `keel-test:ss:${randomBytes(4).toString('hex')}:`;

beforeAll(async () => {
  redis = await connectTestRedis();
});
afterAll(async () => {
  if (redis) {
    await clearRedisPrefix(redis, prefix);
    redis.disconnect();
  }
});

describe('Redis session state', () => {
  it('is shared: a revocation written by one instance is seen by another', async () => {
    const instanceA = createRedisSessionState(redis as Redis, prefix, TTL_SECONDS);
    const instanceB = createRedisSessionState(redis as Redis, prefix, TTL_SECONDS);
    const [sessionId, userId] = [randomUUID(), randomUUID()];
    await instanceA.revokeSessions([sessionId]);
    await instanceA.setUserRole(userId, 'GUEST');
    expect(await instanceB.lookup(sessionId, userId)).toEqual({ revoked: true, role: 'GUEST' });
  });

  it('keeps its entries only as long as an access token lives', async () => {
    const store = createRedisSessionState(redis as Redis, prefix, TTL_SECONDS);
    const [sessionId, userId] = [randomUUID(), randomUUID()];
    await store.revokeSessions([sessionId]);
    await store.setUserRole(userId, 'USER');
    for (const key of [`${prefix}session-revoked:${sessionId}`, `${prefix}user-role:${userId}`]) {
      const ttl = await (redis as Redis).ttl(key);
      expect(ttl).toBeGreaterThan(TTL_SECONDS - 5);
      expect(ttl).toBeLessThanOrEqual(TTL_SECONDS);
    }
  });
});
