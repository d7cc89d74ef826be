// The active sessions of the account: device, IP and times; revoke one, or sign out everywhere.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Alert, EmptyState, ErrorState, Loading } from '../../components/ui.js';
import { errorMessage } from '../../lib/errors.js';
import { describeUserAgent, formatDateTime, formatRelative } from '../../lib/format.js';
import { useTRPC } from '../../lib/trpc.js';
import { SignOutEverywhereDialog } from './sign-out-everywhere-dialog.js';

export function SessionsTable() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const sessions = useQuery(trpc.auth.sessions.queryOptions());
  const [confirmAll, setConfirmAll] = useState(false);
  const revoke = useMutation(
    trpc.auth.revokeSession.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.auth.sessions.queryKey() }),
    }),
  );
  return (
    <div className="card">
      <div className="page-header">
        <h2 id="sessions-title">Active sessions</h2>
        <button type="button" className="button-danger" onClick={() => setConfirmAll(true)}>
          Sign out everywhere
        </button>
      </div>
      {revoke.isError ? <Alert tone="error">{errorMessage(revoke.error)}</Alert> : null}
      {sessions.isPending ? (
        <Loading label="Loading sessions…" />
      ) : sessions.isError ? (
        <ErrorState error={sessions.error} onRetry={() => void sessions.refetch()} />
      ) : sessions.data.items.length === 0 ? (
        <EmptyState>No active sessions.</EmptyState>
      ) : (
        <div className="table-wrap">
          <table aria-labelledby="sessions-title">
            <thead>
              <tr>
                <th scope="col">Device</th>
                <th scope="col">IP</th>
                <th scope="col">Signed in</th>
                <th scope="col">Last used</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {sessions.data.items.map((item) => (
                <tr key={item.id}>
                  <td data-label="Device" title={item.userAgent ?? undefined}>
                    {describeUserAgent(item.userAgent)}
                    {item.current ? <span className="tag">this device</span> : null}
                  </td>
                  <td data-label="IP">{item.ip ?? '—'}</td>
                  <td data-label="Signed in">{formatDateTime(item.createdAt)}</td>
                  <td data-label="Last used" title={formatDateTime(item.lastUsedAt)}>
                    {formatRelative(item.lastUsedAt)}
                  </td>
                  <td className="actions-cell">
                    <div className="row-actions">
                      {item.current ? null : (
                        <button
                          type="button"
                          className="button-secondary"
                          disabled={revoke.isPending}
                          // Each row's button says whose session it ends: "Revoke" alone is ambiguous to a screen reader.
                          aria-label={`Revoke ${describeUserAgent(item.userAgent)}${item.ip ? ` at ${item.ip}` : ''}, last used ${formatRelative(item.lastUsedAt)}`}
                          onClick={() => revoke.mutate({ sessionId: item.id })}
                        >
                          Revoke
                        </button>
                      )}
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <SignOutEverywhereDialog open={confirmAll} onCancel={() => setConfirmAll(false)} />
    </div>
  );
}
