// React access to the session: providers for react-query and tRPC, and hooks for the auth state.
import { QueryClientProvider } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext, useSyncExternalStore } from 'react';
import type { AuthState, User } from './auth-store.js';
import type { Session } from './session.js';
import { TRPCProvider } from './trpc.js';

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ session, children }: { session: Session; children: ReactNode }) {
  return (
    <SessionContext.Provider value={session}>
      <QueryClientProvider client={session.queryClient}>
        <TRPCProvider trpcClient={session.client} queryClient={session.queryClient}>
          {children}
        </TRPCProvider>
      </QueryClientProvider>
    </SessionContext.Provider>
  );
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside <SessionProvider>');
  return session;
}

export function useAuth(): AuthState {
  const { store } = useSession();
  return useSyncExternalStore(store.subscribe, store.get);
}

/** The signed-in user; only for pages rendered behind the sign-in gate. */
export function useCurrentUser(): User {
  const auth = useAuth();
  if (auth.status !== 'signed-in') throw new Error('useCurrentUser while signed out');
  return auth.user;
}
