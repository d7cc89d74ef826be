// Scale-out: two server processes on one PostgreSQL and one Redis behave as one.
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildServer, childDatabaseEnv, startChildServer, testEnv, trpcCall } from './testing/server.js';

const PASSWORD = 'Passw0rd!';
const ADMIN = { email: 'scale-admin@example.com', password: 'Admin-Passw0rd1' };
/** How long another instance may still accept a revoked key or a changed role (its key cache). */
const KEY_CACHE_BOUND_MS = 1_000;
let first: ChildServer;
let second: ChildServer;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const database = await childDatabaseEnv();
  cleanup = database.cleanup;
  // One Redis prefix and one database for both: that is what makes them one service.
  const env = testEnv({
    ...database.env,
    RATE_LIMIT_MULTIPLIER: '1',
    LOG_LEVEL: 'info',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
  });
  first = await startChildServer(env);
  second = await startChildServer(env);
});
afterAll(async () => {
  await first?.stop();
  await second?.stop();
  await cleanup?.();
});

async function register(server: ChildServer) {
  const email = `scale-${Math.random().toString(36).slice(2)}@example.com`;
  const res = await trpcCall(server.url, 'auth.register', 'mutation', { email, password: PASSWORD, name: 'Scale' });
  expect(res.status).toBe(200);
  return { email, ...(res.body.result.data as { accessToken: string; refreshToken: string; user: { id: string } }) };
}

async function createKey(server: ChildServer, accessToken: string, scope: 'read' | 'write') {
  const res = await trpcCall(
    server.url,
    'apiKeys.create',
    'mutation',
    { name: 'Scale script', scope },
    { token: accessToken },
  );
  expect(res.status).toBe(200);
  return res.body.result.data as { id: string; key: string };
}

/** Waits out the key cache of the other instance, counted from `since` (before the change was made). */
async function afterKeyCacheBound(since: number) {
  await delay(Math.max(0, since + KEY_CACHE_BOUND_MS + 50 - Date.now()));
}

/** Opens the SSE stream of `events.onEvent` and resolves with the first event of `type`. */
function firstEvent(server: ChildServer, token: string, type: string) {
  const controller = new AbortController();
  const ready = Promise.withResolvers<void>();
  const received = (async () => {
    const res = await fetch(`${server.url}/trpc/events.onEvent`, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
      signal: controller.signal,
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended before the event arrived');
      buffer += decoder.decode(value, { stream: true });
      // tRPC announces the connection before any event.
      if (buffer.includes('event: connected')) ready.resolve();
      for (const line of buffer.split('\n')) {
        if (!line.startsWith('data: ')) continue;
        const data = JSON.parse(line.slice(6)) as { type?: string };
        if (data?.type === type) {
          controller.abort();
          return data;
        }
      }
    }
  })();
  return { ready: ready.promise, received };
}

describe('two server processes', () => {
  it('share the login limit', async () => {
    const email = `shared-limit-${Date.now()}@example.com`;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const target = i % 2 === 0 ? first : second;
      const res = await trpcCall(target.url, 'auth.login', 'mutation', { email, password: 'Wrong-pass1' });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('refuse on one the access token of a session logged out on the other', async () => {
    const user = await register(first);
    expect((await trpcCall(second.url, 'auth.me', 'query', undefined, { token: user.accessToken })).status).toBe(200);
    await trpcCall(first.url, 'auth.logout', 'mutation', { refreshToken: user.refreshToken });
    const after = await trpcCall(second.url, 'auth.me', 'query', undefined, { token: user.accessToken });
    expect(after.status).toBe(401);
  });

  it('deliver a live event raised on one to a subscriber connected to the other', async () => {
    const owner = await register(first);
    const stream = firstEvent(second, owner.accessToken, 'project.changed');
    await stream.ready;
    const created = await trpcCall(
      first.url,
      'projects.create',
      'mutation',
      { name: 'Cross-instance' },
      { token: owner.accessToken },
    );
    expect(created.status).toBe(200);
    const event = (await stream.received) as { type: string; data: { projectId: string } };
    expect(event.data.projectId).toBe(created.body.result.data.id);
  });

  it('refuse a key revoked on one at once there, and within a second on the other', async () => {
    const owner = await register(first);
    const { id, key } = await createKey(first, owner.accessToken, 'read');
    // The other instance has the key in its cache when it is revoked.
    expect((await trpcCall(second.url, 'projects.list', 'query', {}, { token: key })).status).toBe(200);

    const revokedAt = Date.now();
    const revoked = await trpcCall(first.url, 'apiKeys.revoke', 'mutation', { id }, { token: owner.accessToken });
    expect(revoked.status).toBe(200);
    expect((await trpcCall(first.url, 'projects.list', 'query', {}, { token: key })).status).toBe(401);

    await afterKeyCacheBound(revokedAt);
    const elsewhere = await trpcCall(second.url, 'projects.list', 'query', {}, { token: key });
    expect(elsewhere.status).toBe(401);
    expect(elsewhere.body.error?.data.code).toBe('UNAUTHORIZED');
  });

  it('give a key the role its owner has on the other within a second of a demotion', async () => {
    const owner = await register(first);
    const { key } = await createKey(first, owner.accessToken, 'write');
    const created = await trpcCall(second.url, 'projects.create', 'mutation', { name: 'By key' }, { token: key });
    expect(created.status).toBe(200);

    const admin = await trpcCall(first.url, 'auth.login', 'mutation', ADMIN);
    expect(admin.status).toBe(200);
    const demotedAt = Date.now();
    const demoted = await trpcCall(
      first.url,
      'admin.users.setRole',
      'mutation',
      { userId: owner.user.id, role: 'GUEST' },
      { token: (admin.body.result.data as { accessToken: string }).accessToken },
    );
    expect(demoted.status).toBe(200);

    await afterKeyCacheBound(demotedAt);
    const asGuest = await trpcCall(second.url, 'projects.create', 'mutation', { name: 'As a guest' }, { token: key });
    expect(asGuest.status).toBe(403);
    expect((await trpcCall(second.url, 'projects.list', 'query', {}, { token: key })).status).toBe(200);
  });
});
