// The overview's latest notable events: who did what, how long ago (the exact time on hover).
import type { RouterOutputs } from '@keel/api';
import { useId } from 'react';
import { EmptyState } from '../../components/ui.js';
import { formatDateTime, formatRelative } from '../../lib/format.js';
import { describeAction } from './action-labels.js';

type ActivityEvent = RouterOutputs['admin']['activity']['recent'][number];

export function RecentActivity({ events, days }: { events: readonly ActivityEvent[]; days: number }) {
  const id = useId();
  return (
    <section className="card recent-activity" aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Recent activity</h3>
      {events.length === 0 ? (
        <EmptyState>Nothing notable in the last {days} days.</EmptyState>
      ) : (
        <ol className="activity-list">
          {events.map((event) => (
            <li key={event.id} data-action={event.action}>
              <span className="activity-what">
                {event.actor ? (
                  <>
                    <strong>{event.actor.name}</strong> <span className="muted">({event.actor.email})</span>
                  </>
                ) : (
                  <strong>{event.action === 'auth.login_failed' ? 'Unknown email' : 'Someone'}</strong>
                )}{' '}
                {describeAction(event.action)}
              </span>
              <time className="muted" dateTime={event.at} title={formatDateTime(event.at)}>
                {formatRelative(event.at)}
              </time>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
