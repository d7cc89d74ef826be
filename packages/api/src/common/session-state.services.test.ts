// Needs a real Redis: runs in the services project only (see tooling/vitest-modes.ts).
import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSessionRecord } from '../modules/auth/session-record.js';
import {
  clearRedisPrefix,
  connectTestRedis,
  createTestDeps,
  createUser,
  startTcpProxy,
  type TcpProxy,
  type TestDeps,
  testRedisUrl,
  until,
} from '../testing/index.js';
import { createRedisSessionState, type DurableSessionStateStore } from './session-state.js';

const TTL_SECONDS = 900;
let redis: Redis;
let deps: TestDeps;
const prefix = `keel-test:ss:${randomBytes(4).toString('hex')}:`;
const cleanups: Array<() => unknown> = [];

beforeAll(async () => {
  redis = (await connectTestRedis()) as Redis;
  deps = await createTestDeps({ redis: false });
});
afterAll(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
  await clearRedisPrefix(redis, prefix);
  redis.disconnect();
  await deps.close();
});

function store(client: Redis = redis): DurableSessionStateStore {
  const created = createRedisSessionState({
    redis: client,
    prefix,
    ttlSeconds: TTL_SECONDS,
    record: createSessionRecord(deps.db),
    retryIntervalMs: 50,
  });
  cleanups.push(() => created.close());
  return created;
}

/** A Redis client configured as the server's, whose connection goes through a cuttable proxy. */
async function clientBehindProxy(): Promise<{ client: Redis; proxy: TcpProxy }> {
  const target = new URL(testRedisUrl as string);
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
  const client = new Redis({
    host: '127.0.0.1',
    port: proxy.port,
    enableOfflineQueue: false,
    commandTimeout: 500,
    maxRetriesPerRequest: 1,
    lazyConnect: true,
    retryStrategy: () => 50,
  });
  client.on('error', () => {});
  await client.connect();
  cleanups.push(async () => {
    client.disconnect();
    await proxy.close();
  });
  return { client, proxy };
}

describe('Redis session state', () => {
  it('is shared: a revocation written by one instance is seen by another', async () => {
    const [instanceA, instanceB] = [store(), store()];
    const [sessionId, userId] = [randomUUID(), randomUUID()];
    await instanceA.revokeSessions([sessionId]);
    await instanceA.setUserRole(userId, 'GUEST');
    expect(await instanceB.lookup(sessionId, userId)).toEqual({ revoked: true, role: 'GUEST' });
  });

  it('keeps its entries only as long as an access token lives', async () => {
    const instance = store();
    const [sessionId, userId] = [randomUUID(), randomUUID()];
    await instance.revokeSessions([sessionId]);
    await instance.setUserRole(userId, 'USER');
    for (const key of [`${prefix}session-revoked:${sessionId}`, `${prefix}user-role:${userId}`]) {
      const ttl = await redis.ttl(key);
      expect(ttl).toBeGreaterThan(TTL_SECONDS - 5);
      expect(ttl).toBeLessThanOrEqual(TTL_SECONDS);
    }
  });
});

describe('a revocation made while Redis is unreachable is never lost', () => {
  it('a revocation and a role change Redis refused reach every instance once Redis answers again', async () => {
    const { client, proxy } = await clientBehindProxy();
    const [writer, other] = [store(client), store()];
    const [sessionId, userId] = [randomUUID(), randomUUID()];
    proxy.cut();
    await until(
      async () => writer.synced,
      (synced) => !synced,
      5_000,
    );
    await writer.revokeSessions([sessionId]);
    await writer.setUserRole(userId, 'GUEST');
    expect(writer.pendingWrites).toBe(2);
    // The instance that made the change honours it at once; the other cannot know yet.
    expect((await writer.lookup(sessionId, userId)).revoked).toBe(true);
    expect(await other.lookup(sessionId, userId)).toEqual({ revoked: false, role: undefined });

    proxy.restore();
    // The writer's queue drains once Redis has acknowledged both writes (its replies come through
    // the proxy, so the other instance could read the keys a moment earlier); from then on every
    // instance sees them.
    await until(
      () => writer.pendingWrites,
      (pending) => pending === 0,
      10_000,
    );
    expect(await other.lookup(sessionId, userId)).toEqual({ revoked: true, role: 'GUEST' });
  });

  it('after a reconnect, what the database revoked meanwhile is copied into Redis before Redis is trusted', async () => {
    const user = await createUser(deps);
    const demoted = await createUser(deps, { role: 'ADMIN' });
    const { client, proxy } = await clientBehindProxy();
    const instance = store(client);
    expect(instance.synced).toBe(true);
    proxy.cut();
    await until(
      async () => instance.synced,
      (synced) => !synced,
      5_000,
    );
    // Another instance revoked the session and demoted the admin, then died before telling Redis.
    await deps.db.updateTable('sessions').set({ revoked_at: new Date() }).where('id', '=', user.sessionId).execute();
    await deps.db
      .updateTable('users')
      .set({ role: 'USER', updated_at: new Date() })
      .where('id', '=', demoted.id)
      .execute();
    // Unsure of Redis, this instance asks the database.
    expect((await instance.lookup(user.sessionId, user.id)).revoked).toBe(true);
    expect((await instance.lookup(demoted.sessionId, demoted.id)).role).toBe('USER');

    proxy.restore();
    await until(
      async () => instance.synced,
      (synced) => synced,
      10_000,
    );
    expect(await redis.get(`${prefix}session-revoked:${user.sessionId}`)).toBe('1');
    expect(await redis.get(`${prefix}user-role:${demoted.id}`)).toBe('USER');
    // An instance that never lost Redis now sees both through Redis alone.
    expect(await store().lookup(user.sessionId, demoted.id)).toEqual({ revoked: true, role: 'USER' });
  });
});
