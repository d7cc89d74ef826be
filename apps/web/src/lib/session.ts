// Wires the session together: the in-memory token, the refresh coordinator, tab sync and the tRPC client.
import type { AppRouter, RouterOutputs } from '@keel/api';
import { QueryClient } from '@tanstack/react-query';
import {
  createTRPCClient,
  httpBatchLink,
  httpLink,
  httpSubscriptionLink,
  splitLink,
  type TRPCClient,
} from '@trpc/client';
import { EventSource } from 'eventsource';
import { type AuthStore, createAuthStore } from './auth-store.js';
import { errorCode, isApiError } from './errors.js';
import { createAuthFetch, createRefreshCoordinator, type RefreshCoordinator } from './refresh-coordinator.js';
import { createTabSync, type TabSync } from './tab-sync.js';

type AuthPayload = RouterOutputs['auth']['refresh'];

/**
 * The refresh cookie's Path is limited to these procedures' own URLs (apps/server), so they go out
 * alone with httpLink: inside a batch URL (`/trpc/a,b`) the browser would not send the cookie.
 */
const COOKIE_PROCEDURES = new Set(['auth.refresh', 'auth.logout']);
/** The server refuses batches of more than 10 calls (400). */
const MAX_BATCH_ITEMS = 10;
/** How long a refused refresh waits before its one retry (see `refreshThroughCookie`). */
const RETRY_REFUSED_REFRESH_MS = 300;

/**
 * The cookie's requests outlive the page (`keepalive`): a reload in the middle of a refresh would
 * otherwise drop the answer, and with it the rotated cookie, while the server already rotated.
 */
const keepaliveFetch: typeof fetch = (input, init) => fetch(input, { ...init, keepalive: true });

export interface Session {
  store: AuthStore;
  client: TRPCClient<AppRouter>;
  queryClient: QueryClient;
  coordinator: RefreshCoordinator;
  /** `fetch` with this tab's access token, refreshed and retried once on a 401 (the tRPC links use it too). */
  authFetch: typeof fetch;
  /** Sign-in and sign-up answers: keep the token, tell the other tabs, forget the previous user's data. */
  establish(payload: AuthPayload): void;
  /** Revokes this session on the server (best effort), then signs out here and in the other tabs. */
  signOut(): Promise<void>;
  /** Signs out here and in the other tabs without calling the server (it already revoked the session). */
  forget(notice?: string): void;
  /** On app load: a silent refresh through the cookie restores the session, if there is one. */
  restore(): Promise<void>;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 15_000,
        // A 4xx will not change by asking again; a dropped connection or a 5xx might.
        retry: (failures, error) => failures < 2 && !(isApiError(error) && (error.data?.httpStatus ?? 500) < 500),
      },
    },
  });
}

export function createSession(options: { baseUrl?: string; tabSync?: TabSync } = {}): Session {
  const baseUrl = options.baseUrl ?? `${window.location.origin}/trpc`;
  const store = createAuthStore();
  const tabSync = options.tabSync ?? createTabSync();
  const queryClient = createQueryClient();

  const adopt = (accessToken: string, user: AuthPayload['user']) => {
    const previous = store.get();
    if (previous.status === 'signed-in' && previous.user.id !== user.id) queryClient.clear();
    store.signIn(accessToken, user);
  };
  const endHere = (notice?: string) => {
    store.signOut(notice);
    queryClient.clear();
  };

  // Built below; the coordinator only calls it once the client exists.
  let client: TRPCClient<AppRouter>;
  /** One refresh call: the payload, or null when the server refuses the cookie (401). */
  const refreshOnce = async (): Promise<AuthPayload | null> => {
    try {
      return await client.auth.refresh.mutate({});
    } catch (error) {
      if (errorCode(error) === 'UNAUTHORIZED') return null;
      throw error;
    }
  };
  /**
   * A refusal can mean that another refresh rotated the cookie a moment ago and its answer (with
   * the new cookie) is still landing: a page reloaded mid-refresh released the lock before its
   * answer came. The server refuses a just-rotated token harmlessly (REFRESH_REUSE_GRACE_SECONDS),
   * so one retry shortly after tells that race from a session that is really over.
   */
  const refreshThroughCookie = async (): Promise<AuthPayload | null> => {
    const first = await refreshOnce();
    if (first) return first;
    await new Promise((resolve) => setTimeout(resolve, RETRY_REFUSED_REFRESH_MS));
    return refreshOnce();
  };

  const coordinator = createRefreshCoordinator<AuthPayload>({
    refresh: refreshThroughCookie,
    currentToken: store.token,
    tokenVersion: store.version,
    onRefreshed(payload) {
      if (payload) {
        adopt(payload.accessToken, payload.user);
        tabSync.publish({ type: 'session', accessToken: payload.accessToken, user: payload.user });
        return;
      }
      const wasSignedIn = store.get().status === 'signed-in';
      endHere(wasSignedIn ? 'Your session has ended. Please sign in again.' : undefined);
      // A refresh refused after this tab was signed in means the shared cookie is dead for every tab.
      if (wasSignedIn) tabSync.publish({ type: 'signed-out' });
    },
    withLock: tabSync.withRefreshLock,
  });

  const authFetch = createAuthFetch({
    fetch: (input, init) => fetch(input, init),
    currentToken: store.token,
    coordinator,
  });

  client = createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        // EventSource cannot send headers; this one fetches, so the stream carries the Bearer token
        // and every reconnect picks up the newest token (refreshing first if it expired).
        true: httpSubscriptionLink({ url: baseUrl, EventSource, eventSourceOptions: { fetch: authFetch } }),
        false: splitLink({
          condition: (op) => COOKIE_PROCEDURES.has(op.path),
          true: httpLink({ url: baseUrl, fetch: keepaliveFetch }),
          false: httpBatchLink({ url: baseUrl, fetch: authFetch, maxItems: MAX_BATCH_ITEMS, maxURLLength: 4_000 }),
        }),
      }),
    ],
  });

  tabSync.subscribe((message) => {
    if (message.type === 'session') adopt(message.accessToken, message.user);
    else if (store.get().status === 'signed-in') endHere('You signed out in another tab.');
  });

  const forget = (notice?: string) => {
    endHere(notice);
    tabSync.publish({ type: 'signed-out' });
  };

  return {
    store,
    client,
    queryClient,
    coordinator,
    authFetch,
    establish(payload) {
      queryClient.clear();
      store.signIn(payload.accessToken, payload.user);
      tabSync.publish({ type: 'session', accessToken: payload.accessToken, user: payload.user });
    },
    async signOut() {
      try {
        await client.auth.logout.mutate({});
      } catch {
        // The server may be unreachable; forgetting the token here still signs this browser out.
      }
      forget();
    },
    forget,
    async restore() {
      try {
        const token = await coordinator.refresh();
        if (!token && store.get().status === 'restoring') endHere();
      } catch {
        if (store.get().status === 'restoring') endHere('Could not reach the server. Reload the page to try again.');
      }
    },
  };
}
