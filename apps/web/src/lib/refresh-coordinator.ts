// One token refresh at a time: concurrent 401s wait for the same refresh, then retry once.
//
// The refresh token rotates on every use and the server treats a rotated token presented again as
// reuse (README, Authentication and sessions), so two refreshes racing with the same cookie would at best waste one and at
// worst sign the user out. Within a tab a shared promise serializes them; across tabs a lock does.

export interface RefreshResult {
  accessToken: string;
}

export interface RefreshCoordinatorOptions<T extends RefreshResult> {
  /** The refresh call itself; resolves null when the session is gone (401), rejects on other failures. */
  refresh: () => Promise<T | null>;
  /** The token this tab holds now. */
  currentToken: () => string | null;
  /** Changes whenever the token changes, whoever changed it (this tab, another tab, sign-out). */
  tokenVersion: () => number;
  /** Called with the refresh's outcome before waiters resume, so they retry with the new token. */
  onRefreshed: (result: T | null) => void;
  /** Runs `task` while holding a lock shared with the other tabs; default: no cross-tab lock. */
  withLock?: <R>(task: () => Promise<R>) => Promise<R>;
}

export interface RefreshCoordinator {
  /** Resolves the fresh access token, or null when the user has to sign in again. */
  refresh(): Promise<string | null>;
}

export function createRefreshCoordinator<T extends RefreshResult>(
  options: RefreshCoordinatorOptions<T>,
): RefreshCoordinator {
  const withLock = options.withLock ?? ((task) => task());
  let inFlight: Promise<string | null> | null = null;
  return {
    refresh() {
      if (inFlight) return inFlight;
      const versionAtStart = options.tokenVersion();
      inFlight = withLock(async () => {
        // While this tab waited for the lock, another tab may have refreshed and shared its token.
        if (options.tokenVersion() !== versionAtStart) return options.currentToken();
        const result = await options.refresh();
        options.onRefreshed(result);
        return result?.accessToken ?? null;
      }).finally(() => {
        inFlight = null;
      });
      return inFlight;
    },
  };
}

export interface AuthFetchOptions {
  fetch: typeof fetch;
  currentToken: () => string | null;
  coordinator: RefreshCoordinator;
}

function withBearer(init: RequestInit | undefined, token: string | null): RequestInit {
  const headers = new Headers(init?.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  else headers.delete('authorization');
  return { ...init, headers };
}

/**
 * A `fetch` that sends the in-memory access token and, when the server answers 401 to a request
 * that carried one, refreshes (or waits for the refresh already running) and retries once.
 * A request sent without a token (sign-in, sign-up) gets its 401 back untouched: that 401 means
 * "wrong credentials", not "expired".
 */
export function createAuthFetch({ fetch: baseFetch, currentToken, coordinator }: AuthFetchOptions): typeof fetch {
  return async (input, init) => {
    const sentWith = currentToken();
    const response = await baseFetch(input, withBearer(init, sentWith));
    if (response.status !== 401 || !sentWith) return response;
    const now = currentToken();
    // Another request refreshed between our send and this answer: no need for a new refresh.
    const fresh = now && now !== sentWith ? now : await coordinator.refresh();
    if (!fresh) return response;
    await response.body?.cancel().catch(() => undefined);
    return baseFetch(input, withBearer(init, fresh));
  };
}
