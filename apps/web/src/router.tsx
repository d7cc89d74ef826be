// The dashboard's routes (TanStack Router, declared in code): paths, typed search parameters, and
// the guards — signed out shows the sign-in form, a non-admin on an admin page sees "Not allowed".
import {
  createRootRoute,
  createRoute,
  createRouter,
  Navigate,
  Outlet,
  stripSearchParams,
} from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { Layout } from './components/layout.js';
import { Loading } from './components/ui.js';
import {
  AccountSearch,
  ADMIN_USERS_SEARCH_DEFAULTS,
  AdminInvitationsSearch,
  AdminUsersSearch,
  AuditSearch,
  HOME_PATH,
  LinkSearch,
  PROJECTS_SEARCH_DEFAULTS,
  ProjectsSearch,
  SignInSearch,
  TeamSearch,
} from './lib/search-params.js';
import { useAuth, useCurrentUser } from './lib/session-context.js';
import { AccountPage } from './pages/account/account-page.js';
import { AdminApiKeysPage } from './pages/admin-api-keys/admin-api-keys-page.js';
import { AdminAuditPage } from './pages/admin-audit/admin-audit-page.js';
import { AdminInvitationsPage } from './pages/admin-invitations/admin-invitations-page.js';
import { AdminOverviewPage } from './pages/admin-overview-page.js';
import { AdminUserPage } from './pages/admin-user/admin-user-page.js';
import { AdminUsersPage } from './pages/admin-users/admin-users-page.js';
import { ApiKeysPage } from './pages/api-keys/api-keys-page.js';
import { ConfirmEmailPage } from './pages/confirm-email-page.js';
import { CreditsPage } from './pages/credits/credits-page.js';
import { ForgotPasswordPage } from './pages/forgot-password-page.js';
import { InvitePage } from './pages/invite-page.js';
import { NotAllowedPage } from './pages/not-allowed-page.js';
import { NotFoundPage } from './pages/not-found-page.js';
import { ProjectsPage } from './pages/projects/projects-page.js';
import { ResetPasswordPage } from './pages/reset-password-page.js';
import { SignInPage } from './pages/sign-in-page.js';
import { SignUpPage } from './pages/sign-up-page.js';
import { TeamInvitePage } from './pages/team-invite-page.js';
import { TeamPage } from './pages/teams/team-page.js';
import { TeamsPage } from './pages/teams/teams-page.js';
import { VerifyEmailPage } from './pages/verify-email-page.js';

function Restoring() {
  return (
    <div className="auth-page">
      <Loading label="Restoring your session…" />
    </div>
  );
}

/**
 * The frame of every signed-in page. Signed out, the sign-in form shows in place of the page, so
 * the same URL opens once signed in (no redirect, no `?next=`).
 */
function SignedIn({ children }: { children: ReactNode }) {
  const auth = useAuth();
  if (auth.status === 'restoring') return <Restoring />;
  if (auth.status === 'signed-out') return <SignInPage />;
  return <Layout>{children}</Layout>;
}

/** The sign-in, sign-up and forgot-password pages; signed in, they lead home. */
function SignedOut({ children }: { children: ReactNode }) {
  const auth = useAuth();
  if (auth.status === 'restoring') return <Restoring />;
  if (auth.status === 'signed-in') return <Navigate to={HOME_PATH} replace />;
  return children;
}

/**
 * A page for signed in and signed out alike (a link from a mail opens in whichever browser): in the
 * signed-in frame when there is a session, alone like the sign-in page when there is none.
 */
function EitherWay({ children }: { children: ReactNode }) {
  const auth = useAuth();
  if (auth.status === 'restoring') return <Restoring />;
  if (auth.status === 'signed-in') return <Layout>{children}</Layout>;
  return <main className="auth-page">{children}</main>;
}

function AdminOnly() {
  const user = useCurrentUser();
  return user.role === 'ADMIN' ? <Outlet /> : <NotAllowedPage />;
}

const rootRoute = createRootRoute({
  component: Outlet,
  notFoundComponent: () => (
    <SignedIn>
      <NotFoundPage />
    </SignedIn>
  ),
});

const indexRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/',
  component: function Home() {
    const auth = useAuth();
    if (auth.status === 'restoring') return <Restoring />;
    return <Navigate to={auth.status === 'signed-in' ? HOME_PATH : '/sign-in'} replace />;
  },
});

const signInRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'sign-in',
  validateSearch: SignInSearch,
  component: () => (
    <SignedOut>
      <SignInPage />
    </SignedOut>
  ),
});

const signUpRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'sign-up',
  component: () => (
    <SignedOut>
      <SignUpPage />
    </SignedOut>
  ),
});

const forgotPasswordRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'forgot-password',
  component: () => (
    <SignedOut>
      <ForgotPasswordPage />
    </SignedOut>
  ),
});

/**
 * Whoever opens a reset link chooses the account's password, signed in or not (the reset signs every
 * session out), so the page stands alone: a session ending under it leaves its outcome on screen.
 */
const resetPasswordRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'reset-password',
  validateSearch: LinkSearch,
  component: ResetPasswordPage,
});

const verifyEmailRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'verify-email',
  validateSearch: LinkSearch,
  component: () => (
    <EitherWay>
      <VerifyEmailPage />
    </EitherWay>
  ),
});

/** The link of an email change, mailed to the new address: it may open in a browser signed in or not. */
const confirmEmailRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'confirm-email',
  validateSearch: LinkSearch,
  component: () => (
    <EitherWay>
      <ConfirmEmailPage />
    </EitherWay>
  ),
});

/** An invitation's link: the invitee has no account yet, so it works signed out (signed in, it says to sign out first). */
const inviteRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'invite',
  validateSearch: LinkSearch,
  component: () => (
    <EitherWay>
      <InvitePage />
    </EitherWay>
  ),
});

/**
 * A team invitation's link: signed in, the invited account joins with one button; signed out, the
 * page creates that account. Either way it lands on the team's page.
 */
const teamInviteRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: 'team-invite',
  validateSearch: LinkSearch,
  component: () => (
    <EitherWay>
      <TeamInvitePage />
    </EitherWay>
  ),
});

/** Pathless: the signed-in frame around every page below, kept mounted as the page changes. */
const dashboardRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: '_dashboard',
  component: () => (
    <SignedIn>
      <Outlet />
    </SignedIn>
  ),
});

const projectsRoute = createRoute({
  getParentRoute: () => dashboardRoute,
  path: 'projects',
  validateSearch: ProjectsSearch,
  search: { middlewares: [stripSearchParams(PROJECTS_SEARCH_DEFAULTS)] },
  component: ProjectsPage,
});

const teamsRoute = createRoute({ getParentRoute: () => dashboardRoute, path: 'teams', component: TeamsPage });

/**
 * One team's page; `$teamId` is checked by the page, which says "No such team" for a malformed one,
 * as the API's 404 does for an unknown team and for one the caller is not in.
 */
const teamRoute = createRoute({
  getParentRoute: () => dashboardRoute,
  path: 'teams/$teamId',
  validateSearch: TeamSearch,
  component: TeamPage,
});

const creditsRoute = createRoute({ getParentRoute: () => dashboardRoute, path: 'credits', component: CreditsPage });

/** `?sso_error=` and `?linked=`: where linking single sign-on comes back to (the page shows the outcome once). */
const accountRoute = createRoute({
  getParentRoute: () => dashboardRoute,
  path: 'account',
  validateSearch: AccountSearch,
  component: AccountPage,
});

const apiKeysRoute = createRoute({ getParentRoute: () => dashboardRoute, path: 'api-keys', component: ApiKeysPage });

const adminRoute = createRoute({ getParentRoute: () => dashboardRoute, path: 'admin', component: AdminOnly });

const adminOverviewRoute = createRoute({ getParentRoute: () => adminRoute, path: '/', component: AdminOverviewPage });

const adminUsersRoute = createRoute({
  getParentRoute: () => adminRoute,
  path: 'users',
  validateSearch: AdminUsersSearch,
  search: { middlewares: [stripSearchParams(ADMIN_USERS_SEARCH_DEFAULTS)] },
  component: AdminUsersPage,
});

/** One user's page; `$userId` is checked by the page, which says "No such user" for a malformed one. */
const adminUserRoute = createRoute({
  getParentRoute: () => adminRoute,
  path: 'users/$userId',
  component: AdminUserPage,
});

const adminAuditRoute = createRoute({
  getParentRoute: () => adminRoute,
  path: 'audit',
  validateSearch: AuditSearch,
  component: AdminAuditPage,
});

const adminInvitationsRoute = createRoute({
  getParentRoute: () => adminRoute,
  path: 'invitations',
  validateSearch: AdminInvitationsSearch,
  component: AdminInvitationsPage,
});

const adminApiKeysRoute = createRoute({
  getParentRoute: () => adminRoute,
  path: 'api-keys',
  component: AdminApiKeysPage,
});

const routeTree = rootRoute.addChildren([
  indexRoute,
  signInRoute,
  signUpRoute,
  forgotPasswordRoute,
  resetPasswordRoute,
  verifyEmailRoute,
  confirmEmailRoute,
  inviteRoute,
  teamInviteRoute,
  dashboardRoute.addChildren([
    projectsRoute,
    teamsRoute,
    teamRoute,
    creditsRoute,
    accountRoute,
    apiKeysRoute,
    adminRoute.addChildren([
      adminOverviewRoute,
      adminUsersRoute,
      adminUserRoute,
      adminAuditRoute,
      adminInvitationsRoute,
      adminApiKeysRoute,
    ]),
  ]),
]);

export function createAppRouter() {
  return createRouter({
    routeTree,
    // Every unknown path gets the root's "Page not found" (in the signed-in frame), whatever
    // prefix it shares with a real page: `/admin/nope` is not found, not "not allowed".
    notFoundMode: 'root',
  });
}

declare module '@tanstack/react-router' {
  interface Register {
    router: ReturnType<typeof createAppRouter>;
  }
}
