// Small building blocks every page shares: labelled fields, alerts, loading/empty/error states, paging, confirm.
import {
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
  useEffect,
  useId,
  useRef,
} from 'react';
import { errorMessage, type FieldErrors } from '../lib/errors.js';

interface FieldShell {
  label: string;
  /** The message shown under the field, from zod or from the server's `details`. */
  error?: string | undefined;
  hint?: string;
}

function useFieldIds(error: string | undefined, hint: string | undefined) {
  const id = useId();
  const describedBy = [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(' ');
  return { id, describedBy: describedBy || undefined };
}

function FieldMessages({ id, error, hint }: { id: string; error?: string | undefined; hint?: string | undefined }) {
  return (
    <>
      {hint ? (
        <span className="field-hint" id={`${id}-hint`}>
          {hint}
        </span>
      ) : null}
      {error ? (
        <span className="field-error" id={`${id}-error`}>
          {error}
        </span>
      ) : null}
    </>
  );
}

export function TextField({ label, error, hint, ...input }: FieldShell & InputHTMLAttributes<HTMLInputElement>) {
  const { id, describedBy } = useFieldIds(error, hint);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...input} />
      <FieldMessages id={id} error={error} hint={hint} />
    </div>
  );
}

export function TextAreaField({
  label,
  error,
  hint,
  ...textarea
}: FieldShell & TextareaHTMLAttributes<HTMLTextAreaElement>) {
  const { id, describedBy } = useFieldIds(error, hint);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...textarea} />
      <FieldMessages id={id} error={error} hint={hint} />
    </div>
  );
}

export function SelectField({
  label,
  error,
  hint,
  children,
  ...select
}: FieldShell & SelectHTMLAttributes<HTMLSelectElement>) {
  const { id, describedBy } = useFieldIds(error, hint);
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} aria-invalid={error ? true : undefined} aria-describedby={describedBy} {...select}>
        {children}
      </select>
      <FieldMessages id={id} error={error} hint={hint} />
    </div>
  );
}

/** What a failed submit's summary says: the form's own error, or a pointer to the fields marked beside them. */
function summaryOf(errors: FieldErrors): string | undefined {
  const fieldCount = Object.keys(errors).filter((field) => field !== '').length;
  if (errors['']) return errors[''];
  if (fieldCount === 0) return undefined;
  return fieldCount === 1 ? 'Please fix the field marked below.' : 'Please fix the fields marked below.';
}

/**
 * The summary of a failed submit. Errors are only set by a submit, so it takes focus each time they
 * change (a new object, even with the same message): a keyboard or screen-reader user lands on what
 * went wrong instead of on the button they pressed.
 */
export function FormError({ errors }: { errors: FieldErrors }) {
  const summary = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (summaryOf(errors)) summary.current?.focus();
  }, [errors]);
  const message = summaryOf(errors);
  if (!message) return null;
  return (
    <div ref={summary} tabIndex={-1} className="alert alert-error" role="alert">
      {message}
    </div>
  );
}

export function Alert({ tone, children }: { tone: 'error' | 'success' | 'info'; children: ReactNode }) {
  return (
    <div className={`alert alert-${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p className="state state-loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </p>
  );
}

export function EmptyState({ children }: { children: ReactNode }) {
  return <p className="state state-empty">{children}</p>;
}

export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  return (
    <div className="state state-error" role="alert">
      <p>{errorMessage(error)}</p>
      {onRetry ? (
        <button type="button" className="button-secondary" onClick={onRetry}>
          Try again
        </button>
      ) : null}
    </div>
  );
}

export function Pagination({
  page,
  totalPages,
  total,
  onPage,
}: {
  page: number;
  totalPages: number;
  total: number;
  onPage: (page: number) => void;
}) {
  return (
    <nav className="pagination" aria-label="Pagination">
      <button type="button" className="button-secondary" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Previous
      </button>
      <span aria-live="polite">
        Page {page} of {Math.max(totalPages, 1)} · {total} total
      </span>
      <button type="button" className="button-secondary" disabled={page >= totalPages} onClick={() => onPage(page + 1)}>
        Next
      </button>
    </nav>
  );
}

/** The part of an infinite (cursor-paged) query that `LoadMore` drives. */
interface NextPages {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  isFetchNextPageError: boolean;
  error: unknown;
  fetchNextPage: () => Promise<unknown>;
}

/** "Load more" under a cursor-paged list, `end` once there is no next page, and a failed next page's error. */
export function LoadMore({ pages, end = null }: { pages: NextPages; end?: ReactNode }) {
  return (
    <>
      {pages.hasNextPage ? (
        <button
          type="button"
          className="button-secondary load-more"
          disabled={pages.isFetchingNextPage}
          onClick={() => void pages.fetchNextPage()}
        >
          {pages.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </button>
      ) : (
        end
      )}
      {pages.isFetchNextPageError ? <Alert tone="error">{errorMessage(pages.error)}</Alert> : null}
    </>
  );
}

/**
 * A modal confirmation on the native <dialog>: focus moves into it, Escape cancels, and the page
 * behind is inert, with no focus-trap code of our own. When it closes (or its page unmounts it, as
 * a keyed dialog is), focus goes back to what opened it, if that is still on the page.
 */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  busy,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const opener = useRef<Element | null>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      opener.current = openerOf(document.activeElement);
      dialog.showModal();
    }
    if (!open && dialog.open) {
      dialog.close();
      returnFocus(opener.current);
    }
  }, [open]);
  useEffect(() => () => returnFocus(opener.current), []);
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        onCancel();
      }}
    >
      <h2 id={titleId}>{title}</h2>
      <div className="dialog-body">{children}</div>
      <div className="actions">
        <button type="button" className="button-secondary" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <button type="button" className="button-danger" onClick={onConfirm} disabled={busy}>
          {busy ? 'Working…' : confirmLabel}
        </button>
      </div>
    </dialog>
  );
}

/**
 * What focus returns to when the dialog closes. A dialog opened from a menu item (components/
 * row-actions.tsx) returns it to the menu's button, which labels the menu: the item itself is gone
 * once the menu closes.
 */
function openerOf(element: Element | null): Element | null {
  const menu = element?.closest('[role="menu"]');
  const trigger = menu?.getAttribute('aria-labelledby');
  return (trigger && document.getElementById(trigger)) || element;
}

function returnFocus(element: Element | null): void {
  if (element instanceof HTMLElement && element.isConnected) element.focus();
}

/** Sets the document title, so tabs and history entries say which page they are. */
export function usePageTitle(title: string) {
  useEffect(() => {
    document.title = `${title} · Keel`;
  }, [title]);
}
