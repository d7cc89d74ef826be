// Admin overview: the counts of admin.stats (users by role, projects, transfers in the last 24 hours),
// then the activity of the last days as charts and the latest notable events (admin.activity).
import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { ErrorState, Loading, usePageTitle } from '../components/ui.js';
import { formatCount, formatNumber } from '../lib/format.js';
import { useTRPC } from '../lib/trpc.js';
import { ActivitySection } from './admin-overview/activity-section.js';

export function AdminOverviewPage() {
  usePageTitle('Overview');
  const trpc = useTRPC();
  const stats = useQuery(trpc.admin.stats.queryOptions());
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      {stats.isPending ? (
        <Loading label="Loading statistics…" />
      ) : stats.isError ? (
        <ErrorState error={stats.error} onRetry={() => void stats.refetch()} />
      ) : (
        <dl className="stats">
          <div className="stat">
            <dt>Users</dt>
            <dd>{formatNumber(stats.data.users.total)}</dd>
            <dd className="stat-detail">{formatNumber(stats.data.users.active)} active</dd>
          </div>
          <div className="stat">
            <dt>Admins</dt>
            <dd>{formatNumber(stats.data.users.byRole.ADMIN)}</dd>
            <dd className="stat-detail">
              {formatCount(stats.data.users.byRole.USER, 'user')} ·{' '}
              {formatCount(stats.data.users.byRole.GUEST, 'guest')}
            </dd>
          </div>
          <div className="stat">
            <dt>Projects</dt>
            <dd>{formatNumber(stats.data.projects)}</dd>
          </div>
          <div className="stat">
            <dt>Transfers (24 h)</dt>
            <dd>{formatNumber(stats.data.transfersLast24h)}</dd>
          </div>
        </dl>
      )}
      <ActivitySection />
      <p>
        <Link to="/admin/users">Manage users</Link> · <Link to="/admin/audit">Read the audit log</Link>
      </p>
    </section>
  );
}
