// Credits: the balance (kept live by events.onEvent), its last 30 days as a chart, a transfer form
// with a user picker, and the ledger.
import { useQuery } from '@tanstack/react-query';
import { Alert, ErrorState, Loading, usePageTitle } from '../../components/ui.js';
import { formatNumber } from '../../lib/format.js';
import { useCurrentUser } from '../../lib/session-context.js';
import { useTRPC } from '../../lib/trpc.js';
import { BalanceChart } from './balance-chart.js';
import { HistoryTable } from './history-table.js';
import { TransferForm } from './transfer-form.js';

export function CreditsPage() {
  usePageTitle('Credits');
  const trpc = useTRPC();
  const user = useCurrentUser();
  const balance = useQuery(trpc.credits.balance.queryOptions());

  return (
    <section aria-labelledby="credits-title">
      <h1 id="credits-title">Credits</h1>
      <div className="card balance-card">
        <h2>Balance</h2>
        {balance.isPending ? (
          <Loading label="Loading balance…" />
        ) : balance.isError ? (
          <ErrorState error={balance.error} onRetry={() => void balance.refetch()} />
        ) : (
          <p className="balance" data-testid="balance" aria-live="polite">
            {formatNumber(balance.data.balance)} <span className="muted">credits</span>
          </p>
        )}
      </div>
      <BalanceChart />
      {user.role === 'GUEST' ? (
        <Alert tone="info">Guests can read their balance but cannot send credits.</Alert>
      ) : (
        <TransferForm />
      )}
      <HistoryTable />
    </section>
  );
}
