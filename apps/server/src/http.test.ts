// Wire behaviour of the host: limits, envelopes, request ids, headers and health.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HealthBody, type RestErrorBody, readJson, type TrpcEnvelope } from './testing/bodies.js';
import { startTestServer, type TestServer, trpcCall } from './testing/server.js';

let server: TestServer;
const json = readJson<TrpcEnvelope>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

describe('limits and malformed requests', () => {
  it('refuses a body over 1 MiB with 413 in the tRPC envelope', async () => {
    const res = await fetch(`${server.url}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(1024 * 1024 + 10) }),
    });
    expect(res.status).toBe(413);
    const body = await json(res);
    expect(body.error.data).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', httpStatus: 413 });
    expect(body.error.data.requestId).toBe(res.headers.get('x-request-id'));
  });

  it('refuses a batch of 11 calls with 400 and accepts a batch of 10', async () => {
    const paths = (n: number) => Array.from({ length: n }, () => 'auth.me').join(',');
    const eleven = await fetch(`${server.url}/trpc/${paths(11)}?batch=1&input={}`);
    expect(eleven.status).toBe(400);
    const ten = await fetch(`${server.url}/trpc/${paths(10)}?batch=1&input={}`);
    expect(ten.status).toBe(401);
    expect(await json(ten)).toHaveLength(10);
  });

  it('answers malformed JSON with 400 BAD_REQUEST', async () => {
    const res = await fetch(`${server.url}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"email": ',
    });
    expect(res.status).toBe(400);
    expect((await json(res)).error.data.code).toBe('BAD_REQUEST');
  });

  it('answers an unknown procedure with 404 NOT_FOUND', async () => {
    const res = await trpcCall(server.url, 'auth.nope', 'query');
    expect(res.status).toBe(404);
    expect(res.body.error.data.code).toBe('NOT_FOUND');
  });

  it('refuses a mutation that is not application/json (CSRF guard) with 415', async () => {
    const res = await fetch(`${server.url}/trpc/auth.logout`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(res.status).toBe(415);
    expect((await json(res)).error.data.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers an unknown route with the REST envelope', async () => {
    const res = await fetch(`${server.url}/nothing-here`);
    expect(res.status).toBe(404);
    const body = await readJson<RestErrorBody>(res);
    expect(body.error.code).toBe('NOT_FOUND');
    expect(body.meta).toMatchObject({ path: '/nothing-here', requestId: res.headers.get('x-request-id') });
  });

  const wrongTypedInputs: Array<[string, 'query' | 'mutation', unknown]> = [
    ['auth.register', 'mutation', { email: 42, password: ['x'], name: { a: 1 } }],
    ['auth.register', 'mutation', null],
    ['auth.register', 'mutation', 'a string'],
    ['auth.register', 'mutation', { email: 'a@b.co', password: 'Passw0rd!', name: 'x'.repeat(10_000) }],
    ['auth.login', 'mutation', { email: true, password: 12345678 }],
    ['auth.login', 'mutation', []],
    ['auth.refresh', 'mutation', { refreshToken: 123 }],
    ['auth.refresh', 'mutation', 'token'],
    ['auth.logout', 'mutation', { refreshToken: { nested: true } }],
    ['auth.logout', 'mutation', 7],
    ['auth.revokeSession', 'mutation', { sessionId: 'not-a-uuid' }],
    ['auth.revokeSession', 'mutation', { sessionId: 1 }],
    ['auth.changePassword', 'mutation', { currentPassword: null, newPassword: false }],
    ['auth.me', 'query', { unexpected: 'x' }],
    ['auth.sessions', 'query', [1, 2, 3]],
    ['auth.logoutAll', 'mutation', { x: 1 }],
  ];

  it.each(wrongTypedInputs)('never answers %s with a 5xx for wrong-typed input %#', async (path, kind, input) => {
    const token = await (async () => {
      const res = await trpcCall(server.url, 'auth.register', 'mutation', {
        email: `typed-${Math.random().toString(36).slice(2)}@example.com`,
        password: 'Passw0rd!',
        name: 'T',
      });
      return res.body.result.data.accessToken as string;
    })();
    const res = await trpcCall(server.url, path, kind, input, { token });
    expect(res.status).toBeLessThan(500);
    expect(res.body.error?.data?.code ?? 'ok').not.toBe('INTERNAL_ERROR');
  });
});

describe('headers', () => {
  it('keeps a well-formed incoming x-request-id and replaces a malformed one', async () => {
    const kept = await fetch(`${server.url}/health/live`, { headers: { 'x-request-id': 'client-id-123' } });
    expect(kept.headers.get('x-request-id')).toBe('client-id-123');
    const replaced = await fetch(`${server.url}/health/live`, { headers: { 'x-request-id': 'bad id with spaces' } });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('puts the request id on the log lines of that request', async () => {
    await fetch(`${server.url}/trpc/auth.me`, { headers: { 'x-request-id': 'trace-me-42' } });
    const lines = server.logs.filter((line) => line.requestId === 'trace-me-42');
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.some((line) => line.msg === 'request completed' && line.status === 401)).toBe(true);
  });

  it('sends security headers and no-store on API answers, and no x-powered-by', async () => {
    const res = await trpcCall(server.url, 'auth.me', 'query');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('allows only listed CORS origins', async () => {
    const allowed = await fetch(`${server.url}/health/live`, { headers: { origin: 'http://localhost:5173' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    const denied = await fetch(`${server.url}/health/live`, { headers: { origin: 'https://evil.example' } });
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('health', () => {
  it('reports live and ready with each dependency checked', async () => {
    const live = await fetch(`${server.url}/health/live`);
    expect(await readJson<HealthBody>(live)).toEqual({ status: 'ok' });
    const ready = await fetch(`${server.url}/health/ready`);
    expect(ready.status).toBe(200);
    const body = await readJson<HealthBody>(ready);
    expect(body.checks.database).toBe('ok');
    if (server.runtime.redis) expect(body.checks.redis).toBe('ok');
  });
});
