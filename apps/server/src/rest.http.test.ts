// The REST surface /api/* and /openapi.json: a valid document, each module reachable through the
// paths it declares, errors in the REST envelope with the same statuses as tRPC.

import { type OutputAt, tokensOf } from '@keel/api/testing';
import { validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectRestEnvelope, type RestErrorBody, readJson } from './testing/bodies.js';
import { startTestServer, type TestServer, trpcCall } from './testing/server.js';

const PASSWORD = 'Passw0rd!';
const ADMIN = { email: 'rest-admin@example.com', password: 'Adm1n-Passw0rd' };
let server: TestServer;
let document: OpenApiDocument;
let counter = 0;
const email = () => `rest${++counter}-${Date.now()}@example.com`;

/** What these tests read of /openapi.json; `validate` checks the document as a whole. */
interface OpenApiDocument {
  openapi: string;
  servers: [{ url: string }, ...{ url: string }[]];
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: { securitySchemes: Record<string, unknown>; schemas: Record<string, { required?: string[] }> };
}

interface OpenApiOperation {
  security?: unknown;
  parameters?: { name: string }[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
}

interface JsonSchema {
  properties?: Record<string, JsonSchema>;
  enum?: unknown[];
}

/** The operation `/openapi.json` declares at `path` for `method`; fails the test when there is none. */
function operation(path: string, method: string): OpenApiOperation {
  const declared = document.paths[path]?.[method];
  if (!declared) throw new Error(`${method.toUpperCase()} ${path} is not declared`);
  return declared;
}

/** An answer of /api, its body typed as the test expects it (`OutputAt<procedure>`, `RestErrorBody`). */
interface Answer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

/** Calls `METHOD path` only if /openapi.json declares that operation, at the server it names. */
async function rest<T = unknown>(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  template: string,
  options: { params?: Record<string, string>; query?: string; body?: unknown; token?: string; cookie?: string } = {},
): Promise<Answer<T>> {
  expect(document.paths[template]?.[method.toLowerCase()], `${method} ${template} is declared`).toBeDefined();
  const path = template.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(options.params?.[name] ?? ''));
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.cookie) headers.cookie = options.cookie;
  // Every POST and PATCH says application/json, with or without a body (the CSRF guard asks it).
  if (options.body !== undefined || method === 'POST' || method === 'PATCH')
    headers['content-type'] = 'application/json';
  const url = `${server.url}${document.servers[0].url}${path}${options.query ? `?${options.query}` : ''}`;
  const response = await fetch(url, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : undefined) as T };
}

async function signUp(name = 'Rest User') {
  const res = await rest<OutputAt<'auth.register'>>('POST', '/auth/register', {
    body: { email: email(), password: PASSWORD, name },
  });
  expect(res.status).toBe(200);
  return res.body;
}

beforeAll(async () => {
  server = await startTestServer({ ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
  const res = await fetch(`${server.url}/openapi.json`);
  expect(res.status).toBe(200);
  document = await readJson<OpenApiDocument>(res);
});
afterAll(async () => {
  await server?.close();
});

describe('/openapi.json', () => {
  it('is a valid OpenAPI 3.x document', async () => {
    expect(document.openapi).toMatch(/^3\./);
    // The validator reads the whole document: hand it over as the OpenAPI type it declares.
    const whole = structuredClone(document) as unknown as Parameters<typeof validate>[0];
    const result = await validate(whole, { resolve: { external: false } });
    expect(result.valid ? [] : result.errors).toEqual([]);
  });

  it('declares every public procedure of auth, users, projects, credits and teams with conventional verbs', () => {
    const declared = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item as object).map((method) => `${method.toUpperCase()} ${path}`),
    );
    // Generated feature modules add their own routes (pnpm gen:module); these are the built-in ones.
    expect(declared).toEqual(
      expect.arrayContaining([
        'POST /auth/register',
        'POST /auth/login',
        'POST /auth/refresh',
        'POST /auth/logout',
        'POST /auth/logout-all',
        'GET /auth/me',
        'GET /auth/sessions',
        'DELETE /auth/sessions/{sessionId}',
        'POST /auth/change-password',
        'POST /auth/request-password-reset',
        'POST /auth/reset-password',
        'POST /auth/verify-email',
        'POST /auth/resend-verification',
        'POST /api-keys',
        'GET /api-keys',
        'DELETE /api-keys/{id}',
        'POST /auth/request-email-change',
        'POST /auth/confirm-email-change',
        'GET /auth/invitation',
        'POST /auth/accept-invitation',
        'POST /auth/mfa/verify',
        'GET /auth/mfa',
        'POST /auth/mfa/setup',
        'POST /auth/mfa/enable',
        'POST /auth/mfa/disable',
        'POST /auth/mfa/recovery-codes',
        'PATCH /users/me',
        'GET /users/search',
        'GET /projects',
        'POST /projects',
        'GET /projects/{id}',
        'PATCH /projects/{id}',
        'DELETE /projects/{id}',
        'GET /credits/balance',
        'POST /credits/transfers',
        'GET /credits/history',
        'GET /credits/balance-history',
        'POST /teams',
        'GET /teams',
        'GET /teams/{teamId}',
        'PATCH /teams/{teamId}',
        'DELETE /teams/{teamId}',
        'GET /teams/{teamId}/members',
        'PATCH /teams/{teamId}/members/{userId}',
        'DELETE /teams/{teamId}/members/{userId}',
        'POST /teams/{teamId}/invitations',
        'GET /teams/{teamId}/invitations',
        'DELETE /teams/{teamId}/invitations/{id}',
        'GET /teams/invitations/preview',
        'POST /teams/invitations/accept',
      ]),
    );
    // The admin procedures stay on tRPC only.
    expect(declared.filter((route) => route.includes('/admin'))).toEqual([]);
    expect(document.servers[0].url).toBe('/api');
  });

  it('documents bearer security, the zod schemas and every error as the REST error envelope', () => {
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(operation('/auth/login', 'post').security).toEqual([]);
    // The code step of a sign-in comes before any token.
    expect(operation('/auth/mfa/verify', 'post').security).toEqual([]);
    expect(operation('/auth/mfa/setup', 'post').security).toEqual([{ bearerAuth: [] }]);
    expect(operation('/projects', 'get').security).toEqual([{ bearerAuth: [] }]);
    // An invitation link is opened signed out; everything else about a team needs a member's token.
    expect(operation('/teams/invitations/preview', 'get').security).toEqual([]);
    expect(operation('/teams/invitations/accept', 'post').security).toEqual([]);
    expect(operation('/teams/{teamId}/members/{userId}', 'patch').security).toEqual([{ bearerAuth: [] }]);
    expect(operation('/teams/{teamId}/members/{userId}', 'patch').parameters?.map((p) => p.name)).toEqual(
      expect.arrayContaining(['teamId', 'userId']),
    );
    const register = operation('/auth/register', 'post');
    expect(register.requestBody?.content['application/json']?.schema.properties?.password).toMatchObject({
      minLength: 8,
      maxLength: 100,
    });
    expect(
      register.responses['200']?.content?.['application/json']?.schema.properties?.user?.properties?.role?.enum,
    ).toEqual(['ADMIN', 'USER', 'GUEST']);
    expect(operation('/projects', 'get').parameters?.map((p) => p.name)).toEqual(
      expect.arrayContaining(['page', 'limit', 'sort', 'search', 'scope']),
    );
    for (const item of Object.values(document.paths)) {
      for (const declared of Object.values(item)) {
        const errors = Object.entries(declared.responses).filter(([status]) => Number(status) >= 400);
        expect(errors.map(([status]) => status)).toEqual(expect.arrayContaining(['429', '500']));
        for (const [, response] of errors) {
          expect(response.content?.['application/json']?.schema).toEqual({
            $ref: '#/components/schemas/ErrorEnvelope',
          });
        }
      }
    }
    expect(document.components.schemas.ErrorEnvelope?.required).toEqual(['error', 'meta']);
  });
});

describe('each module through REST', () => {
  it('auth: register, login, me, sessions, refresh and logout with the cookie', async () => {
    const address = email();
    const registered = await rest('POST', '/auth/register', {
      body: { email: address, password: PASSWORD, name: 'Ada' },
    });
    expect(registered.status).toBe(200);
    expect(registered.body).toMatchObject({ tokenType: 'Bearer', user: { email: address, role: 'USER' } });
    expect(registered.headers.get('cache-control')).toBe('no-store');

    const login = await rest<OutputAt<'auth.login'>>('POST', '/auth/login', {
      body: { email: address, password: PASSWORD },
    });
    expect(login.status).toBe(200);
    const cookie = login.headers
      .getSetCookie()
      .find((c) => c.startsWith('keel_rt=') && c.includes('Path=/api/auth'))
      ?.split(';')[0];
    expect(cookie).toBeDefined();

    const signedIn = tokensOf(login.body);
    const me = await rest('GET', '/auth/me', { token: signedIn.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email: address, name: 'Ada' });
    const sessions = await rest<OutputAt<'auth.sessions'>>('GET', '/auth/sessions', { token: signedIn.accessToken });
    expect(sessions.body.items.some((s) => s.current)).toBe(true);

    // The refresh token comes from the cookie alone, as the dashboard sends it.
    const refreshed = await rest<OutputAt<'auth.refresh'>>('POST', '/auth/refresh', { cookie });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refreshToken).not.toBe(signedIn.refreshToken);
    const nextCookie = refreshed.headers
      .getSetCookie()
      .find((c) => c.includes('Path=/api/auth'))
      ?.split(';')[0];
    const logout = await rest('POST', '/auth/logout', { cookie: nextCookie });
    expect(logout.status).toBe(200);
    expect(logout.body).toEqual({ success: true });
    expect((await rest('GET', '/auth/me', { token: refreshed.body.accessToken })).status).toBe(401);
  });

  it('auth: revokes a session by its path parameter and changes the password', async () => {
    const user = await signUp();
    const other = await rest<OutputAt<'auth.login'>>('POST', '/auth/login', {
      body: { email: user.user.email, password: PASSWORD },
    });
    const sessions = await rest<OutputAt<'auth.sessions'>>('GET', '/auth/sessions', { token: user.accessToken });
    const otherSession = sessions.body.items.find((s) => !s.current);
    if (!otherSession) throw new Error('the second sign-in is not listed among the sessions');
    const revoked = await rest('DELETE', '/auth/sessions/{sessionId}', {
      params: { sessionId: otherSession.id },
      token: user.accessToken,
    });
    expect(revoked.status).toBe(200);
    expect((await rest('GET', '/auth/me', { token: tokensOf(other.body).accessToken })).status).toBe(401);

    const changed = await rest('POST', '/auth/change-password', {
      token: user.accessToken,
      body: { currentPassword: PASSWORD, newPassword: 'N3w-Passw0rd' },
    });
    expect(changed.status).toBe(200);
    const relogin = await rest<OutputAt<'auth.login'>>('POST', '/auth/login', {
      body: { email: user.user.email, password: 'N3w-Passw0rd' },
    });
    expect(relogin.status).toBe(200);
    const all = await rest<OutputAt<'auth.logoutAll'>>('POST', '/auth/logout-all', {
      token: tokensOf(relogin.body).accessToken,
    });
    expect(all.status).toBe(200);
    expect(all.body.revokedSessions).toBeGreaterThan(0);
  });

  it('users: updates the profile and searches with numbers from the query string', async () => {
    const user = await signUp('Grace Hopper');
    const updated = await rest('PATCH', '/users/me', {
      token: user.accessToken,
      body: { name: 'Grace B. Hopper', role: 'ADMIN' },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ name: 'Grace B. Hopper', role: 'USER' });
    const found = await rest<OutputAt<'users.search'>>('GET', '/users/search', {
      token: user.accessToken,
      query: 'query=Grace%20B.&limit=5',
    });
    expect(found.status).toBe(200);
    expect(found.body.items.map((u) => u.id)).toContain(user.user.id);
  });

  it('projects: create, list with query-string paging, get, update and delete', async () => {
    const user = await signUp();
    const created = await rest<OutputAt<'projects.create'>>('POST', '/projects', {
      token: user.accessToken,
      body: { name: 'Apollo', description: 'to the moon' },
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ name: 'Apollo', ownerId: user.user.id });
    await rest('POST', '/projects', { token: user.accessToken, body: { name: 'Gemini' } });

    const page = await rest<OutputAt<'projects.list'>>('GET', '/projects', {
      token: user.accessToken,
      query: 'page=1&limit=1&sort=name',
    });
    expect(page.status).toBe(200);
    expect(page.body).toMatchObject({ total: 2, page: 1, limit: 1, totalPages: 2 });
    expect(page.body.items[0]?.name).toBe('Apollo');

    const { id } = created.body;
    const got = await rest('GET', '/projects/{id}', { params: { id }, token: user.accessToken });
    expect(got.body).toEqual(created.body);
    const updated = await rest('PATCH', '/projects/{id}', {
      params: { id },
      token: user.accessToken,
      body: { name: 'Apollo 11' },
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id, name: 'Apollo 11', description: 'to the moon' });
    const deleted = await rest('DELETE', '/projects/{id}', { params: { id }, token: user.accessToken });
    expect(deleted.body).toEqual({ success: true });
    expect((await rest('GET', '/projects/{id}', { params: { id }, token: user.accessToken })).status).toBe(404);
  });

  it('credits: balance, a transfer and the history', async () => {
    const admin = await rest<OutputAt<'auth.login'>>('POST', '/auth/login', { body: ADMIN });
    const sender = await signUp();
    const recipient = await signUp();
    const grant = await trpcCall(
      server.url,
      'admin.credits.grant',
      'mutation',
      { userId: sender.user.id, amount: 100, reason: 'seed' },
      { token: tokensOf(admin.body).accessToken },
    );
    expect(grant.status).toBe(200);

    const transfer = await rest('POST', '/credits/transfers', {
      token: sender.accessToken,
      body: { toUserId: recipient.user.id, amount: 30, note: 'lunch' },
    });
    expect(transfer.status).toBe(200);
    expect(transfer.body).toMatchObject({ amount: 30, balanceAfter: 70, toUserId: recipient.user.id });
    expect((await rest('GET', '/credits/balance', { token: sender.accessToken })).body).toEqual({ balance: 70 });
    const history = await rest<OutputAt<'credits.history'>>('GET', '/credits/history', {
      token: recipient.accessToken,
      query: 'limit=10',
    });
    expect(history.status).toBe(200);
    expect(history.body.items[0]).toMatchObject({ direction: 'in', amount: 30, counterpartyId: sender.user.id });
    const balances = await rest<OutputAt<'credits.balanceHistory'>>('GET', '/credits/balance-history', {
      token: recipient.accessToken,
      query: 'days=7',
    });
    expect(balances.status).toBe(200);
    expect(balances.body.days.map((day) => day.balance)).toEqual([0, 0, 0, 0, 0, 0, 30]);

    const overdraft = await rest<RestErrorBody>('POST', '/credits/transfers', {
      token: recipient.accessToken,
      body: { toUserId: sender.user.id, amount: 31 },
    });
    expectRestEnvelope(overdraft, 400, 'BAD_REQUEST', '/api/credits/transfers');
  });
});

describe('errors in the REST envelope, with the statuses of tRPC', () => {
  it('answers a bad body with 400 VALIDATION_ERROR listing every failing field', async () => {
    const user = await signUp();
    const res = await rest<RestErrorBody>('POST', '/projects', {
      token: user.accessToken,
      body: { name: '', description: 42 },
    });
    expectRestEnvelope(res, 400, 'VALIDATION_ERROR', '/api/projects');
    expect(res.body.error.message).toBe('Invalid input');
    expect(res.body.error.details?.map((d) => d.field).sort()).toEqual(['description', 'name']);
    const viaTrpc = await trpcCall(
      server.url,
      'projects.create',
      'mutation',
      { name: '', description: 42 },
      {
        token: user.accessToken,
      },
    );
    expect(viaTrpc.status).toBe(400);
  });

  it('answers a query-string value of the wrong type with 400 VALIDATION_ERROR', async () => {
    const user = await signUp();
    const res = await rest<RestErrorBody>('GET', '/projects', { token: user.accessToken, query: 'limit=lots' });
    expectRestEnvelope(res, 400, 'VALIDATION_ERROR', '/api/projects');
    expect(res.body.error.details?.[0]?.field).toBe('limit');
  });

  it('answers without a token with 401 UNAUTHORIZED', async () => {
    expectRestEnvelope(await rest<RestErrorBody>('GET', '/projects'), 401, 'UNAUTHORIZED', '/api/projects');
    const badToken = await rest<RestErrorBody>('GET', '/auth/me', { token: 'not-a-jwt' });
    expectRestEnvelope(badToken, 401, 'UNAUTHORIZED', '/api/auth/me');
  });

  it("answers someone else's project with 403 FORBIDDEN and a missing one with 404 NOT_FOUND", async () => {
    const owner = await signUp();
    const stranger = await signUp();
    const project = await rest<OutputAt<'projects.create'>>('POST', '/projects', {
      token: owner.accessToken,
      body: { name: 'Private' },
    });
    const path = `/api/projects/${project.body.id}`;
    const foreign = await rest<RestErrorBody>('GET', '/projects/{id}', {
      params: { id: project.body.id },
      token: stranger.accessToken,
    });
    expectRestEnvelope(foreign, 403, 'FORBIDDEN', path);
    const viaTrpc = await trpcCall(
      server.url,
      'projects.get',
      'query',
      { id: project.body.id },
      {
        token: stranger.accessToken,
      },
    );
    expect(viaTrpc.status).toBe(403);

    const missingId = '00000000-0000-4000-8000-000000000000';
    const missing = await rest<RestErrorBody>('DELETE', '/projects/{id}', {
      params: { id: missingId },
      token: owner.accessToken,
    });
    expectRestEnvelope(missing, 404, 'NOT_FOUND', `/api/projects/${missingId}`);
  });

  it('answers a conflict with 409 and a non-JSON body with 415', async () => {
    const user = await signUp();
    await rest('POST', '/projects', { token: user.accessToken, body: { name: 'Twice' } });
    const again = await rest<RestErrorBody>('POST', '/projects', { token: user.accessToken, body: { name: 'Twice' } });
    expectRestEnvelope(again, 409, 'CONFLICT', '/api/projects');

    const res = await fetch(`${server.url}/api/projects`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.accessToken}`, 'content-type': 'text/plain' },
      body: '{"name":"x"}',
    });
    expectRestEnvelope(
      { status: res.status, headers: res.headers, body: await readJson<RestErrorBody>(res) },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      '/api/projects',
    );
  });

  it('keeps an incoming x-request-id in the envelope and answers an unknown route with 404', async () => {
    const res = await fetch(`${server.url}/api/projects`, { headers: { 'x-request-id': 'rest-req-7' } });
    const body = (await res.json()) as { meta: { requestId: string } };
    expect(res.headers.get('x-request-id')).toBe('rest-req-7');
    expect(body.meta.requestId).toBe('rest-req-7');
    const unknown = await fetch(`${server.url}/api/nothing`);
    expectRestEnvelope(
      { status: unknown.status, headers: unknown.headers, body: await readJson<RestErrorBody>(unknown) },
      404,
      'NOT_FOUND',
      '/api/nothing',
    );
  });

  it('leaves the tRPC wire strict after REST read numbers from a query string', async () => {
    const user = await signUp();
    expect((await rest('GET', '/projects', { token: user.accessToken, query: 'limit=5' })).status).toBe(200);
    const loose = await trpcCall(server.url, 'projects.list', 'query', { limit: '5' }, { token: user.accessToken });
    expect(loose.status).toBe(400);
    expect(loose.body.error.data.code).toBe('VALIDATION_ERROR');
  });
});

describe('rate limits on REST', () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer({ RATE_LIMIT_MULTIPLIER: '1' });
  });
  afterAll(async () => {
    await limited?.close();
  });

  it('counts REST logins under the same per-procedure limit, answering 429 RATE_LIMITED with Retry-After', async () => {
    const address = email();
    const attempt = () =>
      fetch(`${limited.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: address, password: 'Wrong-pass1' }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await attempt()).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401]);
    // The tRPC call of the same procedure shares the counter.
    const viaTrpc = await trpcCall(limited.url, 'auth.login', 'mutation', { email: address, password: 'Wrong-pass1' });
    expect(viaTrpc.status).toBe(429);
    const res = await attempt();
    expectRestEnvelope(
      { status: res.status, headers: res.headers, body: await readJson<RestErrorBody>(res) },
      429,
      'RATE_LIMITED',
      '/api/auth/login',
    );
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(res.headers.get('x-ratelimit-limit')).toBe('5');
  });
});
