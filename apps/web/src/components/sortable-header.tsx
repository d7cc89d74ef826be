// A column header that sorts its table: the list's `sort` value is the column (ascending) or the
// column with a leading `-` (descending), as the procedures take it, so a click only rewrites the URL.
import type { ReactNode } from 'react';

type Direction = 'ascending' | 'descending' | 'none';

function directionOf(sort: string, column: string): Direction {
  if (sort === column) return 'ascending';
  if (sort === `-${column}`) return 'descending';
  return 'none';
}

const ARROWS: Record<Direction, string> = { ascending: '▲', descending: '▼', none: '↕' };

export function SortableHeader<Sort extends string>({
  column,
  sort,
  onSort,
  firstDirection = 'ascending',
  children,
}: {
  /** The ascending sort value of this column (`name`); its descending value is `-name`. */
  column: Sort;
  sort: Sort;
  onSort: (sort: Sort) => void;
  /** Dates read best newest first, so their first click sorts descending. */
  firstDirection?: 'ascending' | 'descending';
  children: ReactNode;
}) {
  const direction = directionOf(sort, column);
  const descending = `-${column}` as Sort;
  const next =
    direction === 'none'
      ? firstDirection === 'ascending'
        ? column
        : descending
      : direction === 'ascending'
        ? descending
        : column;
  return (
    <th scope="col" aria-sort={direction}>
      <button type="button" className="sort-button" onClick={() => onSort(next)}>
        {children}
        <span className="sort-arrow" aria-hidden="true">
          {ARROWS[direction]}
        </span>
      </button>
    </th>
  );
}
