// The signed-in frame: navigation (admin links only for admins, the team switcher), the live-events badge, sign-out, and the
// banner of an unconfirmed address (or, for a page the server refuses until it is confirmed, a panel in its place), and the
// panel that sets up two-step verification in place of a page the server refuses until this session passed it.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from '@tanstack/react-router';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { type LiveStatus, type LiveUpdate, useLiveEvents } from '../lib/live-events.js';
import { addReceived, NO_TRANSFERS, receivedNotice } from '../lib/received-credits.js';
import { useCurrentUser, useSession } from '../lib/session-context.js';
import { useTRPC } from '../lib/trpc.js';
import { ConnectionBanner } from './connection-banner.js';
import {
  EmailConfirmationRequired,
  EmailVerificationBanner,
  useEmailConfirmationRequired,
} from './email-verification.js';
import { TeamSwitcher } from './team-switcher.js';
import { TOAST_MS, useToast } from './toasts.js';
import { TwoStepRequired, useTwoStepRequired } from './two-step-required.js';

const LIVE_LABEL: Record<LiveStatus, string> = {
  off: 'Offline',
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  paused: 'Live updates paused',
};

/** Keeps the caches in step with what the server tells us happened. */
function useLiveUpdates(): { status: LiveStatus; resume: () => void } {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  // Transfers arriving while the notice of the last one still shows add up in that one notice.
  const received = useRef(NO_TRANSFERS);
  const refreshCredits = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.credits.balance.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.credits.history.pathKey() });
  };
  return useLiveEvents(true, {
    // On every (re)connection, for example after the server restarted: what failed meanwhile is
    // fetched again, so the page recovers by itself, not only the badge.
    onConnected: () => {
      refreshCredits();
      void queryClient.invalidateQueries({ predicate: (query) => query.state.status === 'error' });
    },
    onEvent(event: LiveUpdate) {
      switch (event.type) {
        case 'credits.received':
          // The event carries the new balance: show it now, and refetch the ledger behind it.
          queryClient.setQueryData(trpc.credits.balance.queryKey(), { balance: event.data.balance });
          refreshCredits();
          received.current = addReceived(received.current, event.data.amount, Date.now(), TOAST_MS);
          toast(receivedNotice(received.current), 'credits.received');
          return;
        case 'project.changed':
          void queryClient.invalidateQueries({ queryKey: trpc.projects.pathKey() });
          return;
        case 'user.role_changed':
          // `auth.me` carries the role the navigation and pages are drawn for; what the old role
          // could see is fetched again under the new one.
          void queryClient.invalidateQueries();
          toast(`Your role is now ${event.data.role}.`);
          return;
        default:
          // A new member of the API's LiveEvent union fails to compile here until it is handled.
          event satisfies never;
      }
    },
  });
}

/** A navigation link is current (`aria-current="page"`) on its own path only, whatever the query. */
const THIS_PAGE_ONLY = { exact: true, includeSearch: false };

export function Layout({ children }: { children: ReactNode }) {
  const user = useCurrentUser();
  const session = useSession();
  const trpc = useTRPC();
  const live = useLiveUpdates();
  const navigate = useNavigate();
  const [menuOpen, setMenuOpen] = useState(false);
  const [signingOut, setSigningOut] = useState(false);

  // The token's user is a snapshot; `auth.me` follows profile and role changes made elsewhere.
  const me = useQuery(trpc.auth.me.queryOptions());
  useEffect(() => {
    if (me.data) session.store.updateUser(me.data);
  }, [me.data, session.store]);

  const confirmationRequired = useEmailConfirmationRequired(user);
  const twoStep = useTwoStepRequired();

  const isAdmin = user.role === 'ADMIN';
  // On a phone the open menu covers the page: following a link closes it.
  const closeMenu = () => setMenuOpen(false);
  const menuButton = useRef<HTMLButtonElement>(null);
  // Escape closes it too, and gives focus back to the button that opened it.
  useEffect(() => {
    if (!menuOpen) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setMenuOpen(false);
      menuButton.current?.focus();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [menuOpen]);
  const signOut = async () => {
    setSigningOut(true);
    await session.signOut();
    await navigate({ to: '/sign-in', replace: true });
  };

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/projects" className="brand" activeOptions={THIS_PAGE_ONLY}>
          Keel
        </Link>
        <button
          type="button"
          className="menu-toggle button-secondary"
          ref={menuButton}
          aria-expanded={menuOpen}
          aria-controls="main-nav"
          onClick={() => setMenuOpen((open) => !open)}
        >
          Menu
        </button>
        <span className={`live live-${live.status}`} data-testid="live-status" title="Live updates">
          {LIVE_LABEL[live.status]}
        </span>
        {live.status === 'paused' ? (
          // Paused because this user opened more live streams (tabs) than the server keeps; resuming
          // here ends the oldest elsewhere, which then pauses in its turn rather than reconnecting.
          <button
            type="button"
            className="button-secondary"
            onClick={live.resume}
            title="Live updates are on in your newer tabs; resume them here"
          >
            Resume
          </button>
        ) : null}
        <span className="whoami">
          {user.name} <span className="role-badge">{user.role}</span>
        </span>
        <button type="button" className="button-secondary" onClick={signOut} disabled={signingOut}>
          {signingOut ? 'Signing out…' : 'Sign out'}
        </button>
      </header>
      <nav id="main-nav" className={`sidenav${menuOpen ? ' open' : ''}`} aria-label="Main">
        <div className="team-switcher">
          <TeamSwitcher onSwitched={closeMenu} />
        </div>
        <ul>
          <li>
            <Link to="/projects" activeOptions={THIS_PAGE_ONLY} onClick={closeMenu}>
              Projects
            </Link>
          </li>
          <li>
            <Link to="/teams" activeOptions={THIS_PAGE_ONLY} onClick={closeMenu}>
              Teams
            </Link>
          </li>
          <li>
            <Link to="/credits" activeOptions={THIS_PAGE_ONLY} onClick={closeMenu}>
              Credits
            </Link>
          </li>
          <li>
            <Link to="/account" activeOptions={THIS_PAGE_ONLY} onClick={closeMenu}>
              Account
            </Link>
          </li>
          <li>
            <Link to="/api-keys" activeOptions={THIS_PAGE_ONLY} onClick={closeMenu}>
              API keys
            </Link>
          </li>
        </ul>
        {isAdmin ? (
          <>
            <h2 className="nav-heading">Admin</h2>
            <ul>
              <li>
                <Link to="/admin" activeOptions={THIS_PAGE_ONLY} onClick={closeMenu}>
                  Overview
                </Link>
              </li>
              <li>
                <Link to="/admin/users" activeOptions={THIS_PAGE_ONLY} onClick={closeMenu}>
                  Users
                </Link>
              </li>
              <li>
                <Link to="/admin/invitations" activeOptions={THIS_PAGE_ONLY} onClick={closeMenu}>
                  Invitations
                </Link>
              </li>
              <li>
                <Link to="/admin/api-keys" activeOptions={THIS_PAGE_ONLY} onClick={closeMenu}>
                  All API keys
                </Link>
              </li>
              <li>
                <Link to="/admin/audit" activeOptions={THIS_PAGE_ONLY} onClick={closeMenu}>
                  Audit log
                </Link>
              </li>
            </ul>
          </>
        ) : null}
      </nav>
      <main id="main" className="content" tabIndex={-1}>
        <ConnectionBanner liveStatus={live.status} />
        {twoStep.required ? (
          <TwoStepRequired onPassed={twoStep.passed} />
        ) : confirmationRequired ? (
          // The panel says what the banner says, and more: one "Send a new link" on screen.
          <EmailConfirmationRequired email={user.email} />
        ) : (
          <>
            {user.emailVerified ? null : <EmailVerificationBanner email={user.email} />}
            {children}
          </>
        )}
      </main>
    </div>
  );
}
