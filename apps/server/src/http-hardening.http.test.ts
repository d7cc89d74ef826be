// Odd requests answered in the normal envelopes: methods /trpc does not serve, bodies that are not
// JSON (one CSRF guard for /trpc and /api), encoded paths, closed metrics, and 500s logged once.
import { request } from 'node:http';
import { until } from '@keel/api/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RestErrorBody, readJson, type TrpcEnvelope } from './testing/bodies.js';
import { startTestServer, type TestServer, trpcCall } from './testing/server.js';

const PASSWORD = 'Passw0rd!';
let server: TestServer;
let counter = 0;
const email = () => `hardening${++counter}-${Date.now()}@example.com`;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

interface RawAnswer<T> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The JSON the test expects (`T`), or the text when the body is not JSON. */
  body: T;
}

/** Any method, any path as written (fetch refuses TRACE and normalises paths). */
function raw<T = TrpcEnvelope>(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<RawAnswer<T>> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => {
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {}
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed as T });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function register() {
  const res = await trpcCall(server.url, 'auth.register', 'mutation', {
    email: email(),
    password: PASSWORD,
    name: 'H',
  });
  expect(res.status).toBe(200);
  return res.body.result.data as { accessToken: string };
}

/** The log lines of one request at error level or above, once its completion line is written. */
async function errorLines(requestId: string) {
  await until(() => server.logs.some((l) => l.requestId === requestId && l.msg === 'request completed'));
  return server.logs.filter((l) => l.requestId === requestId && (l.level as number) >= 50);
}

describe('methods /trpc does not serve', () => {
  it.each(['TRACE', 'PUT', 'DELETE', 'PATCH', 'PROPFIND'])(
    '%s /trpc/auth.me answers 405 in the tRPC envelope and logs no error',
    async (method) => {
      const res = await raw(method, '/trpc/auth.me', { 'content-type': 'application/json' });
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe('GET, POST');
      const requestId = res.headers['x-request-id'] as string;
      expect(res.body.error.data).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 405, requestId });
      expect(res.body.error.message).toContain(method);
      expect(await errorLines(requestId)).toEqual([]);
    },
  );
});

describe('the CSRF guard, one for /trpc and /api', () => {
  it.each([
    ['no content type', undefined],
    ['text/plain', 'text/plain'],
    ['a form', 'application/x-www-form-urlencoded'],
    ['multipart', 'multipart/form-data; boundary=x'],
  ])('refuses a POST with %s with 415 on both, and the call has no effect', async (_, contentType) => {
    const { accessToken } = await register();
    const headers: Record<string, string> = { authorization: `Bearer ${accessToken}` };
    if (contentType) headers['content-type'] = contentType;
    // Without a content type, no body either: what `fetch(url, { method: 'POST', mode: 'no-cors' })` sends.
    const body = contentType ? '{}' : undefined;
    const trpc = await raw('POST', '/trpc/auth.logoutAll', headers, body);
    const rest = await raw<RestErrorBody>('POST', '/api/auth/logout-all', headers, body);
    expect([trpc.status, rest.status]).toEqual([415, 415]);
    expect(trpc.body.error.data.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(rest.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(trpc.body.error.message).toBe(rest.body.error.message);
    // The session was not revoked by either.
    expect((await trpcCall(server.url, 'auth.me', 'query', undefined, { token: accessToken })).status).toBe(200);
  });

  it('refuses a PATCH on /api that is not JSON', async () => {
    const { accessToken } = await register();
    const res = await raw<RestErrorBody>(
      'PATCH',
      '/api/users/me',
      { authorization: `Bearer ${accessToken}`, 'content-type': 'text/plain' },
      '{"name":"Changed"}',
    );
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('serves a POST without input as application/json with no body on /api, as on /trpc', async () => {
    for (const path of ['/trpc/auth.logoutAll', '/api/auth/logout-all']) {
      const { accessToken } = await register();
      const res = await raw('POST', path, {
        authorization: `Bearer ${accessToken}`,
        'content-type': 'application/json',
      });
      expect(res.status, path).toBe(200);
    }
  });
});

describe('Cache-Control follows the decoded route', () => {
  it.each([
    ['/%74rpc/auth.me', 401],
    ['/%61pi/auth/me', 401],
    ['/%68ealth/live', 200],
    ['/metric%73', 200],
  ])('%s is answered by its route with no-store', async (path, status) => {
    const res = await raw('GET', path);
    expect(res.status).toBe(status);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('answers an encoded /trpc path in the tRPC envelope', async () => {
    const res = await raw('POST', '/%74rpc/auth.logoutAll', { 'content-type': 'text/plain' }, '{}');
    expect(res.status).toBe(415);
    expect(res.body.error.data.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('every 500 is logged once', () => {
  let token: string;
  beforeAll(async () => {
    token = (await register()).accessToken;
    // An unexpected failure (not a conflict, not an unreachable database): the table has gone.
    await sql`alter table projects rename to projects_elsewhere`.execute(server.database.db);
  });
  afterAll(async () => {
    await sql`alter table projects_elsewhere rename to projects`.execute(server.database.db);
  });

  it.each([
    ['a single tRPC call', '/trpc/projects.list?input=%7B%7D'],
    ['a tRPC batch (the official adapter)', '/trpc/projects.list?batch=1&input=%7B%220%22%3A%7B%7D%7D'],
    ['a REST call', '/api/projects'],
  ])('%s that fails unexpectedly answers 500 and logs one error line', async (_, path) => {
    const res = await raw('GET', path, { authorization: `Bearer ${token}` });
    expect(res.status).toBe(500);
    expect(JSON.stringify(res.body)).toContain('INTERNAL_ERROR');
    const lines = await errorLines(res.headers['x-request-id'] as string);
    expect(lines.map((l) => l.msg)).toHaveLength(1);
    expect(JSON.stringify(lines[0])).toContain('projects');
  });
});

describe('/metrics in production', () => {
  const TOKEN = 'a-metrics-token-for-the-test';
  let closed: TestServer;
  let guarded: TestServer;
  let open: TestServer;
  beforeAll(async () => {
    closed = await startTestServer({ NODE_ENV: 'production' });
    guarded = await startTestServer({ NODE_ENV: 'production', METRICS_TOKEN: TOKEN });
    open = await startTestServer({ NODE_ENV: 'production', METRICS_PUBLIC: 'true' });
  });
  afterAll(async () => {
    await Promise.all([closed?.close(), guarded?.close(), open?.close()]);
  });

  it('starts without METRICS_TOKEN, warns that metrics are closed, and answers 401', async () => {
    expect(closed.logs).toContainEqual(
      expect.objectContaining({ level: 40, msg: expect.stringMatching(/METRICS_TOKEN/) }),
    );
    const res = await fetch(`${closed.url}/metrics`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await readJson<RestErrorBody>(res)).error.code).toBe('UNAUTHORIZED');
    const guessed = await fetch(`${closed.url}/metrics`, { headers: { authorization: 'Bearer ' } });
    expect(guessed.status).toBe(401);
  });

  it('answers only the bearer of METRICS_TOKEN when it is set', async () => {
    expect((await fetch(`${guarded.url}/metrics`)).status).toBe(401);
    const wrong = await fetch(`${guarded.url}/metrics`, { headers: { authorization: 'Bearer wrong' } });
    expect(wrong.status).toBe(401);
    const right = await fetch(`${guarded.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(right.status).toBe(200);
    expect(await right.text()).toContain('keel_http_requests_total');
  });

  it('is open with METRICS_PUBLIC=true', async () => {
    const res = await fetch(`${open.url}/metrics`);
    expect(res.status).toBe(200);
  });
});
