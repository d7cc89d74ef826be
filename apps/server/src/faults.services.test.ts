// Outages: Redis or PostgreSQL disappears mid-run (a TCP proxy is cut); the server keeps answering
// cleanly and recovers by itself when the service returns.

import {
  captureLogger,
  clearRedisPrefix,
  connectTestRedis,
  createTestDatabase,
  startTcpProxy,
  type TcpProxy,
  testRedisUrl,
  until,
  viaProxy,
} from '@keel/api/testing';
import { createDatabase } from '@keel/db';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { createRuntime, type Runtime } from './runtime.js';
import { type HealthBody, readJson, type TrpcEnvelope } from './testing/bodies.js';
import { testEnv, trpcCall } from './testing/server.js';

const PASSWORD = 'Passw0rd!';
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

interface ProxiedServerOptions {
  proxyDatabase: boolean;
  proxyRedis: boolean;
  /** Another instance's database and Redis prefix, to run a second instance beside it. */
  shareWith?: { databaseUrl: string; prefix: string };
}

/** A server whose database and/or Redis connections go through cuttable proxies. */
async function serverBehindProxies(options: ProxiedServerOptions) {
  const testDatabase = options.shareWith ? undefined : await createTestDatabase();
  await testDatabase?.close();
  const databaseUrl = options.shareWith?.databaseUrl ?? (testDatabase?.url as string);
  const proxies: TcpProxy[] = [];
  const proxyFor = async (url: string) => {
    const parsed = new URL(url);
    const proxy = await startTcpProxy({ host: parsed.hostname, port: Number(parsed.port) });
    proxies.push(proxy);
    return proxy;
  };
  const dbProxy = options.proxyDatabase ? await proxyFor(databaseUrl) : undefined;
  const redisProxy = options.proxyRedis ? await proxyFor(testRedisUrl as string) : undefined;
  const env = testEnv({
    REDIS_URL: redisProxy ? viaProxy(testRedisUrl as string, redisProxy) : (testRedisUrl as string),
    LOG_LEVEL: 'info',
    ...(options.shareWith ? { REDIS_KEY_PREFIX: options.shareWith.prefix } : {}),
  });
  const config = loadConfig({ ...env, DATA_DIR: '/tmp/keel-faults-unused' });
  const { logger, logs } = captureLogger();
  const database = createDatabase({
    url: dbProxy ? viaProxy(databaseUrl, dbProxy) : databaseUrl,
    connectionTimeoutMs: 1_000,
    statementTimeoutMs: 5_000,
  });
  const runtime: Runtime = await createRuntime(config, logger, { database });
  const url = await runtime.app.listen({ port: 0, host: '127.0.0.1' });
  cleanups.push(async () => {
    for (const proxy of proxies) proxy.restore();
    await runtime.close();
    for (const proxy of proxies) await proxy.close();
    if (options.shareWith) return;
    const redis = await connectTestRedis();
    if (redis) {
      await clearRedisPrefix(redis, env.REDIS_KEY_PREFIX as string);
      redis.disconnect();
    }
    await testDatabase?.destroy();
  });
  return { url, logs, dbProxy, redisProxy, prefix: env.REDIS_KEY_PREFIX as string, databaseUrl };
}

async function registerUser(url: string) {
  const email = `fault-${Math.random().toString(36).slice(2)}@example.com`;
  const res = await trpcCall(url, 'auth.register', 'mutation', { email, password: PASSWORD, name: 'F' });
  expect(res.status).toBe(200);
  return res.body.result.data as { accessToken: string; refreshToken: string };
}

describe('Redis outage', () => {
  it('keeps answering requests while Redis is down, and uses Redis again when it returns', async () => {
    const server = await serverBehindProxies({ proxyDatabase: false, proxyRedis: true });
    const user = await registerUser(server.url);
    server.redisProxy?.cut();

    const during = await trpcCall(server.url, 'auth.me', 'query', undefined, { token: user.accessToken });
    expect(during.status).toBe(200);
    const login = await registerUser(server.url);
    expect(login.accessToken).toBeTruthy();
    const ready = await fetch(`${server.url}/health/ready`);
    expect(ready.status).toBe(503);
    expect((await readJson<HealthBody>(ready)).checks.redis).toMatch(/^failed/);
    expect(server.logs.some((line) => String(line.msg).includes('counted in this process meanwhile'))).toBe(true);

    server.redisProxy?.restore();
    await until(
      () => fetch(`${server.url}/health/ready`).then((r) => r.status),
      (status) => status === 200,
      15_000,
    );
    // Back on Redis: a logout is refused on the next request.
    await trpcCall(server.url, 'auth.logout', 'mutation', { refreshToken: user.refreshToken });
    expect((await trpcCall(server.url, 'auth.me', 'query', undefined, { token: user.accessToken })).status).toBe(401);
  });
});

/** Two instances on one database and Redis prefix; the first reaches Redis through a cuttable proxy. */
async function twoInstances({ secondProxiesRedis }: { secondProxiesRedis: boolean }) {
  const first = await serverBehindProxies({ proxyDatabase: false, proxyRedis: true });
  const second = await serverBehindProxies({
    proxyDatabase: false,
    proxyRedis: secondProxiesRedis,
    shareWith: { databaseUrl: first.databaseUrl, prefix: first.prefix },
  });
  return [first, second] as const;
}

/** Polls /health/ready of each server until it answers `status`. */
async function untilReadiness(status: number, timeoutMs: number, ...urls: string[]) {
  for (const url of urls) {
    await until(
      () => fetch(`${url}/health/ready`).then((r) => r.status),
      (answered) => answered === status,
      timeoutMs,
    );
  }
}

/** Signs `email` in on `url` after the database made it an ADMIN. */
async function signInAs(url: string, email: string) {
  const res = await trpcCall(url, 'auth.login', 'mutation', { email, password: PASSWORD });
  expect(res.status).toBe(200);
  return res.body.result.data as { accessToken: string; refreshToken: string; user: { id: string } };
}

describe('Redis outage with two instances', () => {
  it('a logout and a demotion made while Redis is down hold on every instance, during the outage and after it', async () => {
    const [first, second] = await twoInstances({ secondProxiesRedis: true });
    const user = await registerUser(first.url);
    const admins = await Promise.all([registerUser(first.url), registerUser(first.url)]);
    const emails = await Promise.all(
      admins.map(async (admin) => {
        const me = await trpcCall(first.url, 'auth.me', 'query', undefined, { token: admin.accessToken });
        return me.body.result.data.email as string;
      }),
    );
    const database = createDatabase({ url: first.databaseUrl });
    await database.db.updateTable('users').set({ role: 'ADMIN' }).where('email', 'in', emails).execute();
    await database.close();
    const [acting, demoted] = await Promise.all(emails.map((email) => signInAs(first.url, email)));
    if (!acting || !demoted) throw new Error('admins were not signed in');

    first.redisProxy?.cut();
    second.redisProxy?.cut();
    await untilReadiness(503, 10_000, first.url, second.url);
    expect((await trpcCall(first.url, 'auth.logout', 'mutation', { refreshToken: user.refreshToken })).status).toBe(
      200,
    );
    const demotion = await trpcCall(
      first.url,
      'admin.users.setRole',
      'mutation',
      { userId: demoted.user.id, role: 'USER' },
      { token: acting.accessToken },
    );
    expect(demotion.status).toBe(200);

    const expectRefusedOn = async (url: string) => {
      expect((await trpcCall(url, 'auth.me', 'query', undefined, { token: user.accessToken })).status).toBe(401);
      expect((await trpcCall(url, 'admin.stats', 'query', undefined, { token: demoted.accessToken })).status).toBe(403);
    };
    await expectRefusedOn(first.url);
    await expectRefusedOn(second.url);

    first.redisProxy?.restore();
    second.redisProxy?.restore();
    await untilReadiness(200, 15_000, first.url, second.url);
    await expectRefusedOn(second.url);
    await expectRefusedOn(first.url);
  });

  it('a revocation made while one instance cannot reach Redis reaches the other once it can', async () => {
    const [first, second] = await twoInstances({ secondProxiesRedis: false });
    const user = await registerUser(first.url);
    first.redisProxy?.cut();
    await untilReadiness(503, 10_000, first.url);
    expect((await trpcCall(first.url, 'auth.logout', 'mutation', { refreshToken: user.refreshToken })).status).toBe(
      200,
    );
    expect((await trpcCall(first.url, 'auth.me', 'query', undefined, { token: user.accessToken })).status).toBe(401);

    first.redisProxy?.restore();
    const onSecond = await until(
      () => trpcCall(second.url, 'auth.me', 'query', undefined, { token: user.accessToken }),
      (res) => res.status === 401,
      10_000,
    );
    expect(onSecond.body.error.message).toBe('Session has been revoked');
  });
});

describe('PostgreSQL outage', () => {
  it('reports not ready within 2 s, fails requests fast and cleanly, and recovers by itself', async () => {
    const server = await serverBehindProxies({ proxyDatabase: true, proxyRedis: false });
    const user = await registerUser(server.url);
    server.dbProxy?.cut();

    const ready = await fetch(`${server.url}/health/ready`, { signal: AbortSignal.timeout(2_000) });
    expect(ready.status).toBe(503);
    expect((await readJson<HealthBody>(ready)).checks.database).toMatch(/^failed/);

    const list = await fetch(`${server.url}/trpc/projects.list?input=${encodeURIComponent('{}')}`, {
      headers: { authorization: `Bearer ${user.accessToken}` },
      signal: AbortSignal.timeout(5_000),
    });
    expect(list.status).toBe(503);
    const body = await readJson<TrpcEnvelope>(list);
    expect(body.error.data.code).toBe('SERVICE_UNAVAILABLE');
    expect(JSON.stringify(body)).not.toMatch(/ECONN|terminated|stack|select /i);

    server.dbProxy?.restore();
    await until(
      () => fetch(`${server.url}/health/ready`).then((r) => r.status),
      (status) => status === 200,
      15_000,
    );
    const after = await until(
      () => trpcCall(server.url, 'projects.list', 'query', {}, { token: user.accessToken }),
      (res) => res.status === 200,
      15_000,
    );
    expect(after.body.result.data.total).toBe(0);
  });
});
