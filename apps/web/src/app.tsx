// The app: the session's providers around the router (src/router.tsx holds the routes and their guards).
import { RouterProvider } from '@tanstack/react-router';
import { ToastProvider } from './components/toasts.js';
import type { Session } from './lib/session.js';
import { SessionProvider } from './lib/session-context.js';
import type { createAppRouter } from './router.js';

export function App({ session, router }: { session: Session; router: ReturnType<typeof createAppRouter> }) {
  return (
    <SessionProvider session={session}>
      <ToastProvider>
        <RouterProvider router={router} />
      </ToastProvider>
    </SessionProvider>
  );
}
