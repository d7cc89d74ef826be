// The last audit events about a user (theirs, or done to them), newest first, with a link to the whole log.
import type { RouterOutputs } from '@keel/api';
import { Link } from '@tanstack/react-router';
import { EmptyState } from '../../components/ui.js';
import { describeActor, describeAuditDetails } from '../../lib/audit-format.js';
import { formatDateTime } from '../../lib/format.js';

type UserAuditEvent = RouterOutputs['admin']['users']['get']['recentAudit'][number];

export function UserActivity({ userId, events }: { userId: string; events: UserAuditEvent[] }) {
  return (
    <section className="card" aria-labelledby="user-activity-title">
      <div className="page-header">
        <h2 id="user-activity-title">Recent activity</h2>
        <Link to="/admin/audit" search={{ userId }}>
          Full audit log
        </Link>
      </div>
      {events.length === 0 ? (
        <EmptyState>No recorded activity.</EmptyState>
      ) : (
        <div className="table-wrap">
          <table aria-labelledby="user-activity-title">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Action</th>
                <th scope="col">Details</th>
                <th scope="col">By</th>
              </tr>
            </thead>
            <tbody>
              {events.map((event) => (
                <tr key={event.id} data-action={event.action}>
                  <td data-label="When">{formatDateTime(event.at)}</td>
                  <td data-label="Action">
                    <code>{event.action}</code>
                  </td>
                  <td data-label="Details">{describeAuditDetails(event) || '—'}</td>
                  <td data-label="By" title={describeActor(event).email ?? undefined}>
                    {describeActor(event).name}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
