// The app: the sign-in gate, and the routes of the signed-in dashboard (admin pages only for ADMIN).
import type { ReactNode } from 'react';
import { useEffect } from 'react';
import { Layout } from './components/layout.js';
import { ToastProvider } from './components/toasts.js';
import { Loading } from './components/ui.js';
import { navigate, useLocation } from './lib/router.js';
import type { Session } from './lib/session.js';
import { SessionProvider, useAuth } from './lib/session-context.js';
import { AccountPage } from './pages/account-page.js';
import { AdminAuditPage } from './pages/admin-audit-page.js';
import { AdminOverviewPage } from './pages/admin-overview-page.js';
import { AdminUsersPage } from './pages/admin-users-page.js';
import { CreditsPage } from './pages/credits-page.js';
import { NotAllowedPage } from './pages/not-allowed-page.js';
import { NotFoundPage } from './pages/not-found-page.js';
import { ProjectsPage } from './pages/projects-page.js';
import { SignInPage } from './pages/sign-in-page.js';
import { SignUpPage } from './pages/sign-up-page.js';

const PUBLIC_PATHS = new Set(['/sign-in', '/sign-up']);
const HOME = '/projects';

const PAGES: Record<string, { page: () => ReactNode; admin?: boolean }> = {
  '/projects': { page: () => <ProjectsPage /> },
  '/credits': { page: () => <CreditsPage /> },
  '/account': { page: () => <AccountPage /> },
  '/admin': { page: () => <AdminOverviewPage />, admin: true },
  '/admin/users': { page: () => <AdminUsersPage />, admin: true },
  '/admin/audit': { page: () => <AdminAuditPage />, admin: true },
};

function Routes() {
  const auth = useAuth();
  const { pathname } = useLocation();
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;

  // Signed in on a sign-in page or at the root: go home. Signed out elsewhere, the sign-in form
  // shows in place, so the same URL opens once signed in.
  useEffect(() => {
    if (auth.status === 'signed-in' && (PUBLIC_PATHS.has(path) || path === '/')) navigate(HOME, { replace: true });
    if (auth.status === 'signed-out' && path === '/') navigate('/sign-in', { replace: true });
  }, [auth.status, path]);

  if (auth.status === 'restoring') {
    return (
      <div className="auth-page">
        <Loading label="Restoring your session…" />
      </div>
    );
  }
  if (auth.status === 'signed-out') return path === '/sign-up' ? <SignUpPage /> : <SignInPage />;

  const route = PAGES[path];
  let content: ReactNode;
  if (!route) content = PUBLIC_PATHS.has(path) || path === '/' ? <Loading /> : <NotFoundPage />;
  else if (route.admin && auth.user.role !== 'ADMIN') content = <NotAllowedPage />;
  else content = route.page();
  return <Layout>{content}</Layout>;
}

export function App({ session }: { session: Session }) {
  return (
    <SessionProvider session={session}>
      <ToastProvider>
        <Routes />
      </ToastProvider>
    </SessionProvider>
  );
}
