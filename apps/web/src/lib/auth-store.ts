// The signed-in session of this tab, in memory only: the access token never touches storage
// (a script injected into the page could read it there).
import type { RouterOutputs } from '@keel/api';

export type User = RouterOutputs['auth']['me'];

export type AuthState =
  | { status: 'restoring' }
  | { status: 'signed-out'; notice?: string }
  | { status: 'signed-in'; accessToken: string; user: User };

export interface AuthStore {
  get(): AuthState;
  /** The current access token, or null when signed out. */
  token(): string | null;
  /**
   * Bumped on every change of token. The refresh coordinator compares it to tell "someone already
   * refreshed while I waited" from "the token I hold is stale".
   */
  version(): number;
  signIn(accessToken: string, user: User): void;
  updateUser(user: User): void;
  signOut(notice?: string): void;
  subscribe(listener: () => void): () => void;
}

export function createAuthStore(initial: AuthState = { status: 'restoring' }): AuthStore {
  let state = initial;
  let version = 0;
  const listeners = new Set<() => void>();
  const set = (next: AuthState) => {
    state = next;
    version += 1;
    for (const listener of listeners) listener();
  };
  return {
    get: () => state,
    token: () => (state.status === 'signed-in' ? state.accessToken : null),
    version: () => version,
    signIn: (accessToken, user) => set({ status: 'signed-in', accessToken, user }),
    updateUser(user) {
      if (state.status !== 'signed-in') return;
      // A profile change is not a new token: listeners re-render, the version stays.
      state = { ...state, user };
      for (const listener of listeners) listener();
    },
    signOut: (notice) => set(notice ? { status: 'signed-out', notice } : { status: 'signed-out' }),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
