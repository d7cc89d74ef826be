// The refresh coordinator and the 401-retrying fetch, against a fake fetch (pure client logic).
import { describe, expect, it } from 'vitest';
import { user } from '../testing/fixtures.js';
import { createAuthStore } from './auth-store.js';
import { createAuthFetch, createRefreshCoordinator } from './refresh-coordinator.js';

/** A server that accepts only `validToken`, a refresh endpoint that mints the next token, and a call log. */
function fakeBackend(options: { refreshFails?: boolean } = {}) {
  const store = createAuthStore();
  store.signIn('token-1', user);
  // token-1 has expired server-side: nothing is valid until a refresh mints token-2.
  let validToken = 'none';
  const calls: { url: string; token: string | null; status: number }[] = [];
  let refreshes = 0;
  let releaseRefresh: () => void = () => {};
  const refreshGate = new Promise<void>((resolve) => {
    releaseRefresh = resolve;
  });
  const fakeFetch: typeof fetch = async (input, init) => {
    const token = new Headers(init?.headers).get('authorization')?.replace(/^Bearer /, '') ?? null;
    const status = token === validToken ? 200 : 401;
    calls.push({ url: String(input), token, status });
    return new Response(JSON.stringify({ ok: status === 200 }), { status });
  };
  const coordinator = createRefreshCoordinator({
    async refresh() {
      refreshes += 1;
      // Hold the refresh open so that every request's 401 arrives while it runs.
      await refreshGate;
      if (options.refreshFails) return null;
      validToken = `token-${refreshes + 1}`;
      return { accessToken: validToken };
    },
    currentToken: store.token,
    tokenVersion: store.version,
    onRefreshed: (result) => (result ? store.signIn(result.accessToken, user) : store.signOut()),
  });
  const authFetch = createAuthFetch({ fetch: fakeFetch, currentToken: store.token, coordinator });
  return { store, calls, authFetch, coordinator, releaseRefresh, refreshCount: () => refreshes };
}

/** Lets every pending promise callback run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('refresh coordinator', () => {
  it('N concurrent 401s trigger exactly one refresh and each request is retried once', async () => {
    const backend = fakeBackend();
    const n = 8;
    const pending = Array.from({ length: n }, (_, i) => backend.authFetch(`/trpc/q${i}`));
    await settle();
    backend.releaseRefresh();
    const responses = await Promise.all(pending);

    expect(backend.refreshCount()).toBe(1);
    expect(responses.map((r) => r.status)).toEqual(Array(n).fill(200));
    for (let i = 0; i < n; i++) {
      const attempts = backend.calls.filter((c) => c.url === `/trpc/q${i}`);
      expect(attempts.map((a) => [a.token, a.status])).toEqual([
        ['token-1', 401],
        ['token-2', 200],
      ]);
    }
  });

  it('a retry that still gets 401 is returned as is, not retried again', async () => {
    const backend = fakeBackend({ refreshFails: true });
    backend.releaseRefresh();
    const response = await backend.authFetch('/trpc/q');
    expect(response.status).toBe(401);
    expect(backend.calls).toHaveLength(1);
    expect(backend.refreshCount()).toBe(1);
    expect(backend.store.get().status).toBe('signed-out');
  });

  it('a 401 that arrives after another request already refreshed retries without refreshing again', async () => {
    const backend = fakeBackend();
    backend.releaseRefresh();
    await backend.coordinator.refresh();
    expect(backend.store.token()).toBe('token-2');
    // A response to a request sent with the old token comes back late.
    const late = createAuthFetch({
      fetch: async (_input, init) => {
        const token = new Headers(init?.headers).get('authorization');
        return new Response(null, { status: token === 'Bearer token-2' ? 200 : 401 });
      },
      currentToken: (() => {
        let first = true;
        return () => {
          if (first) {
            first = false;
            return 'token-1';
          }
          return backend.store.token();
        };
      })(),
      coordinator: backend.coordinator,
    });
    const response = await late('/trpc/q');
    expect(response.status).toBe(200);
    expect(backend.refreshCount()).toBe(1);
  });

  it('a request sent without a token keeps its 401 (wrong credentials are not an expired session)', async () => {
    const backend = fakeBackend();
    backend.store.signOut();
    backend.releaseRefresh();
    const response = await backend.authFetch('/trpc/auth.login');
    expect(response.status).toBe(401);
    expect(backend.refreshCount()).toBe(0);
  });

  it('a tab that waited for the cross-tab lock uses the token another tab shared instead of refreshing', async () => {
    const store = createAuthStore();
    store.signIn('token-1', user);
    let refreshes = 0;
    let releaseLock: () => void = () => {};
    const lockHeld = new Promise<void>((resolve) => {
      releaseLock = resolve;
    });
    const coordinator = createRefreshCoordinator({
      async refresh() {
        refreshes += 1;
        return { accessToken: 'mine' };
      },
      currentToken: store.token,
      tokenVersion: store.version,
      onRefreshed: (result) => result && store.signIn(result.accessToken, user),
      // Another tab holds the lock until it has refreshed and broadcast its token.
      withLock: async (task) => {
        await lockHeld;
        return task();
      },
    });
    const waiting = coordinator.refresh();
    store.signIn('from-other-tab', user);
    releaseLock();
    expect(await waiting).toBe('from-other-tab');
    expect(refreshes).toBe(0);
  });
});
