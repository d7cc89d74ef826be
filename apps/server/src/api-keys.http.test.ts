// API keys over HTTP, as a script uses them: created with a person's token over REST, then sent as
// `Authorization: Bearer keel_…` to REST and tRPC (through the fast path and, in its own project,
// the stock adapter); a read key is refused mutations; a revoked key stops at the next request.
import type { OutputAt } from '@keel/api/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RestErrorBody, readJson } from './testing/bodies.js';
import { startTestServer, type TestServer, trpcCall } from './testing/server.js';

const PASSWORD = 'Passw0rd!';
let server: TestServer;
let counter = 0;

async function rest<T = unknown>(
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  options: { body?: unknown; token?: string } = {},
): Promise<{ status: number; body: T }> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${server.url}/api${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  return { status: response.status, body: await readJson<T>(response) };
}

async function signUp(): Promise<string> {
  counter += 1;
  const res = await rest<OutputAt<'auth.register'>>('POST', '/auth/register', {
    body: { email: `script${counter}-${Date.now()}@example.com`, password: PASSWORD, name: 'Scripter' },
  });
  expect(res.status).toBe(200);
  return res.body.accessToken;
}

async function createKey(accessToken: string, scope: 'read' | 'write') {
  const res = await rest<OutputAt<'apiKeys.create'>>('POST', '/api-keys', {
    token: accessToken,
    body: { name: `${scope} script`, scope },
  });
  expect(res.status).toBe(200);
  return res.body;
}

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

describe('API keys over HTTP', () => {
  it('a write key lists and creates projects over REST and tRPC as its owner', async () => {
    const accessToken = await signUp();
    const { key } = await createKey(accessToken, 'write');

    const created = await rest<OutputAt<'projects.create'>>('POST', '/projects', {
      token: key,
      body: { name: 'Nightly' },
    });
    expect(created.status).toBe(200);
    const listed = await trpcCall(server.url, 'projects.list', 'query', {}, { token: key });
    expect(listed.status).toBe(200);
    expect(listed.body.result?.data.items.map((item) => item.name)).toEqual(['Nightly']);
    const me = await rest<OutputAt<'auth.me'>>('GET', '/auth/me', { token: key });
    expect(me.body.id).toBe(created.body.ownerId);
  });

  it('a read key is refused a mutation with 403 in the REST envelope, and an admin-only or key route too', async () => {
    const accessToken = await signUp();
    const { key } = await createKey(accessToken, 'read');

    const refused = await rest<RestErrorBody>('POST', '/projects', { token: key, body: { name: 'No' } });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toEqual({ code: 'FORBIDDEN', message: 'This API key is read-only' });
    const keys = await rest<RestErrorBody>('GET', '/api-keys', { token: key });
    expect(keys.status).toBe(403);
    expect(keys.body.error.message).toBe('An API key cannot call this procedure: sign in to do this');
  });

  it('a revoked key gets 401 on the very next request', async () => {
    const accessToken = await signUp();
    const created = await createKey(accessToken, 'read');
    expect((await rest('GET', '/projects', { token: created.key })).status).toBe(200);

    const revoked = await rest('DELETE', `/api-keys/${created.id}`, { token: accessToken });
    expect(revoked).toEqual({ status: 200, body: { success: true } });

    const after = await rest<RestErrorBody>('GET', '/projects', { token: created.key });
    expect(after.status).toBe(401);
    expect(after.body.error.code).toBe('UNAUTHORIZED');
  });
});
