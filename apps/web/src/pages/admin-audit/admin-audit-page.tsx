// Admin audit log: filters by user, target, action and time (in the URL), newest first, cursor
// paging with "Load more", and the same filtered list as a CSV download.
import { AuditExportInput, AuditListInput } from '@keel/api/schemas';
import { useInfiniteQuery } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { Alert, EmptyState, ErrorState, Loading, LoadMore, usePageTitle } from '../../components/ui.js';
import { validate } from '../../lib/errors.js';
import { withoutEmpty } from '../../lib/search-params.js';
import { useTRPC } from '../../lib/trpc.js';
import { AuditFiltersForm } from './audit-filters-form.js';
import { AuditTable } from './audit-table.js';
import { useCsvExport } from './use-csv-export.js';

const route = getRouteApi('/_dashboard/admin/audit');
const PAGE_SIZE = 25;

export function AdminAuditPage() {
  usePageTitle('Audit log');
  const trpc = useTRPC();
  const navigate = route.useNavigate();
  const applied = route.useSearch();
  const filters = withoutEmpty(applied);
  // The URL can be typed by hand: check it with the server's schema before asking.
  const list = validate(AuditListInput, { ...filters, limit: PAGE_SIZE });
  const exportable = validate(AuditExportInput, filters);
  const csv = useCsvExport();
  const events = useInfiniteQuery({
    ...trpc.admin.audit.list.infiniteQueryOptions(list.ok ? list.data : { limit: PAGE_SIZE }, {
      getNextPageParam: (last) => last.nextCursor ?? undefined,
    }),
    enabled: list.ok,
  });
  const items = events.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <AuditFiltersForm
        applied={applied}
        errors={list.ok ? {} : list.errors}
        canExport={exportable.ok}
        exporting={csv.busy}
        onApply={(next) => navigate({ search: next, replace: true })}
        onExport={() => void csv.start(filters)}
      />
      {csv.error ? <Alert tone="error">{csv.error}</Alert> : null}
      {csv.notice ? <Alert tone="info">{csv.notice}</Alert> : null}

      {!list.ok ? (
        <Alert tone="error">Fix the filters to see events.</Alert>
      ) : events.isPending ? (
        <Loading label="Loading events…" />
      ) : events.isError && items.length === 0 ? (
        <ErrorState error={events.error} onRetry={() => void events.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState>No event matches these filters.</EmptyState>
      ) : (
        <>
          <AuditTable events={items} />
          <LoadMore pages={events} end={<p className="muted">End of the log.</p>} />
        </>
      )}
    </section>
  );
}
