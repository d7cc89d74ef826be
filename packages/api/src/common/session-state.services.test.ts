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
import { createRedisSessionState, type DurableSessionStateStore, type SessionRecord } from './session-state.js';

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

interface StoreOptions {
  /** The publishing connection (its duplicate subscribes unless `subscriber` is given). */
  client?: Redis;
  subscriber?: Redis;
  record?: SessionRecord;
}

function store({ client = redis, subscriber, record = createSessionRecord(deps.db) }: StoreOptions = {}) {
  const created = createRedisSessionState({
    redis: client,
    subscriber,
    prefix,
    ttlSeconds: TTL_SECONDS,
    record,
    retryIntervalMs: 50,
  });
  cleanups.push(() => created.close());
  return created;
}

const untilSynced = (...stores: DurableSessionStateStore[]) =>
  until(
    async () => stores.every((s) => s.synced),
    (synced) => synced,
    5_000,
  );
const untilDistrusted = (instance: DurableSessionStateStore) =>
  until(
    async () => instance.synced,
    (synced) => !synced,
    5_000,
  );

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

/** Within the 1 s bound, `instance` refuses `sessionId` and gives `userId` (demoted to GUEST) the new role on any session. */
async function expectHeardWithinBound(instance: DurableSessionStateStore, sessionId: string, userId: string) {
  const heard = await until(
    async () => [await instance.lookup(sessionId, userId), await instance.lookup(randomUUID(), userId)],
    ([revocation, role]) => revocation?.revoked === true && role?.role === 'GUEST',
    1_000,
  );
  expect(heard).toEqual([
    { revoked: true, role: undefined },
    { revoked: false, role: 'GUEST' },
  ]);
}

/**
 * An instance beside another, whose catch-ups read the record and then, once armed by
 * `reconnectHeld`, hold what they read until `release()`: what the record said may then be older
 * than what the subscription delivers meanwhile. `reconnectHeld` cuts the subscription, waits until
 * the instance distrusts its memory, runs `beforeRestore`, restores it, and returns once the
 * catch-up that follows is held.
 */
async function instanceWithHeldCatchUp() {
  const record = createSessionRecord(deps.db);
  let armed = false;
  let markHeld: () => void = () => {};
  const held = new Promise<void>((resolve) => {
    markHeld = resolve;
  });
  let release: () => void = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const hold = async <T>(reading: Promise<T>): Promise<T> => {
    const value = await reading;
    if (armed) {
      markHeld();
      await released;
    }
    return value;
  };
  const heldRecord: SessionRecord = {
    ...record,
    sessionsRevokedSince: (since) => hold(record.sessionsRevokedSince(since)),
    rolesChangedSince: (since) => hold(record.rolesChangedSince(since)),
  };
  const { client: subscriber, proxy } = await clientBehindProxy();
  const [instance, other] = [store({ subscriber, record: heldRecord }), store()];
  await untilSynced(instance, other);
  return {
    instance,
    other,
    subscriber,
    release,
    async reconnectHeld(beforeRestore?: () => Promise<unknown>) {
      armed = true;
      proxy.cut();
      await untilDistrusted(instance);
      await beforeRestore?.();
      proxy.restore();
      await held;
    },
  };
}

/** Makes an admin a USER in the record, as another instance's role change commits it. */
const demoteInRecord = (userId: string) =>
  deps.db.updateTable('users').set({ role: 'USER', updated_at: new Date() }).where('id', '=', userId).execute();

/** Revokes a session in the record, as another instance's logout commits it. */
const revokeInRecord = (sessionId: string) =>
  deps.db.updateTable('sessions').set({ revoked_at: new Date() }).where('id', '=', sessionId).execute();

describe('Redis session state', () => {
  it('is shared: a revocation and a role change made on one instance are heard by another within the bound', async () => {
    const [instanceA, instanceB] = [store(), store()];
    await untilSynced(instanceA, instanceB);
    const [sessionId, userId] = [randomUUID(), randomUUID()];
    await instanceA.revokeSessions([sessionId]);
    await instanceA.setUserRole(userId, 'GUEST');
    expect(instanceA.lookup(sessionId, userId)).toEqual({ revoked: true, role: undefined });
    await expectHeardWithinBound(instanceB, sessionId, userId);
  });

  it('once caught up, answers an ordinary call from memory, without waiting for Redis or the database', async () => {
    const instance = store();
    await untilSynced(instance);
    const answer = instance.lookup(randomUUID(), randomUUID());
    expect(answer).not.toBeInstanceOf(Promise);
    expect(answer).toEqual({ revoked: false, role: undefined });
  });

  it('an instance started later learns the revocations and role changes of the last token lifetime from the record', async () => {
    const user = await createUser(deps);
    const demoted = await createUser(deps, { role: 'ADMIN' });
    await revokeInRecord(user.sessionId);
    await demoteInRecord(demoted.id);
    const instance = store();
    // Before it has caught up it asks the database; after, its memory knows.
    expect(await instance.lookup(user.sessionId, user.id)).toMatchObject({ revoked: true });
    await untilSynced(instance);
    expect(instance.lookup(user.sessionId, user.id)).toEqual({ revoked: true, role: undefined });
    expect(instance.lookup(demoted.sessionId, demoted.id)).toEqual({ revoked: false, role: 'USER' });
  });
});

describe('a revocation made while Redis is unreachable is never lost', () => {
  it('a revocation and a role change Redis refused reach every instance once Redis answers again', async () => {
    const { client, proxy } = await clientBehindProxy();
    const [writer, other] = [store({ client }), store()];
    await untilSynced(writer, other);
    const [sessionId, userId] = [randomUUID(), randomUUID()];
    proxy.cut();
    await untilDistrusted(writer);
    await writer.revokeSessions([sessionId]);
    await writer.setUserRole(userId, 'GUEST');
    expect(writer.pendingWrites).toBe(2);
    // The instance that made the change honours it at once; the other cannot know yet.
    expect((await writer.lookup(sessionId, userId)).revoked).toBe(true);
    expect(await other.lookup(sessionId, userId)).toEqual({ revoked: false, role: undefined });

    proxy.restore();
    await until(
      () => writer.pendingWrites,
      (pending) => pending === 0,
      10_000,
    );
    await expectHeardWithinBound(other, sessionId, userId);
  });

  it('after a reconnect, what the database revoked meanwhile is copied in before memory is trusted again', async () => {
    const user = await createUser(deps);
    const demoted = await createUser(deps, { role: 'ADMIN' });
    const { client, proxy } = await clientBehindProxy();
    const instance = store({ client });
    await untilSynced(instance);
    proxy.cut();
    await untilDistrusted(instance);
    // Another instance revoked the session and demoted the admin; its messages never came here.
    await revokeInRecord(user.sessionId);
    await demoteInRecord(demoted.id);
    // Unsure of what it missed, this instance asks the database.
    expect((await instance.lookup(user.sessionId, user.id)).revoked).toBe(true);
    expect((await instance.lookup(demoted.sessionId, demoted.id)).role).toBe('USER');

    proxy.restore();
    await untilSynced(instance);
    expect(instance.lookup(user.sessionId, user.id)).toEqual({ revoked: true, role: undefined });
    expect(instance.lookup(demoted.sessionId, demoted.id)).toEqual({ revoked: false, role: 'USER' });
  });
});

describe('pub/sub that drops or lags never lets a revoked token through', () => {
  it('a subscription that stalls: past the bound the instance asks the database, and trusts memory again once it hears itself', async () => {
    const user = await createUser(deps);
    const { client: subscriber, proxy } = await clientBehindProxy();
    const [instance, other] = [store({ subscriber }), store()];
    await untilSynced(instance, other);
    proxy.pause();
    // The revocation's message is held in the stalled connection.
    await revokeInRecord(user.sessionId);
    await other.revokeSessions([user.sessionId]);
    const refused = await until(
      async () => instance.lookup(user.sessionId, user.id),
      (state) => state.revoked,
      2_000,
    );
    expect(refused.revoked).toBe(true);
    expect(instance.synced).toBe(false);

    proxy.resume();
    await untilSynced(instance);
    expect(instance.lookup(user.sessionId, user.id)).toEqual({ revoked: true, role: undefined });
  });

  it('a revocation raced with a reconnect: a message heard during the catch-up and a row written before it both hold', async () => {
    const [heardDuring, committedBefore] = [await createUser(deps), await createUser(deps)];
    const { instance, other, reconnectHeld, release } = await instanceWithHeldCatchUp();
    await reconnectHeld(() => revokeInRecord(committedBefore.sessionId));
    // The catch-up has read the record but not applied it: the subscription delivers again. Only
    // the message says this one is revoked, so memory can only know it by hearing it.
    await other.revokeSessions([heardDuring.sessionId]);
    await until(
      async () => instance.lookup(heardDuring.sessionId, heardDuring.id),
      (state) => state.revoked,
      1_000,
    );
    expect(instance.synced).toBe(false);
    release();
    await untilSynced(instance);
    expect(instance.lookup(heardDuring.sessionId, heardDuring.id)).toEqual({ revoked: true, role: undefined });
    expect(instance.lookup(committedBefore.sessionId, committedBefore.id)).toEqual({ revoked: true, role: undefined });
  });

  it('a role change heard while a catch-up reads the record is not undone by the older snapshot', async () => {
    const promoted = await createUser(deps);
    const { instance, other, subscriber, reconnectHeld, release } = await instanceWithHeldCatchUp();
    // The held snapshot has the user as a USER.
    await reconnectHeld();
    // The store's own listener was added first: once this one hears the message, the store has too.
    const heard = new Promise<void>((resolve) =>
      subscriber.on('message', (_channel: string, text: string) => {
        if (text.includes(promoted.id)) resolve();
      }),
    );
    await other.setUserRole(promoted.id, 'ADMIN');
    await heard;
    release();
    await untilSynced(instance);
    expect(instance.lookup(promoted.sessionId, promoted.id)).toEqual({ revoked: false, role: 'ADMIN' });
  });
});
