// The audit events table, newest first: one row per event, who acted on whom by name, and the
// metadata as a sentence (lib/audit-format.ts).
import type { RouterOutputs } from '@keel/api';
import { TruncatedText } from '../../components/truncated-text.js';
import { describeActor, describeAuditDetails, describeTarget } from '../../lib/audit-format.js';
import { formatDateTime } from '../../lib/format.js';

type AuditEvent = RouterOutputs['admin']['audit']['list']['items'][number];

function ActorCell({ event }: { event: AuditEvent }) {
  const actor = describeActor(event);
  return (
    <td data-label="Actor" className="cell-wrap" title={event.actorId ?? undefined}>
      {event.actor ? actor.name : <span className="muted">{actor.name}</span>}
      {actor.email ? <span className="cell-note">{actor.email}</span> : null}
    </td>
  );
}

function TargetCell({ event }: { event: AuditEvent }) {
  const target = describeTarget(event);
  return (
    <td data-label="Target" className="cell-wrap" title={target.title ?? undefined}>
      {target.label}
      {event.target ? <span className="cell-note">{event.target.email}</span> : null}
    </td>
  );
}

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
          {events.map((event) => {
            const details = describeAuditDetails(event);
            return (
              <tr key={event.id} data-action={event.action}>
                <td data-label="When">{formatDateTime(event.at)}</td>
                <td data-label="Action">
                  <code>{event.action}</code>
                </td>
                <ActorCell event={event} />
                <TargetCell event={event} />
                <td data-label="Details">{details === '' ? '—' : <TruncatedText text={details} />}</td>
                <td data-label="IP">{event.ip ?? '—'}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
