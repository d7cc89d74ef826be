// A user's live sessions as an admin sees them: device, IP, when signed in and last used.
import type { RouterOutputs } from '@keel/api';
import { EmptyState } from '../../components/ui.js';
import { describeUserAgent, formatDateTime, formatRelative } from '../../lib/format.js';

type UserSession = RouterOutputs['admin']['users']['get']['sessions'][number];

export function UserSessions({
  sessions,
  onSignOutEverywhere,
}: {
  sessions: UserSession[];
  onSignOutEverywhere: () => void;
}) {
  return (
    <section className="card" aria-labelledby="user-sessions-title">
      <div className="page-header">
        <h2 id="user-sessions-title">Active sessions</h2>
        <button
          type="button"
          className="button-danger"
          disabled={sessions.length === 0}
          title={sessions.length === 0 ? 'No session to end' : undefined}
          onClick={onSignOutEverywhere}
        >
          Sign out everywhere
        </button>
      </div>
      {sessions.length === 0 ? (
        <EmptyState>No active sessions.</EmptyState>
      ) : (
        <div className="table-wrap">
          <table aria-labelledby="user-sessions-title">
            <thead>
              <tr>
                <th scope="col">Device</th>
                <th scope="col">IP</th>
                <th scope="col">Signed in</th>
                <th scope="col">Last used</th>
              </tr>
            </thead>
            <tbody>
              {sessions.map((session) => (
                <tr key={session.id}>
                  <td data-label="Device" title={session.userAgent ?? undefined}>
                    {describeUserAgent(session.userAgent)}
                  </td>
                  <td data-label="IP">{session.ip ?? '—'}</td>
                  <td data-label="Signed in">{formatDateTime(session.createdAt)}</td>
                  <td data-label="Last used" title={formatDateTime(session.lastUsedAt)}>
                    {formatRelative(session.lastUsedAt)}
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
