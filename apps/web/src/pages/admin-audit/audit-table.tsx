// The audit events table, newest first: one row per event, its metadata as JSON.
import type { RouterOutputs } from '@keel/api';
import { formatDateTime, shortId } from '../../lib/format.js';

type AuditEvent = RouterOutputs['admin']['audit']['list']['items'][number];

export function AuditTable({ events }: { events: AuditEvent[] }) {
  return (
    <div className="table-wrap">
      <table aria-labelledby="audit-title">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Action</th>
            <th scope="col">Actor</th>
            <th scope="col">Target</th>
            <th scope="col">Details</th>
            <th scope="col">IP</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event) => (
            <tr key={event.id} data-action={event.action}>
              <td data-label="When">{formatDateTime(event.at)}</td>
              <td data-label="Action">
                <code>{event.action}</code>
              </td>
              <td data-label="Actor" title={event.actorId ?? undefined}>
                {shortId(event.actorId)}
              </td>
              <td data-label="Target" title={event.targetId ?? undefined}>
                {event.targetType ? `${event.targetType} ` : ''}
                {shortId(event.targetId)}
              </td>
              <td data-label="Details" className="metadata">
                {Object.keys(event.metadata).length > 0 ? JSON.stringify(event.metadata) : '—'}
              </td>
              <td data-label="IP">{event.ip ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
