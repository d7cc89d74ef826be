// Admin audit log: filters by user, target, action and time (in the URL), newest first, cursor
// paging with "Load more", and the same filtered list as a CSV download.
import { AuditExportInput, AuditListInput } from '@keel/api/schemas';
import { useInfiniteQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { Alert, EmptyState, ErrorState, Loading, TextField, usePageTitle } from '../components/ui.js';
import { errorMessage, validate } from '../lib/errors.js';
import { formatDateTime, shortId } from '../lib/format.js';
import { createAuthFetch } from '../lib/refresh-coordinator.js';
import { useSearchParams } from '../lib/router.js';
import { useSession } from '../lib/session-context.js';
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
  'admin.audit_exported',
  'credits.transfer',
  'credits.grant',
  'project.deleted',
];

const EXPORT_URL = '/api/admin/audit.csv';
const FILTER_KEYS = ['userId', 'targetId', 'action', 'from', 'to'] as const;
type Filters = Record<(typeof FILTER_KEYS)[number], string>;
const NO_FILTERS: Filters = { userId: '', targetId: '', action: '', from: '', to: '' };

/** `<input type="datetime-local">` speaks local wall time; the URL and the server speak ISO 8601 instants. */
function toLocalInput(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

function toInstant(local: string): string {
  const date = new Date(local);
  return local === '' || Number.isNaN(date.getTime()) ? local : date.toISOString();
}

function definedOnly(filters: Filters): Record<string, string> {
  return Object.fromEntries(Object.entries(filters).filter(([, value]) => value !== ''));
}

/** Downloads the filtered log with the in-memory token (a plain link could not send it). */
function useCsvExport() {
  const { store, coordinator } = useSession();
  const [state, setState] = useState<{ busy: boolean; error?: string; notice?: string }>({ busy: false });
  const start = async (filters: Record<string, string>) => {
    setState({ busy: true });
    try {
      const authFetch = createAuthFetch({
        fetch: (input, init) => fetch(input, init),
        currentToken: store.token,
        coordinator,
      });
      const response = await authFetch(`${EXPORT_URL}?${new URLSearchParams(filters)}`);
      if (!response.ok) {
        const body = (await response.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
        setState({ busy: false, error: body?.error?.message ?? `The export failed (HTTP ${response.status}).` });
        return;
      }
      const blob = await response.blob();
      const filename = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'audit.csv';
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = filename;
      // Firefox only follows a link that is in the document.
      document.body.append(link);
      link.click();
      link.remove();
      // Revoked once the browser has surely taken the blob over; at once may cancel the download.
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      // The server ends a capped export with this line (AUDIT_EXPORT_MAX_ROWS).
      const tail = await blob.slice(-300).text();
      const truncated = tail.includes('# truncated:');
      setState({
        busy: false,
        notice: truncated
          ? 'The file stops at the export limit: narrow the time range to export the rest.'
          : `Downloaded ${filename}.`,
      });
    } catch (error) {
      setState({ busy: false, error: errorMessage(error) });
    }
  };
  return { ...state, start };
}

export function AdminAuditPage() {
  usePageTitle('Audit log');
  const trpc = useTRPC();
  const [params, setParams] = useSearchParams();
  const applied: Filters = {
    userId: params.get('userId') ?? '',
    targetId: params.get('targetId') ?? '',
    action: params.get('action') ?? '',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
  };
  const [draft, setDraft] = useState<Filters>({
    ...applied,
    from: toLocalInput(applied.from),
    to: toLocalInput(applied.to),
  });
  // The URL can be typed by hand: check it with the server's schema before asking.
  const filters = validate(AuditListInput, { ...definedOnly(applied), limit: PAGE_SIZE });
  const exportable = validate(AuditExportInput, definedOnly(applied));
  const csv = useCsvExport();
  const events = useInfiniteQuery({
    ...trpc.admin.audit.list.infiniteQueryOptions(filters.ok ? filters.data : { limit: PAGE_SIZE }, {
      getNextPageParam: (last) => last.nextCursor ?? undefined,
    }),
    enabled: filters.ok,
  });
  const items = events.data?.pages.flatMap((page) => page.items) ?? [];

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setParams({
      userId: draft.userId.trim(),
      targetId: draft.targetId.trim(),
      action: draft.action.trim(),
      from: toInstant(draft.from),
      to: toInstant(draft.to),
    });
  };
  const fieldErrors = filters.ok ? {} : filters.errors;

  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <search>
        <form className="toolbar" onSubmit={submit} noValidate>
          <TextField
            label="User id"
            name="userId"
            placeholder="actor or target"
            value={draft.userId}
            error={fieldErrors.userId}
            onChange={(e) => setDraft({ ...draft, userId: e.target.value })}
          />
          <TextField
            label="Target id"
            name="targetId"
            placeholder="any target"
            maxLength={100}
            value={draft.targetId}
            error={fieldErrors.targetId}
            onChange={(e) => setDraft({ ...draft, targetId: e.target.value })}
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
          <TextField
            label="From"
            name="from"
            type="datetime-local"
            value={draft.from}
            error={fieldErrors.from}
            onChange={(e) => setDraft({ ...draft, from: e.target.value })}
          />
          <TextField
            label="Until (exclusive)"
            name="to"
            type="datetime-local"
            value={draft.to}
            error={fieldErrors.to}
            onChange={(e) => setDraft({ ...draft, to: e.target.value })}
          />
          <div className="toolbar-buttons">
            <button type="submit">Apply filters</button>
            <button
              type="button"
              className="button-secondary"
              onClick={() => {
                setDraft(NO_FILTERS);
                setParams({
                  userId: undefined,
                  targetId: undefined,
                  action: undefined,
                  from: undefined,
                  to: undefined,
                });
              }}
            >
              Clear
            </button>
            <button
              type="button"
              className="button-secondary"
              disabled={!exportable.ok || csv.busy}
              onClick={() => void csv.start(definedOnly(applied))}
            >
              {csv.busy ? 'Exporting…' : 'Export CSV'}
            </button>
          </div>
        </form>
      </search>
      {csv.error ? <Alert tone="error">{csv.error}</Alert> : null}
      {csv.notice ? <Alert tone="info">{csv.notice}</Alert> : null}

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
