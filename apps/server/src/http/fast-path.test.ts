// The tRPC fast path against the official adapter: the same requests to a server of each kind must
// get the same answers (status, headers, body), except for how the body is framed.
import { type OutputAt, tokensOf } from '@keel/api/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJson, type TrpcEnvelope } from '../testing/bodies.js';
import { startTestServer, type TestServer } from '../testing/server.js';

const PASSWORD = 'Passw0rd!';
/** Headers that describe the connection or the moment, not the answer. */
const TRANSPORT_HEADERS = new Set(['date', 'content-length', 'transfer-encoding', 'connection', 'keep-alive']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const REFRESH_TOKEN = /^[A-Za-z0-9_-]{86}$/;

let fast: TestServer;
let adapter: TestServer;

beforeAll(async () => {
  // One limit that a short exchange can reach (login: 5 failures per email), the rest as in production.
  [fast, adapter] = await Promise.all([
    startTestServer({ TRPC_FAST_PATH: 'true', RATE_LIMIT_MULTIPLIER: '1' }),
    startTestServer({ TRPC_FAST_PATH: 'false', RATE_LIMIT_MULTIPLIER: '1' }),
  ]);
});
afterAll(async () => {
  await Promise.all([fast?.close(), adapter?.close()]);
});

interface Exchange {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[]>;
  body: unknown;
  framing: 'content-length' | 'chunked' | 'none';
}

/** What varies between two servers for reasons other than the path taken: ids, tokens, times. */
function normalizeValue(value: unknown, requestId: string | null): unknown {
  if (typeof value === 'string') {
    if (value === requestId) return '<request-id>';
    if (UUID.test(value)) return '<uuid>';
    if (JWT.test(value)) return '<jwt>';
    if (ISO_TIME.test(value)) return '<time>';
    if (REFRESH_TOKEN.test(value)) return '<refresh-token>';
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => normalizeValue(v, requestId));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalizeValue(v, requestId)]));
  }
  return value;
}

async function send(server: TestServer, exchange: Exchange): Promise<Answer> {
  const res = await fetch(`${server.url}${exchange.path}`, {
    method: exchange.method ?? 'GET',
    headers: exchange.headers,
    body: exchange.body,
  });
  const text = await res.text();
  const requestId = res.headers.get('x-request-id');
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of res.headers) {
    if (TRANSPORT_HEADERS.has(name) || name === 'set-cookie') continue;
    if (name === 'x-request-id') headers[name] = value ? '<request-id>' : '';
    else if (name === 'x-ratelimit-reset' || name === 'retry-after')
      headers[name] = /^\d+$/.test(value) ? '<s>' : value;
    else headers[name] = value;
  }
  const cookies = res.headers.getSetCookie().map((c) => c.replace(/^keel_rt=[^;]*/, 'keel_rt=<value>'));
  if (cookies.length > 0) headers['set-cookie'] = cookies;
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: compared as text.
  }
  const framing = res.headers.get('content-length')
    ? 'content-length'
    : res.headers.get('transfer-encoding')
      ? 'chunked'
      : 'none';
  return { status: res.status, headers, body: normalizeValue(body, requestId), framing };
}

/** Sends the same request to both servers, one after the other, so that their state moves alike. */
async function both(exchange: Exchange | ((server: TestServer) => Exchange)) {
  const of = (server: TestServer) => (typeof exchange === 'function' ? exchange(server) : exchange);
  const a = await send(fast, of(fast));
  const b = await send(adapter, of(adapter));
  return { fast: a, adapter: b };
}

function expectSame({ fast: a, adapter: b }: { fast: Answer; adapter: Answer }) {
  expect({ status: a.status, headers: a.headers, body: a.body }).toEqual({
    status: b.status,
    headers: b.headers,
    body: b.body,
  });
}

const json = { 'content-type': 'application/json' };
const query = (path: string, input?: unknown) =>
  input === undefined ? `/trpc/${path}` : `/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`;

const tokens = new Map<TestServer, string>();
const emails = new Map<TestServer, string>();
const bearer = (server: TestServer) => ({ authorization: `Bearer ${tokens.get(server)}` });

describe('the fast path answers as the official adapter does', () => {
  beforeAll(async () => {
    const email = `fast-${Date.now()}@example.com`;
    const registered = await both({
      method: 'POST',
      path: '/trpc/auth.register',
      headers: json,
      body: JSON.stringify({ email, password: PASSWORD, name: 'Fast' }),
    });
    expectSame(registered);
    for (const server of [fast, adapter]) {
      const res = await fetch(`${server.url}/trpc/auth.login`, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ email, password: PASSWORD }),
      });
      tokens.set(server, tokensOf((await readJson<TrpcEnvelope<OutputAt<'auth.login'>>>(res)).result.data).accessToken);
      emails.set(server, email);
    }
  });

  const cases: Array<[string, Exchange | ((server: TestServer) => Exchange)]> = [
    ['a query without a token (401)', { path: '/trpc/auth.me' }],
    ['a query with a malformed token (401)', { path: '/trpc/auth.me', headers: { authorization: 'Bearer nope' } }],
    ['an authenticated query (200)', (s) => ({ path: '/trpc/auth.me', headers: bearer(s) })],
    ['a query with input (200)', (s) => ({ path: query('projects.list', {}), headers: bearer(s) })],
    ['a query without its required input (400 details)', (s) => ({ path: query('projects.list'), headers: bearer(s) })],
    [
      'a query with out-of-range input (400 details)',
      (s) => ({ path: query('projects.list', { limit: 1000, sort: 'x' }), headers: bearer(s) }),
    ],
    [
      'a query whose input is not JSON (400)',
      (s) => ({ path: '/trpc/projects.list?input=%7Bnope', headers: bearer(s) }),
    ],
    ['an unknown procedure (404)', { path: '/trpc/auth.nope' }],
    ['a percent-encoded procedure path', (s) => ({ path: '/trpc/auth%2Eme', headers: bearer(s) })],
    ['a query sent as POST (405)', { method: 'POST', path: '/trpc/auth.me', headers: json, body: '{}' }],
    ['a mutation sent as GET (405)', { path: query('auth.login', { email: 'a@b.co', password: 'x' }) }],
    ['HEAD (204)', { method: 'HEAD', path: '/trpc/auth.me' }],
    [
      'a non-batched streaming request (400)',
      { path: '/trpc/auth.me', headers: { 'trpc-accept': 'application/jsonl' } },
    ],
    ['a batch of two queries', (s) => ({ path: '/trpc/auth.me,credits.balance?batch=1&input={}', headers: bearer(s) })],
    ['a batch of 11 (400)', { path: `/trpc/${Array(11).fill('auth.me').join(',')}?batch=1&input={}` }],
    [
      'a mutation with invalid input (400 details)',
      { method: 'POST', path: '/trpc/auth.login', headers: json, body: '{}' },
    ],
    [
      'a mutation with malformed JSON (400)',
      { method: 'POST', path: '/trpc/auth.login', headers: json, body: '{"a": ' },
    ],
    ['a mutation with an empty body', { method: 'POST', path: '/trpc/auth.logout', headers: json, body: '' }],
    [
      'a mutation with a charset and a byte-order mark',
      {
        method: 'POST',
        path: '/trpc/auth.logout',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: '\uFEFF{}',
      },
    ],
    ['a mutation that is not JSON (415)', { method: 'POST', path: '/trpc/auth.logout', body: '{}' }],
    [
      'a mutation with a JSON-like content type tRPC does not take',
      { method: 'POST', path: '/trpc/auth.logout', headers: { 'content-type': 'application/jsonx' }, body: '{}' },
    ],
    [
      'a mutation over the body limit (413)',
      {
        method: 'POST',
        path: '/trpc/auth.logout',
        headers: json,
        body: JSON.stringify({ x: 'y'.repeat(1024 * 1024) }),
      },
    ],
    [
      'a successful sign-in (cookies, rate-limit headers)',
      (s) => ({
        method: 'POST',
        path: '/trpc/auth.login',
        headers: json,
        body: JSON.stringify({ email: emails.get(s), password: PASSWORD }),
      }),
    ],
    [
      'a write that succeeds',
      (s) => ({
        method: 'POST',
        path: '/trpc/projects.create',
        headers: { ...json, ...bearer(s) },
        body: JSON.stringify({ name: 'Same name', description: 'd' }),
      }),
    ],
    [
      'a write that clashes (409)',
      (s) => ({
        method: 'POST',
        path: '/trpc/projects.create',
        headers: { ...json, ...bearer(s) },
        body: JSON.stringify({ name: 'Same name' }),
      }),
    ],
    [
      'a missing resource (404)',
      (s) => ({ path: query('projects.get', { id: '00000000-0000-4000-8000-000000000000' }), headers: bearer(s) }),
    ],
    [
      'a business rule refusal (400)',
      (s) => ({
        method: 'POST',
        path: '/trpc/credits.transfer',
        headers: { ...json, ...bearer(s) },
        body: JSON.stringify({ toUserId: '00000000-0000-4000-8000-000000000000', amount: 5 }),
      }),
    ],
    ['repeated input parameters', (s) => ({ path: '/trpc/projects.list?input={}&input=[1]', headers: bearer(s) })],
    ['connection params', (s) => ({ path: '/trpc/auth.me?connectionParams=%7B%7D', headers: bearer(s) })],
  ];

  it.each(cases)('%s', async (_name, exchange) => {
    expectSame(await both(exchange));
  });

  it('answers the sign-in limit alike: 429, Retry-After and the rate-limit headers', async () => {
    const wrong = (s: TestServer) => ({
      method: 'POST',
      path: '/trpc/auth.login',
      headers: json,
      body: JSON.stringify({ email: emails.get(s), password: 'Wrong-pass1' }),
    });
    let last: Awaited<ReturnType<typeof both>> | undefined;
    for (let attempt = 0; attempt < 6; attempt++) {
      last = await both(wrong);
      expectSame(last);
    }
    expect(last?.fast.status).toBe(429);
    expect(last?.fast.headers['retry-after']).toBe('<s>');
    expect(last?.fast.headers['x-ratelimit-limit']).toBe('5');
  });

  it('answers single calls in one write, and leaves batches to the adapter', async () => {
    const single = await both((s) => ({ path: '/trpc/auth.me', headers: bearer(s) }));
    expect(single.fast.framing).toBe('content-length');
    expect(single.adapter.framing).toBe('chunked');
    const batch = await both((s) => ({ path: '/trpc/auth.me,auth.me?batch=1&input={}', headers: bearer(s) }));
    expect(batch.fast.framing).toBe('chunked');
  });

  it('logs the same completion line on either path', async () => {
    await both({ path: '/trpc/auth.me', headers: { 'x-request-id': 'fast-path-log-check' } });
    for (const server of [fast, adapter]) {
      const line = server.logs.find((l) => l.requestId === 'fast-path-log-check' && l.msg === 'request completed');
      expect(line).toMatchObject({ status: 401, url: '/trpc/auth.me', method: 'GET' });
    }
  });
});
