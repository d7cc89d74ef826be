// Rate limits through HTTP: limits declared per procedure, counted per call, with their headers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, trpcCall } from './testing/server.js';

const PASSWORD = 'Passw0rd!';
let server: TestServer;
let proxied: TestServer;

beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_MULTIPLIER: '1' });
  proxied = await startTestServer({ RATE_LIMIT_MULTIPLIER: '1', TRUST_PROXY: 'true' });
});
afterAll(async () => {
  await server?.close();
  await proxied?.close();
});

const fromIp = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });
const login = (target: TestServer, email: string, password: string, ip: string) =>
  trpcCall(target.url, 'auth.login', 'mutation', { email, password }, fromIp(ip));

describe('login limit: 5 per 15 min per IP + email', () => {
  it('answers the 6th failed login for one IP and email with 429 and the limit headers', async () => {
    const email = `limited-${Date.now()}@example.com`;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await login(proxied, email, 'Wrong-pass1', '10.0.0.1')).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    const limited = await login(proxied, email, 'Wrong-pass1', '10.0.0.1');
    expect(limited.status).toBe(429);
    expect(limited.body.error.data.code).toBe('RATE_LIMITED');
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(limited.headers.get('x-ratelimit-limit')).toBe('5');
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(limited.headers.get('x-ratelimit-reset'))).toBeGreaterThan(0);
  });

  it('does not limit the same IP with another email, nor another IP with the same email', async () => {
    const email = `victim-${Date.now()}@example.com`;
    for (let i = 0; i < 6; i++) await login(proxied, email, 'Wrong-pass1', '10.0.0.2');
    expect((await login(proxied, `other-${Date.now()}@example.com`, 'Wrong-pass1', '10.0.0.2')).status).toBe(401);
    expect((await login(proxied, email, 'Wrong-pass1', '10.0.0.3')).status).toBe(401);
  });

  it('forgives earlier failures after a successful login', async () => {
    const email = `forgiven-${Date.now()}@example.com`;
    await trpcCall(
      proxied.url,
      'auth.register',
      'mutation',
      { email, password: PASSWORD, name: 'F' },
      fromIp('10.0.0.4'),
    );
    for (let i = 0; i < 4; i++) await login(proxied, email, 'Wrong-pass1', '10.0.0.4');
    expect((await login(proxied, email, PASSWORD, '10.0.0.4')).status).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await login(proxied, email, 'Wrong-pass1', '10.0.0.4')).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
  });
});

describe('auth limit: 50 per 15 min per IP', () => {
  it('answers the 51st auth call from one IP with 429, whatever the procedure and the input', async () => {
    const ip = '10.0.1.1';
    const statuses: number[] = [];
    // Refused sign-ups (bad input) and failed sign-ins count alike: the limit runs before validation.
    for (let i = 0; i < 50; i++) {
      const res =
        i % 2 === 0
          ? await trpcCall(proxied.url, 'auth.register', 'mutation', { email: 'not-an-email' }, fromIp(ip))
          : await login(proxied, `nobody-${i}@example.com`, 'Wrong-pass1', ip);
      statuses.push(res.status);
    }
    expect(statuses.filter((s) => s === 429)).toEqual([]);
    const fiftyFirst = await trpcCall(proxied.url, 'auth.register', 'mutation', { email: 'x@example.com' }, fromIp(ip));
    expect(fiftyFirst.status).toBe(429);
    expect(fiftyFirst.headers.get('x-ratelimit-limit')).toBe('50');
    expect(fiftyFirst.headers.get('retry-after')).toMatch(/^\d+$/);
    // Another IP is not affected.
    expect((await login(proxied, 'nobody@example.com', 'Wrong-pass1', '10.0.1.2')).status).toBe(401);
  });
});

describe('client IP', () => {
  it('ignores X-Forwarded-For unless TRUST_PROXY=true', async () => {
    const email = `spoof-${Date.now()}@example.com`;
    // Without TRUST_PROXY every attempt counts against the socket address, whatever the header says.
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await login(server, email, 'Wrong-pass1', `192.0.2.${i}`)).status);
    expect(statuses.at(-1)).toBe(429);
  });
});

describe('every other procedure', () => {
  it('carries the limit headers and counts each call of a batch', async () => {
    const email = `batch-${Date.now()}@example.com`;
    const reg = await trpcCall(server.url, 'auth.register', 'mutation', { email, password: PASSWORD, name: 'B' });
    const token = reg.body.result.data.accessToken;
    const single = await trpcCall(server.url, 'auth.me', 'query', undefined, { token });
    expect(single.headers.get('x-ratelimit-limit')).toBe('1000');
    const before = Number(single.headers.get('x-ratelimit-remaining'));
    const batch = await fetch(`${server.url}/trpc/auth.me,auth.me,auth.me?batch=1&input={}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(batch.status).toBe(200);
    expect(Number(batch.headers.get('x-ratelimit-remaining'))).toBe(before - 3);
  });

  it('gives auth.refresh its own limit, not the login one', async () => {
    const email = `refresh-${Date.now()}@example.com`;
    const reg = await trpcCall(
      proxied.url,
      'auth.register',
      'mutation',
      { email, password: PASSWORD, name: 'R' },
      fromIp('10.0.0.9'),
    );
    const res = await trpcCall(
      proxied.url,
      'auth.refresh',
      'mutation',
      { refreshToken: reg.body.result.data.refreshToken },
      fromIp('10.0.0.9'),
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('x-ratelimit-limit')).toBe('150');
  });
});
