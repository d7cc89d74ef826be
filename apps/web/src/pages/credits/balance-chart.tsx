// The caller's balance at the end of each of the last 30 days (credits.balanceHistory). Today's
// point is the live balance, so a transfer sent or received shows at once without a refetch.
import { useQuery } from '@tanstack/react-query';
import { Area, AreaChart, CartesianGrid, Tooltip, XAxis, YAxis } from 'recharts';
import { CHART_COLORS, ChartCard } from '../../components/chart-card.js';
import { ErrorState, Loading } from '../../components/ui.js';
import { formatCredits, formatDay, formatDayShort, formatNumber } from '../../lib/format.js';
import { useTRPC } from '../../lib/trpc.js';

const DAYS = 30;

export function BalanceChart() {
  const trpc = useTRPC();
  const history = useQuery(trpc.credits.balanceHistory.queryOptions({ days: DAYS }));
  const balance = useQuery(trpc.credits.balance.queryOptions());

  if (history.isPending) return <Loading label="Loading balance history…" />;
  if (history.isError) return <ErrorState error={history.error} onRetry={() => void history.refetch()} />;

  const live = balance.data?.balance;
  const days = history.data.days.map((entry, index, all) =>
    index === all.length - 1 && live !== undefined ? { ...entry, balance: live } : entry,
  );
  const first = days[0];
  const now = days.at(-1)?.balance ?? 0;
  return (
    <ChartCard
      title="Balance over time"
      summary={
        first ? `${formatCredits(first.balance)} at the end of ${formatDay(first.day)}, ${formatCredits(now)} now.` : ''
      }
      table={{
        caption: `Balance at the end of each of the last ${DAYS} days`,
        columns: ['Day', 'Balance'],
        rows: days.map((entry) => [formatDay(entry.day), formatNumber(entry.balance)]),
      }}
    >
      <AreaChart data={days} responsive className="chart" accessibilityLayer={false}>
        <CartesianGrid stroke={CHART_COLORS.grid} strokeDasharray="3 3" vertical={false} />
        <XAxis dataKey="day" tickFormatter={formatDayShort} minTickGap={24} tick={{ fontSize: 12 }} />
        <YAxis allowDecimals={false} width={56} tick={{ fontSize: 12 }} />
        <Tooltip labelFormatter={(day) => formatDay(String(day))} />
        <Area
          type="stepBefore"
          dataKey="balance"
          name="Balance"
          stroke={CHART_COLORS.primary}
          fill={CHART_COLORS.primary}
          fillOpacity={0.15}
          isAnimationActive={false}
        />
      </AreaChart>
    </ChartCard>
  );
}
