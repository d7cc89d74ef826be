// The credits ledger of the signed-in user, newest first, with "Load more" (cursor paging).
import { useInfiniteQuery } from '@tanstack/react-query';
import { EmptyState, ErrorState, Loading, LoadMore } from '../../components/ui.js';
import { formatDateTime, formatNumber } from '../../lib/format.js';
import { useTRPC } from '../../lib/trpc.js';

const HISTORY_PAGE = 20;
const DIRECTION_LABEL = { in: 'Received', out: 'Sent', grant: 'Granted' } as const;

export function HistoryTable() {
  const trpc = useTRPC();
  const history = useInfiniteQuery(
    trpc.credits.history.infiniteQueryOptions(
      { limit: HISTORY_PAGE },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
  );
  const entries = history.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <div className="card">
      <h2 id="history-title">History</h2>
      {history.isPending ? (
        <Loading label="Loading history…" />
      ) : history.isError && entries.length === 0 ? (
        <ErrorState error={history.error} onRetry={() => void history.refetch()} />
      ) : entries.length === 0 ? (
        <EmptyState>No credits have moved yet.</EmptyState>
      ) : (
        <>
          <div className="table-wrap">
            <table aria-labelledby="history-title">
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">What</th>
                  <th scope="col" className="num">
                    Amount
                  </th>
                  <th scope="col">With</th>
                  <th scope="col">Note</th>
                  <th scope="col" className="num">
                    Balance after
                  </th>
                </tr>
              </thead>
              <tbody>
                {entries.map((entry) => (
                  <tr key={entry.id}>
                    <td data-label="When">{formatDateTime(entry.createdAt)}</td>
                    <td data-label="What">{DIRECTION_LABEL[entry.direction]}</td>
                    <td data-label="Amount" className={`num amount-${entry.direction}`}>
                      {entry.direction === 'out' ? '−' : '+'}
                      {formatNumber(entry.amount)}
                    </td>
                    <td data-label="With" title={entry.counterpartyId ?? undefined}>
                      {entry.counterpartyName ?? (entry.direction === 'grant' ? 'An administrator' : '—')}
                    </td>
                    <td data-label="Note" className="muted">
                      {entry.note || '—'}
                    </td>
                    <td data-label="Balance after" className="num">
                      {formatNumber(entry.balanceAfter)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <LoadMore pages={history} />
        </>
      )}
    </div>
  );
}
