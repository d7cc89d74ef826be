// Admin audit log: filters by actor and action (in the URL), newest first, cursor paging with "Load more".
import { AuditListInput } from '@keel/api/schemas';
import { useInfiniteQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Alert, EmptyState, ErrorState, Loading, TextField, usePageTitle } from '../components/ui.js';
import { errorMessage, validate } from '../lib/errors.js';
import { formatDateTime, shortId } from '../lib/format.js';
import { useSearchParams } from '../lib/router.js';
import { useTRPC } from '../lib/trpc.js';

const PAGE_SIZE = 25;
/** The actions SPEC §6 requires; the field also accepts any other action name. */
const KNOWN_ACTIONS = [
  'auth.register',
  'auth.login',
  'auth.login_failed',
  'auth.logout',
  'auth.refresh_reuse_detected',
  'auth.password_changed',
  'admin.role_changed',
  'admin.user_activated',
  'admin.user_deactivated',
  'credits.transfer',
  'credits.grant',
  'project.deleted',
];

export function AdminAuditPage() {
  usePageTitle('Audit log');
  const trpc = useTRPC();
  const [params, setParams] = useSearchParams();
  const applied = { userId: params.get('userId') ?? '', action: params.get('action') ?? '' };
  const [draft, setDraft] = useState(applied);
  // The URL can be typed by hand: check it with the server's schema before asking.
  const filters = validate(AuditListInput, {
    userId: applied.userId || undefined,
    action: applied.action || undefined,
    limit: PAGE_SIZE,
  });
  const events = useInfiniteQuery({
    ...trpc.admin.audit.list.infiniteQueryOptions(filters.ok ? filters.data : { limit: PAGE_SIZE }, {
      getNextPageParam: (last) => last.nextCursor ?? undefined,
    }),
    enabled: filters.ok,
  });
  const items = events.data?.pages.flatMap((page) => page.items) ?? [];

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setParams({ userId: draft.userId.trim(), action: draft.action.trim() });
  };
  const fieldErrors = filters.ok ? {} : filters.errors;

  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <search>
        <form className="toolbar" onSubmit={submit} noValidate>
          <TextField
            label="Actor (user id)"
            name="userId"
            placeholder="any user"
            value={draft.userId}
            error={fieldErrors.userId}
            onChange={(e) => setDraft({ ...draft, userId: e.target.value })}
          />
          <TextField
            label="Action"
            name="action"
            list="audit-actions"
            placeholder="any action"
            maxLength={100}
            value={draft.action}
            error={fieldErrors.action}
            onChange={(e) => setDraft({ ...draft, action: e.target.value })}
          />
          <datalist id="audit-actions">
            {KNOWN_ACTIONS.map((action) => (
              <option key={action} value={action} />
            ))}
          </datalist>
          <div className="toolbar-buttons">
            <button type="submit">Apply filters</button>
            <button
              type="button"
              className="button-secondary"
              onClick={() => {
                setDraft({ userId: '', action: '' });
                setParams({ userId: undefined, action: undefined });
              }}
            >
              Clear
            </button>
          </div>
        </form>
      </search>

      {!filters.ok ? (
        <Alert tone="error">Fix the filters to see events.</Alert>
      ) : events.isPending ? (
        <Loading label="Loading events…" />
      ) : events.isError && items.length === 0 ? (
        <ErrorState error={events.error} onRetry={() => void events.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState>No event matches these filters.</EmptyState>
      ) : (
        <>
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
                {items.map((event) => (
                  <tr key={event.id} data-action={event.action}>
                    <td data-label="When">{formatDateTime(event.at)}</td>
                    <td data-label="Action">
                      <code>{event.action}</code>
                    </td>
                    <td data-label="Actor" title={event.actorId ?? undefined}>
                      {shortId(event.actorId)}
                    </td>
                    <td data-label="Target" title={event.targetId ?? undefined}>
                      {event.targetType ? `${event.targetType} ` : ''}
                      {shortId(event.targetId)}
                    </td>
                    <td data-label="Details" className="metadata">
                      {Object.keys(event.metadata).length > 0 ? JSON.stringify(event.metadata) : '—'}
                    </td>
                    <td data-label="IP">{event.ip ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {events.hasNextPage ? (
            <button
              type="button"
              className="button-secondary load-more"
              disabled={events.isFetchingNextPage}
              onClick={() => void events.fetchNextPage()}
            >
              {events.isFetchingNextPage ? 'Loading…' : 'Load more'}
            </button>
          ) : (
            <p className="muted">End of the log.</p>
          )}
          {events.isFetchNextPageError ? <Alert tone="error">{errorMessage(events.error)}</Alert> : null}
        </>
      )}
    </section>
  );
}
