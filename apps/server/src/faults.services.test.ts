// Outages: Redis or PostgreSQL disappears mid-run (a TCP proxy is cut); the server keeps answering
// cleanly and recovers by itself when the service returns.

import {
  captureLogger,
  clearRedisPrefix,
  connectTestRedis,
  createTestDatabase,
  testRedisUrl,
  until,
} from '@keel/api/testing';
import { createDatabase } from '@keel/db';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { createRuntime, type Runtime } from './runtime.js';
import { testEnv, trpcCall } from './testing/server.js';
import { startTcpProxy, type TcpProxy, viaProxy } from './testing/tcp-proxy.js';

const PASSWORD = 'Passw0rd!';
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** A server whose database and/or Redis connections go through cuttable proxies. */
async function serverBehindProxies(options: { proxyDatabase: boolean; proxyRedis: boolean }) {
  const testDatabase = await createTestDatabase();
  await testDatabase.close();
  const proxies: TcpProxy[] = [];
  const proxyFor = async (url: string) => {
    const parsed = new URL(url);
    const proxy = await startTcpProxy({ host: parsed.hostname, port: Number(parsed.port) });
    proxies.push(proxy);
    return proxy;
  };
  const dbProxy = options.proxyDatabase ? await proxyFor(testDatabase.url as string) : undefined;
  const redisProxy = options.proxyRedis ? await proxyFor(testRedisUrl as string) : undefined;
  const env = testEnv({
    REDIS_URL: redisProxy ? viaProxy(testRedisUrl as string, redisProxy) : (testRedisUrl as string),
    LOG_LEVEL: 'info',
  });
  const config = loadConfig({ ...env, DATA_DIR: '/tmp/keel-faults-unused' });
  const { logger, logs } = captureLogger();
  const database = createDatabase({
    url: dbProxy ? viaProxy(testDatabase.url as string, dbProxy) : testDatabase.url,
    connectionTimeoutMs: 1_000,
    statementTimeoutMs: 5_000,
  });
  const runtime: Runtime = await createRuntime(config, logger, { database });
  const url = await runtime.app.listen({ port: 0, host: '127.0.0.1' });
  cleanups.push(async () => {
    for (const proxy of proxies) proxy.restore();
    await runtime.close();
    for (const proxy of proxies) await proxy.close();
    const redis = await connectTestRedis();
    if (redis) {
      await clearRedisPrefix(redis, env.REDIS_KEY_PREFIX as string);
      redis.disconnect();
    }
    await testDatabase.destroy();
  });
  return { url, logs, dbProxy, redisProxy, prefix: env.REDIS_KEY_PREFIX as string };
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
    expect(((await ready.json()) as any).checks.redis).toMatch(/^failed/);
    expect(server.logs.some((line) => String(line.msg).includes('in-memory limiter answered'))).toBe(true);

    server.redisProxy?.restore();
    await until(
      () => fetch(`${server.url}/health/ready`).then((r) => r.status),
      (status) => status === 200,
      15_000,
    );
    // Back on Redis: a logout is written there and refused from the store on the next request.
    await trpcCall(server.url, 'auth.logout', 'mutation', { refreshToken: user.refreshToken });
    const redis = await connectTestRedis();
    const keys = await redis?.keys(`${server.prefix}session-revoked:*`);
    redis?.disconnect();
    expect(keys?.length).toBeGreaterThan(0);
    expect((await trpcCall(server.url, 'auth.me', 'query', undefined, { token: user.accessToken })).status).toBe(401);
  });
});

describe('PostgreSQL outage', () => {
  it('reports not ready within 2 s, fails requests fast and cleanly, and recovers by itself', async () => {
    const server = await serverBehindProxies({ proxyDatabase: true, proxyRedis: false });
    const user = await registerUser(server.url);
    server.dbProxy?.cut();

    const ready = await fetch(`${server.url}/health/ready`, { signal: AbortSignal.timeout(2_000) });
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as any).checks.database).toMatch(/^failed/);

    const list = await fetch(`${server.url}/trpc/projects.list?input=${encodeURIComponent('{}')}`, {
      headers: { authorization: `Bearer ${user.accessToken}` },
      signal: AbortSignal.timeout(5_000),
    });
    expect(list.status).toBe(503);
    const body = (await list.json()) as any;
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
