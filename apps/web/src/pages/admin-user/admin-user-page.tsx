// Admin: one user — profile, balance, live sessions and recent activity; change the role,
// activate or deactivate, grant credits, sign them out everywhere, reset their two-step
// verification. Each action refetches the page.
import type { RouterOutputs } from '@keel/api';
import { AdminUserIdInput } from '@keel/api/schemas';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { type ReactNode, useState } from 'react';
import { useToast } from '../../components/toasts.js';
import { Alert, ErrorState, Loading, usePageTitle } from '../../components/ui.js';
import { errorCode, errorMessage } from '../../lib/errors.js';
import { formatCount, formatDateTime, formatNumber } from '../../lib/format.js';
import { useCurrentUser, useSession } from '../../lib/session-context.js';
import { useTRPC } from '../../lib/trpc.js';
import { DeactivateUserDialog } from '../admin-users/deactivate-user-dialog.js';
import { GrantCreditsForm } from '../admin-users/grant-credits-form.js';
import { RoleSelect } from '../admin-users/role-select.js';
import { ResetTwoStepDialog } from './reset-two-step-dialog.js';
import { RevokeSessionsDialog } from './revoke-sessions-dialog.js';
import { UserActivity } from './user-activity.js';
import { UserSessions } from './user-sessions.js';

const route = getRouteApi('/_dashboard/admin/users/$userId');

type AdminUserDetail = RouterOutputs['admin']['users']['get'];

export function AdminUserPage() {
  const { userId } = route.useParams();
  // The URL can be typed by hand: a malformed id is no user, without asking the server.
  const input = AdminUserIdInput.safeParse({ userId });
  if (!input.success) return <NoSuchUser />;
  // Keyed: another user's page starts with no dialog or form left open.
  return <UserDetail key={input.data.userId} userId={input.data.userId} />;
}

/** The page's frame while there is no user to show: the way back, the heading, the state. */
function Frame({ title, children }: { title: string; children: ReactNode }) {
  usePageTitle(title);
  return (
    <section aria-labelledby="user-title">
      <BackToUsers />
      <h1 id="user-title">{title}</h1>
      {children}
    </section>
  );
}

function BackToUsers() {
  return (
    <p className="admin-user-back">
      <Link to="/admin/users">← All users</Link>
    </p>
  );
}

function NoSuchUser() {
  usePageTitle('No such user');
  return (
    <section className="card notice-page" aria-labelledby="user-title">
      <h1 id="user-title">No such user</h1>
      <p>There is no user with this id.</p>
      <p>
        <Link to="/admin/users">Back to users</Link>
      </p>
    </section>
  );
}

function UserDetail({ userId }: { userId: string }) {
  const trpc = useTRPC();
  const detail = useQuery(trpc.admin.users.get.queryOptions({ userId }));
  if (detail.isPending) {
    return (
      <Frame title="User">
        <Loading label="Loading user…" />
      </Frame>
    );
  }
  if (detail.isError) {
    if (errorCode(detail.error) === 'NOT_FOUND') return <NoSuchUser />;
    return (
      <Frame title="User">
        <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />
      </Frame>
    );
  }
  return <LoadedUser detail={detail.data} busy={detail.isFetching} />;
}

function LoadedUser({ detail, busy }: { detail: AdminUserDetail; busy: boolean }) {
  const { user } = detail;
  usePageTitle(user.name);
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const me = useCurrentUser();
  const session = useSession();
  const navigate = useNavigate();
  const self = user.id === me.id;
  const [granting, setGranting] = useState(false);
  const [deactivating, setDeactivating] = useState(false);
  const [revoking, setRevoking] = useState(false);
  const [resettingTwoStep, setResettingTwoStep] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);

  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.admin.users.get.queryKey({ userId: user.id }) });
    void queryClient.invalidateQueries({ queryKey: trpc.admin.users.list.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.admin.stats.queryKey() });
    // An admin may have changed their own role or status.
    if (self) void queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey() });
  };
  const setRole = useMutation(
    trpc.admin.users.setRole.mutationOptions({
      onMutate: () => setActionError(null),
      onSuccess: (changed) => toast(`${changed.name} is now ${changed.role}.`),
      onError: (error) => setActionError(errorMessage(error)),
      onSettled: refresh,
    }),
  );
  const setActive = useMutation(
    trpc.admin.users.setActive.mutationOptions({
      onMutate: () => setActionError(null),
      onSuccess: (changed) => toast(`${changed.name} is now ${changed.active ? 'active' : 'deactivated'}.`),
      onError: (error) => setActionError(errorMessage(error)),
      onSettled: () => {
        setDeactivating(false);
        refresh();
      },
    }),
  );
  const revokeSessions = useMutation(
    trpc.admin.users.revokeSessions.mutationOptions({
      onMutate: () => setActionError(null),
      onSuccess: ({ revoked }) => {
        if (self) {
          // This browser's session was one of them: nothing to tell the server any more.
          session.forget('You signed out everywhere.');
          void navigate({ to: '/sign-in', replace: true });
          return;
        }
        toast(`${user.name} is signed out of ${formatCount(revoked, 'session')}.`);
      },
      onError: (error) => setActionError(errorMessage(error)),
      onSettled: () => {
        setRevoking(false);
        if (!self) refresh();
      },
    }),
  );
  const resetTwoStep = useMutation(
    trpc.admin.users.resetMfa.mutationOptions({
      onMutate: () => setActionError(null),
      onSuccess: () => toast(`Two-step verification is off for ${user.name}; they were mailed a notice.`),
      onError: (error) => setActionError(errorMessage(error)),
      onSettled: () => {
        setResettingTwoStep(false);
        refresh();
      },
    }),
  );

  return (
    <section aria-labelledby="user-title" aria-busy={busy}>
      <BackToUsers />
      <div className="page-header">
        <h1 id="user-title">{user.name}</h1>
        <span className={user.active ? 'tag tag-ok' : 'tag tag-off'}>{user.active ? 'Active' : 'Deactivated'}</span>
      </div>
      {actionError ? <Alert tone="error">{actionError}</Alert> : null}

      <div className="grid-2">
        <section className="card" aria-labelledby="user-profile-title">
          <h2 id="user-profile-title">Profile</h2>
          <dl className="admin-user-facts">
            <div>
              <dt>Email</dt>
              <dd>{user.email}</dd>
            </div>
            <div>
              <dt>Role</dt>
              <dd>
                <RoleSelect
                  user={user}
                  disabled={setRole.isPending}
                  onRole={(role) => setRole.mutate({ userId: user.id, role })}
                />
              </dd>
            </div>
            <div>
              <dt>Status</dt>
              <dd>{user.active ? 'Active' : 'Deactivated'}</dd>
            </div>
            <div>
              <dt>Two-step verification</dt>
              <dd>{detail.twoStepEnabled ? 'On' : 'Off'}</dd>
            </div>
            <div>
              <dt>Joined</dt>
              <dd>{formatDateTime(user.createdAt)}</dd>
            </div>
          </dl>
          <div className="actions">
            {user.active ? (
              <button
                type="button"
                className="button-danger"
                disabled={self}
                title={self ? 'You cannot deactivate yourself' : undefined}
                onClick={() => setDeactivating(true)}
              >
                Deactivate
              </button>
            ) : (
              <button
                type="button"
                className="button-secondary"
                disabled={setActive.isPending}
                onClick={() => setActive.mutate({ userId: user.id, active: true })}
              >
                Activate
              </button>
            )}
            {detail.twoStepEnabled ? (
              <button type="button" className="button-secondary" onClick={() => setResettingTwoStep(true)}>
                Reset two-step verification
              </button>
            ) : null}
          </div>
        </section>

        <section className="card" aria-labelledby="user-balance-title">
          <h2 id="user-balance-title">Balance</h2>
          <p className="balance" data-testid="user-balance" aria-live="polite">
            {formatNumber(detail.balance)} <span className="muted">credits</span>
          </p>
          <div className="actions">
            <button
              type="button"
              className="button-secondary"
              aria-label={`Grant credits to ${user.email}`}
              disabled={granting}
              onClick={() => setGranting(true)}
            >
              Grant credits
            </button>
          </div>
        </section>
      </div>

      {granting ? (
        <GrantCreditsForm
          user={user}
          onDone={(message) => {
            setGranting(false);
            toast(message);
            refresh();
          }}
          onCancel={() => setGranting(false)}
        />
      ) : null}

      <UserSessions sessions={detail.sessions} onSignOutEverywhere={() => setRevoking(true)} />
      <UserActivity userId={user.id} events={detail.recentAudit} />

      <DeactivateUserDialog
        user={deactivating ? user : null}
        busy={setActive.isPending}
        onCancel={() => setDeactivating(false)}
        onConfirm={() => setActive.mutate({ userId: user.id, active: false })}
      />
      <ResetTwoStepDialog
        user={user}
        open={resettingTwoStep}
        busy={resetTwoStep.isPending}
        onCancel={() => setResettingTwoStep(false)}
        onConfirm={() => resetTwoStep.mutate({ userId: user.id })}
      />
      <RevokeSessionsDialog
        user={user}
        sessionCount={detail.sessions.length}
        self={self}
        open={revoking}
        busy={revokeSessions.isPending}
        onCancel={() => setRevoking(false)}
        onConfirm={() => revokeSessions.mutate({ userId: user.id })}
      />
    </section>
  );
}
