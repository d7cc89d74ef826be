// The session wiring against a fake server (a stubbed fetch) and fake tabs: restore, sign-in, the
// end of a session, sign-out and the news from other tabs.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { apiError, user } from '../testing/fixtures.js';
import { createQueryClient, createSession } from './session.js';
import type { TabMessage, TabSync } from './tab-sync.js';

const BASE_URL = 'http://keel.test/trpc';

function payload(accessToken: string, who = user) {
  return { accessToken, refreshToken: 'rt', tokenType: 'Bearer' as const, expiresIn: 900, user: who };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const refused = () =>
  json({ error: { message: 'Session expired', code: -32001, data: { code: 'UNAUTHORIZED', httpStatus: 401 } } }, 401);

/** A server whose `auth.refresh` answers from `refreshAnswers` in turn (the last one repeats). */
function fakeServer(refreshAnswers: (() => Response | Promise<Response>)[]) {
  const calls: { path: string; keepalive: boolean | undefined }[] = [];
  let refreshes = 0;
  vi.stubGlobal('fetch', async (input: RequestInfo | URL, init?: RequestInit) => {
    const path = new URL(String(input)).pathname;
    calls.push({ path, keepalive: init?.keepalive });
    if (path === '/trpc/auth.refresh') {
      const answer = refreshAnswers[Math.min(refreshes, refreshAnswers.length - 1)];
      refreshes += 1;
      if (!answer) throw new Error('no answer');
      return answer();
    }
    if (path === '/trpc/auth.logout') return json({ result: { data: { success: true } } });
    return json({ error: { message: 'Not found', code: -32004, data: { code: 'NOT_FOUND' } } }, 404);
  });
  return { calls };
}

/** The other tabs: what this one published, and a way to deliver their messages. */
function fakeTabs() {
  const published: TabMessage[] = [];
  let deliver: (message: TabMessage) => void = () => {};
  const tabSync: TabSync = {
    withRefreshLock: (task) => task(),
    publish: (message) => published.push(message),
    subscribe(listener) {
      deliver = listener;
      return () => {};
    },
  };
  return { tabSync, published, send: (message: TabMessage) => deliver(message) };
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('createSession', () => {
  it('restores a session through the refresh cookie and tells the other tabs', async () => {
    const server = fakeServer([() => json({ result: { data: payload('token-1') } })]);
    const tabs = fakeTabs();
    const session = createSession({ baseUrl: BASE_URL, tabSync: tabs.tabSync });
    await session.restore();
    expect(session.store.get()).toEqual({ status: 'signed-in', accessToken: 'token-1', user });
    expect(tabs.published).toEqual([{ type: 'session', accessToken: 'token-1', user }]);
    // The cookie's request goes alone and outlives a reload.
    expect(server.calls).toEqual([{ path: '/trpc/auth.refresh', keepalive: true }]);
  });

  it('without a session, restoring ends signed out after one retry, quietly', async () => {
    const server = fakeServer([refused]);
    const tabs = fakeTabs();
    const session = createSession({ baseUrl: BASE_URL, tabSync: tabs.tabSync });
    await session.restore();
    expect(session.store.get()).toEqual({ status: 'signed-out' });
    expect(server.calls).toHaveLength(2);
    expect(tabs.published).toEqual([]);
  });

  it('a refusal followed by a success (a refresh racing a reload) keeps the session', async () => {
    fakeServer([refused, () => json({ result: { data: payload('token-2') } })]);
    const session = createSession({ baseUrl: BASE_URL, tabSync: fakeTabs().tabSync });
    await session.restore();
    expect(session.store.token()).toBe('token-2');
  });

  it('says so when the server cannot be reached', async () => {
    fakeServer([() => Promise.reject(new TypeError('fetch failed'))]);
    const session = createSession({ baseUrl: BASE_URL, tabSync: fakeTabs().tabSync });
    await session.restore();
    expect(session.store.get()).toEqual({
      status: 'signed-out',
      notice: 'Could not reach the server. Reload the page to try again.',
    });
  });

  it("signing in forgets the previous user's data and tells the other tabs", () => {
    fakeServer([refused]);
    const tabs = fakeTabs();
    const session = createSession({ baseUrl: BASE_URL, tabSync: tabs.tabSync });
    session.queryClient.setQueryData(['cached'], 1);
    session.establish(payload('token-1'));
    expect(session.queryClient.getQueryData(['cached'])).toBeUndefined();
    expect(session.store.token()).toBe('token-1');
    expect(tabs.published).toEqual([{ type: 'session', accessToken: 'token-1', user }]);
  });

  it('a refresh refused once signed in ends the session in every tab, with a notice', async () => {
    fakeServer([refused]);
    const tabs = fakeTabs();
    const session = createSession({ baseUrl: BASE_URL, tabSync: tabs.tabSync });
    session.establish(payload('token-1'));
    await expect(session.coordinator.refresh()).resolves.toBeNull();
    expect(session.store.get()).toEqual({
      status: 'signed-out',
      notice: 'Your session has ended. Please sign in again.',
    });
    expect(tabs.published.at(-1)).toEqual({ type: 'signed-out' });
  });

  it('signing out revokes the session on the server, then here and in the other tabs', async () => {
    const server = fakeServer([refused]);
    const tabs = fakeTabs();
    const session = createSession({ baseUrl: BASE_URL, tabSync: tabs.tabSync });
    session.establish(payload('token-1'));
    await session.signOut();
    expect(server.calls.map((call) => call.path)).toEqual(['/trpc/auth.logout']);
    expect(session.store.get()).toEqual({ status: 'signed-out' });
    expect(tabs.published.at(-1)).toEqual({ type: 'signed-out' });
  });

  it('signing out still signs this browser out when the server is unreachable', async () => {
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('fetch failed')));
    const session = createSession({ baseUrl: BASE_URL, tabSync: fakeTabs().tabSync });
    session.establish(payload('token-1'));
    await session.signOut();
    expect(session.store.get()).toEqual({ status: 'signed-out' });
  });

  it("follows the other tabs: their sign-in, another user's (forgetting this one's data), their sign-out", () => {
    fakeServer([refused]);
    const tabs = fakeTabs();
    const session = createSession({ baseUrl: BASE_URL, tabSync: tabs.tabSync });
    tabs.send({ type: 'session', accessToken: 'token-1', user });
    expect(session.store.token()).toBe('token-1');

    session.queryClient.setQueryData(['cached'], 1);
    tabs.send({ type: 'session', accessToken: 'token-1b', user });
    expect(session.queryClient.getQueryData(['cached'])).toBe(1);
    tabs.send({ type: 'session', accessToken: 'token-9', user: { ...user, id: 'u9' } });
    expect(session.queryClient.getQueryData(['cached'])).toBeUndefined();

    tabs.send({ type: 'signed-out' });
    expect(session.store.get()).toEqual({ status: 'signed-out', notice: 'You signed out in another tab.' });
    tabs.send({ type: 'signed-out' });
    expect(session.store.get()).toEqual({ status: 'signed-out', notice: 'You signed out in another tab.' });
  });

  it('authFetch (the CSV download) sends the access token of this tab', async () => {
    fakeServer([() => json({ result: { data: payload('token-1') } })]);
    const session = createSession({ baseUrl: BASE_URL, tabSync: fakeTabs().tabSync });
    await session.restore();
    const sent: (string | null)[] = [];
    vi.stubGlobal('fetch', async (_input: RequestInfo | URL, init?: RequestInit) => {
      sent.push(new Headers(init?.headers).get('authorization'));
      return new Response('csv');
    });
    const response = await session.authFetch('http://keel.test/api/admin/audit.csv');
    expect(await response.text()).toBe('csv');
    expect(sent).toEqual(['Bearer token-1']);
  });

  it("defaults to the page's origin and the browser's tab sync", async () => {
    const server = fakeServer([() => json({ result: { data: payload('token-1') } })]);
    vi.stubGlobal('window', { location: { origin: 'http://keel.test' } });
    vi.stubGlobal('BroadcastChannel', undefined);
    const session = createSession();
    await session.restore();
    expect(session.store.token()).toBe('token-1');
    expect(server.calls[0]?.path).toBe('/trpc/auth.refresh');
  });
});

describe('createQueryClient', () => {
  const retry = createQueryClient().getDefaultOptions().queries?.retry as (failures: number, error: unknown) => boolean;

  it('retries a dropped connection or a 5xx twice', () => {
    expect(retry(0, new TypeError('fetch failed'))).toBe(true);
    expect(retry(1, apiError('x', { code: 'INTERNAL_ERROR', httpStatus: 500 }))).toBe(true);
    expect(retry(0, apiError('x', {}))).toBe(true);
    expect(retry(2, new TypeError('fetch failed'))).toBe(false);
  });

  it('never retries a 4xx: asking again changes nothing', () => {
    expect(retry(0, apiError('x', { code: 'NOT_FOUND', httpStatus: 404 }))).toBe(false);
  });
});
