// Logs: one completion line per request with user and procedure, no secret in any line, and the
// stack of an unexpected error on the server only.
import { tokensOf } from '@keel/api/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';
import { startTestServer, type TestServer, trpcCall } from './testing/server.js';

const PASSWORD = 'Sup3r-secret-pw';
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

const linesOf = (requestId: string) => server.logs.filter((line) => line.requestId === requestId);

describe('log lines', () => {
  it('never carry the password, the refresh tokens or the access token of a login and refreshes', async () => {
    const email = `secret-${Date.now()}@example.com`;
    const registered = await trpcCall(server.url, 'auth.register', 'mutation', {
      email,
      password: PASSWORD,
      name: 'S',
    });
    expect(registered.status).toBe(200);
    const login = await trpcCall(server.url, 'auth.login', 'mutation', { email, password: PASSWORD });
    const { refreshToken, accessToken } = tokensOf(login.body.result.data);
    const restLogin = await fetch(`${server.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    const cookie = restLogin.headers
      .getSetCookie()
      .find((c) => c.includes('Path=/api/auth'))
      ?.split(';')[0] as string;
    const restRefreshToken = ((await restLogin.json()) as { refreshToken: string }).refreshToken;

    const viaBody = await trpcCall(server.url, 'auth.refresh', 'mutation', { refreshToken });
    expect(viaBody.status).toBe(200);
    const viaCookie = await fetch(`${server.url}/api/auth/refresh`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
    });
    expect(viaCookie.status).toBe(200);
    const rotated = ((await viaCookie.json()) as { refreshToken: string; accessToken: string }).refreshToken;
    // A wrong password and a reused (rotated) token take the error paths too.
    await trpcCall(server.url, 'auth.login', 'mutation', { email, password: `${PASSWORD}x` });
    await trpcCall(server.url, 'auth.refresh', 'mutation', { refreshToken });
    await trpcCall(server.url, 'auth.me', 'query', undefined, { token: accessToken });

    const secrets = [
      PASSWORD,
      refreshToken,
      restRefreshToken,
      rotated,
      accessToken,
      viaBody.body.result.data.refreshToken,
    ];
    expect(server.logs.length).toBeGreaterThan(5);
    for (const line of server.logs) {
      const text = JSON.stringify(line);
      for (const secret of secrets) expect(text).not.toContain(secret);
    }
  });

  it('writes one completion line per request with the user id and the procedures of a batch', async () => {
    const registered = await trpcCall(server.url, 'auth.register', 'mutation', {
      email: `line-${Date.now()}@example.com`,
      password: PASSWORD,
      name: 'L',
    });
    const { accessToken, user } = registered.body.result.data;
    await fetch(`${server.url}/trpc/auth.me,credits.balance?batch=1&input={}`, {
      headers: { authorization: `Bearer ${accessToken}`, 'x-request-id': 'log-batch-1' },
    });
    const completed = linesOf('log-batch-1').filter((line) => line.msg === 'request completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]).toMatchObject({
      level: 30,
      method: 'GET',
      url: '/trpc/auth.me,credits.balance',
      status: 200,
      userId: user.id,
      procedure: 'auth.me,credits.balance',
    });
    expect(typeof completed[0]?.durationMs).toBe('number');

    await trpcCall(
      server.url,
      'auth.login',
      'mutation',
      { email: user.email, password: PASSWORD },
      {
        headers: { 'x-request-id': 'log-login-1' },
      },
    );
    const signIn = linesOf('log-login-1').find((line) => line.msg === 'request completed');
    expect(signIn).toMatchObject({ procedure: 'auth.login', userId: user.id, status: 200 });
  });

  it('logs an unexpected error with its stack and answers 500 without it, on tRPC and REST', async () => {
    const { deps } = server.runtime;
    const hasher = deps.hasher;
    deps.hasher = {
      ...hasher,
      verifyDummy: async () => {
        throw new Error('argon2 exploded in a way clients must not see');
      },
    };
    try {
      const body = { email: `nobody-${Date.now()}@example.com`, password: PASSWORD };
      const trpc = await trpcCall(server.url, 'auth.login', 'mutation', body, {
        headers: { 'x-request-id': 'boom-1' },
      });
      expect(trpc.status).toBe(500);
      expect(trpc.body.error.message).toBe('Internal server error');
      const rest = await fetch(`${server.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'boom-2' },
        body: JSON.stringify(body),
      });
      expect(rest.status).toBe(500);
      const restText = await rest.text();
      expect(JSON.parse(restText).error).toEqual({ code: 'INTERNAL_ERROR', message: 'Internal server error' });
      for (const text of [JSON.stringify(trpc.body), restText]) {
        expect(text).not.toContain('exploded');
        expect(text).not.toContain('.ts:');
      }
      for (const requestId of ['boom-1', 'boom-2']) {
        const logged = linesOf(requestId).find((line) => line.level === 50);
        const err = logged?.err as { message?: string; stack?: string } | undefined;
        expect(err?.message).toContain('exploded');
        expect(err?.stack).toContain('logging.http.test.ts');
      }
    } finally {
      deps.hasher = hasher;
    }
  });
});

describe('the logger', () => {
  it('redacts authorization, cookies, passwords and tokens wherever the API logs them', () => {
    const lines: string[] = [];
    const logger = createLogger('debug', { destination: { write: (line: string) => void lines.push(line) } });
    logger.info(
      {
        req: { headers: { authorization: 'Bearer aaa.bbb.ccc', cookie: 'keel_rt=r1' } },
        res: { headers: { 'set-cookie': 'keel_rt=r2; HttpOnly' } },
        headers: { authorization: 'Bearer ddd', cookie: 'keel_rt=r3' },
        input: { email: 'a@b.co', password: 'p1', refreshToken: 'r4' },
        body: { currentPassword: 'p2', newPassword: 'p3', accessToken: 'a1' },
        password: 'p4',
        token: 't1',
        request: { headers: { authorization: 'Bearer eee', cookie: 'keel_rt=r5' } },
        error: { input: { password: 'p5', refreshToken: 'r6' } },
        calls: [{ path: 'auth.login', input: { deeper: { Password: 'p6' } } }],
        upstream: { Authorization: 'Bearer fff' },
      },
      'everything at once',
    );
    const text = lines.join('');
    for (const secret of [
      'aaa.bbb.ccc',
      'r1',
      'r2',
      'ddd',
      'r3',
      'p1',
      'r4',
      'p2',
      'p3',
      'a1',
      'p4',
      't1',
      'eee',
      'r5',
      'p5',
      'r6',
      'p6',
      'fff',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('a@b.co');
    expect(JSON.parse(text).input.password).toBe('[redacted]');
  });

  it('redacts a copy: the logged object keeps its values for the code that logged it', () => {
    const lines: string[] = [];
    const logger = createLogger('debug', { destination: { write: (line: string) => void lines.push(line) } });
    const input = { email: 'a@b.co', password: 'Passw0rd!' };
    const headers = { authorization: 'Bearer aaa', accept: 'application/json' };
    logger.info({ input, headers, tags: ['x'] }, 'a request');
    expect(input.password).toBe('Passw0rd!');
    expect(headers.authorization).toBe('Bearer aaa');
    expect(JSON.parse(lines[0] as string)).toMatchObject({
      input: { email: 'a@b.co', password: '[redacted]' },
      headers: { authorization: '[redacted]', accept: 'application/json' },
      tags: ['x'],
    });
  });
});
