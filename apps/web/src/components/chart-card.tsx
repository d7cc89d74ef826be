// A chart as a card: its heading, a one-line summary that carries the totals, the plot, and the
// same numbers as a table that only assistive technology reads.
import { type ReactNode, useId } from 'react';

/** The stylesheet's palette (styles.css `:root`): SVG presentation attributes take no CSS variables. */
export const CHART_COLORS = {
  primary: '#1f4e79',
  danger: '#b3261e',
  ok: '#1d6b3a',
  muted: '#5c6775',
  grid: '#d8dee6',
} as const;

export interface ChartTable {
  caption: string;
  /** The row-heading column first (the day), then one per series. */
  columns: readonly string[];
  /** One row per day: its heading cell, then one cell per series. */
  rows: readonly (readonly string[])[];
}

export function ChartCard({
  title,
  summary,
  table,
  headingLevel = 2,
  children,
}: {
  title: string;
  /** `h2` on its own on a page, `h3` inside a section with its own heading. */
  headingLevel?: 2 | 3;
  summary: ReactNode;
  table: ChartTable;
  /** The plot, hidden from assistive technology: the summary and the table say what it shows. */
  children: ReactNode;
}) {
  const id = useId();
  const [rowHeading, ...valueHeadings] = table.columns;
  const Heading = headingLevel === 2 ? 'h2' : 'h3';
  return (
    <section className="card chart-card" aria-labelledby={`${id}-title`}>
      <Heading id={`${id}-title`}>{title}</Heading>
      <p className="chart-summary">{summary}</p>
      <div className="chart-plot" aria-hidden="true">
        {children}
      </div>
      <table className="visually-hidden">
        <caption>{table.caption}</caption>
        <thead>
          <tr>
            <th scope="col">{rowHeading}</th>
            {valueHeadings.map((heading) => (
              <th scope="col" key={heading}>
                {heading}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {table.rows.map(([head, ...cells]) => (
            <tr key={head}>
              <th scope="row">{head}</th>
              {cells.map((cell, column) => (
                <td key={valueHeadings[column]}>{cell}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
