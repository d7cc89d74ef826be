// The overview's daily series as charts: sign-ins against refused ones, sign-ups, and transfers
// with the credits they moved. Each chart's summary states its totals; its table, every day.
import type { RouterOutputs } from '@keel/api';
import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  ComposedChart,
  Legend,
  Line,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { CHART_COLORS, ChartCard } from '../../components/chart-card.js';
import { formatCount, formatCredits, formatDay, formatDayShort, formatNumber } from '../../lib/format.js';

type AdminActivity = RouterOutputs['admin']['activity'];

/** The axes and hover details every chart here shares; the plot is decoration beside the table. */
function commonParts() {
  return [
    <CartesianGrid key="grid" stroke={CHART_COLORS.grid} strokeDasharray="3 3" vertical={false} />,
    <XAxis key="x" dataKey="day" tickFormatter={formatDayShort} minTickGap={24} tick={{ fontSize: 12 }} />,
    <Tooltip key="tooltip" labelFormatter={(day) => formatDay(String(day))} />,
  ];
}

const CHART_PROPS = { responsive: true, className: 'chart', accessibilityLayer: false } as const;

export function ActivityCharts({ activity, days }: { activity: AdminActivity; days: number }) {
  const { series, totals } = activity;
  const period = `in the last ${days} days`;
  const dayCell = (day: string) => formatDay(day);
  return (
    <div className="chart-grid">
      <ChartCard
        headingLevel={3}
        title="Sign-ins"
        summary={`${formatCount(totals.signIns, 'sign-in')} and ${formatCount(totals.failedSignIns, 'failed sign-in')} ${period}.`}
        table={{
          caption: `Sign-ins and failed sign-ins per day ${period}`,
          columns: ['Day', 'Sign-ins', 'Failed sign-ins'],
          rows: series.map((day) => [dayCell(day.day), formatNumber(day.signIns), formatNumber(day.failedSignIns)]),
        }}
      >
        <AreaChart data={series} {...CHART_PROPS}>
          {commonParts()}
          <YAxis allowDecimals={false} width={40} tick={{ fontSize: 12 }} />
          <Legend />
          <Area
            type="monotone"
            dataKey="signIns"
            name="Sign-ins"
            stroke={CHART_COLORS.primary}
            fill={CHART_COLORS.primary}
            fillOpacity={0.15}
            isAnimationActive={false}
          />
          <Area
            type="monotone"
            dataKey="failedSignIns"
            name="Failed sign-ins"
            stroke={CHART_COLORS.danger}
            fill={CHART_COLORS.danger}
            fillOpacity={0.15}
            isAnimationActive={false}
          />
        </AreaChart>
      </ChartCard>
      <ChartCard
        headingLevel={3}
        title="Sign-ups"
        summary={`${formatCount(totals.signUps, 'sign-up')} ${period}.`}
        table={{
          caption: `New accounts per day ${period}`,
          columns: ['Day', 'Sign-ups'],
          rows: series.map((day) => [dayCell(day.day), formatNumber(day.signUps)]),
        }}
      >
        <BarChart data={series} {...CHART_PROPS}>
          {commonParts()}
          <YAxis allowDecimals={false} width={40} tick={{ fontSize: 12 }} />
          <Bar dataKey="signUps" name="Sign-ups" fill={CHART_COLORS.ok} isAnimationActive={false} />
        </BarChart>
      </ChartCard>
      <ChartCard
        headingLevel={3}
        title="Transfers"
        summary={`${formatCount(totals.transfers, 'transfer')} moving ${formatCredits(totals.creditVolume)} ${period}.`}
        table={{
          caption: `Transfers and the credits they moved per day ${period}`,
          columns: ['Day', 'Transfers', 'Credits moved'],
          rows: series.map((day) => [dayCell(day.day), formatNumber(day.transfers), formatNumber(day.creditVolume)]),
        }}
      >
        <ComposedChart data={series} {...CHART_PROPS}>
          {commonParts()}
          <YAxis yAxisId="count" allowDecimals={false} width={40} tick={{ fontSize: 12 }} />
          <YAxis yAxisId="credits" orientation="right" allowDecimals={false} width={56} tick={{ fontSize: 12 }} />
          <Legend />
          <Bar
            yAxisId="count"
            dataKey="transfers"
            name="Transfers"
            fill={CHART_COLORS.primary}
            isAnimationActive={false}
          />
          <Line
            yAxisId="credits"
            type="monotone"
            dataKey="creditVolume"
            name="Credits moved"
            stroke={CHART_COLORS.ok}
            strokeWidth={2}
            dot={false}
            isAnimationActive={false}
          />
        </ComposedChart>
      </ChartCard>
    </div>
  );
}
