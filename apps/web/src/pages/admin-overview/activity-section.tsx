// The overview's activity over a chosen range (admin.activity): the charts and the recent events.
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { ErrorState, Loading, SelectField } from '../../components/ui.js';
import { useTRPC } from '../../lib/trpc.js';
import { ActivityCharts } from './activity-charts.js';
import { RecentActivity } from './recent-activity.js';

const RANGES = [7, 30, 90] as const;

export function ActivitySection() {
  const trpc = useTRPC();
  const id = useId();
  const [days, setDays] = useState<number>(30);
  // The previous range stays on screen while the next loads, instead of a spinner in its place.
  const activity = useQuery({ ...trpc.admin.activity.queryOptions({ days }), placeholderData: keepPreviousData });
  return (
    <section className="activity" aria-labelledby={`${id}-title`}>
      <div className="page-header activity-header">
        <h2 id={`${id}-title`}>Activity</h2>
        <SelectField label="Range" value={days} onChange={(event) => setDays(Number(event.target.value))}>
          {RANGES.map((range) => (
            <option key={range} value={range}>
              Last {range} days
            </option>
          ))}
        </SelectField>
      </div>
      {activity.isPending ? (
        <Loading label="Loading activity…" />
      ) : activity.isError ? (
        <ErrorState error={activity.error} onRetry={() => void activity.refetch()} />
      ) : (
        <>
          <ActivityCharts activity={activity.data} days={activity.data.series.length} />
          <RecentActivity events={activity.data.recent} days={activity.data.series.length} />
        </>
      )}
    </section>
  );
}
