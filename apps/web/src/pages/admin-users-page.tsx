// Admin users: filters and paging in the URL; change a role, activate or deactivate, grant credits.
import type { RouterOutputs } from '@keel/api';
import { AdminUserSort, GrantInput, RoleSchema } from '@keel/api/schemas';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useState } from 'react';
import { useToast } from '../components/toasts.js';
import {
  Alert,
  ConfirmDialog,
  EmptyState,
  ErrorState,
  FormError,
  Loading,
  Pagination,
  SelectField,
  TextField,
  usePageTitle,
} from '../components/ui.js';
import { errorMessage, type FieldErrors, formErrorsOf, validate } from '../lib/errors.js';
import { formatDateTime, formatNumber } from '../lib/format.js';
import { Link, useSearchParams } from '../lib/router.js';
import { useCurrentUser } from '../lib/session-context.js';
import { useTRPC } from '../lib/trpc.js';

type AdminUser = RouterOutputs['admin']['users']['list']['items'][number];

const SORT_LABELS: Record<AdminUserSort, string> = {
  '-createdAt': 'Newest first',
  createdAt: 'Oldest first',
  name: 'Name A–Z',
  '-name': 'Name Z–A',
  email: 'Email A–Z',
  '-email': 'Email Z–A',
};
const PAGE_SIZE = 20;

function readFilters(params: URLSearchParams) {
  const sort = AdminUserSort.safeParse(params.get('sort'));
  const role = RoleSchema.safeParse(params.get('role'));
  const active = params.get('active');
  const page = Number.parseInt(params.get('page') ?? '1', 10);
  return {
    search: params.get('q')?.trim() || undefined,
    sort: sort.success ? sort.data : ('-createdAt' as const),
    role: role.success ? role.data : undefined,
    active: active === 'true' ? true : active === 'false' ? false : undefined,
    page: Number.isFinite(page) && page >= 1 ? page : 1,
  };
}

export function AdminUsersPage() {
  usePageTitle('Users');
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const me = useCurrentUser();
  const [params, setParams] = useSearchParams();
  const filters = readFilters(params);
  const users = useQuery({
    ...trpc.admin.users.list.queryOptions({ ...filters, limit: PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });
  const [searchText, setSearchText] = useState(filters.search ?? '');
  const [granting, setGranting] = useState<AdminUser | null>(null);
  const [deactivating, setDeactivating] = useState<AdminUser | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);

  useEffect(() => {
    const handle = setTimeout(() => {
      if ((filters.search ?? '') !== searchText.trim()) setParams({ q: searchText.trim(), page: undefined });
    }, 300);
    return () => clearTimeout(handle);
  }, [searchText, filters.search, setParams]);

  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.admin.users.list.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.admin.stats.queryKey() });
    // An admin may have changed their own role or status.
    void queryClient.invalidateQueries({ queryKey: trpc.auth.me.queryKey() });
  };
  const setRole = useMutation(
    trpc.admin.users.setRole.mutationOptions({
      onMutate: () => setActionError(null),
      onSuccess: (user) => {
        toast(`${user.name} is now ${user.role}.`);
        refresh();
      },
      onError: (error) => setActionError(errorMessage(error)),
    }),
  );
  const setActive = useMutation(
    trpc.admin.users.setActive.mutationOptions({
      onMutate: () => setActionError(null),
      onSuccess: (user) => {
        toast(`${user.name} is now ${user.active ? 'active' : 'deactivated'}.`);
        setDeactivating(null);
        refresh();
      },
      onError: (error) => {
        setDeactivating(null);
        setActionError(errorMessage(error));
      },
    }),
  );

  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">Users</h1>
      {actionError ? <Alert tone="error">{actionError}</Alert> : null}
      {granting ? (
        <GrantForm
          key={granting.id}
          user={granting}
          onDone={(message) => {
            setGranting(null);
            toast(message);
          }}
          onCancel={() => setGranting(null)}
        />
      ) : null}

      <search className="toolbar">
        <TextField
          label="Search name or email"
          type="search"
          maxLength={100}
          value={searchText}
          onChange={(e) => setSearchText(e.target.value)}
        />
        <SelectField
          label="Role"
          value={filters.role ?? ''}
          onChange={(e) => setParams({ role: e.target.value, page: undefined })}
        >
          <option value="">Any role</option>
          {RoleSchema.options.map((role) => (
            <option key={role} value={role}>
              {role}
            </option>
          ))}
        </SelectField>
        <SelectField
          label="Status"
          value={filters.active === undefined ? '' : String(filters.active)}
          onChange={(e) => setParams({ active: e.target.value, page: undefined })}
        >
          <option value="">Any status</option>
          <option value="true">Active</option>
          <option value="false">Deactivated</option>
        </SelectField>
        <SelectField
          label="Sort"
          value={filters.sort}
          onChange={(e) => setParams({ sort: e.target.value === '-createdAt' ? undefined : e.target.value })}
        >
          {AdminUserSort.options.map((sort) => (
            <option key={sort} value={sort}>
              {SORT_LABELS[sort]}
            </option>
          ))}
        </SelectField>
      </search>

      {users.isPending ? (
        <Loading label="Loading users…" />
      ) : users.isError ? (
        <ErrorState error={users.error} onRetry={() => void users.refetch()} />
      ) : users.data.items.length === 0 ? (
        <EmptyState>No user matches these filters.</EmptyState>
      ) : (
        <>
          <div className="table-wrap">
            <table aria-labelledby="users-title" aria-busy={users.isFetching}>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Status</th>
                  <th scope="col">Joined</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {users.data.items.map((user) => (
                  <tr key={user.id} data-user-email={user.email}>
                    <td data-label="Name">{user.name}</td>
                    <td data-label="Email">{user.email}</td>
                    <td data-label="Role">
                      <select
                        aria-label={`Role of ${user.email}`}
                        value={user.role}
                        disabled={setRole.isPending}
                        onChange={(e) => {
                          const role = RoleSchema.safeParse(e.target.value);
                          if (role.success) setRole.mutate({ userId: user.id, role: role.data });
                        }}
                      >
                        {RoleSchema.options.map((role) => (
                          <option key={role} value={role}>
                            {role}
                          </option>
                        ))}
                      </select>
                    </td>
                    <td data-label="Status">
                      <span className={user.active ? 'tag tag-ok' : 'tag tag-off'}>
                        {user.active ? 'Active' : 'Deactivated'}
                      </span>
                    </td>
                    <td data-label="Joined">{formatDateTime(user.createdAt)}</td>
                    <td className="actions-cell">
                      <div className="row-actions">
                        <button
                          type="button"
                          className="button-secondary"
                          aria-label={`Grant credits to ${user.email}`}
                          onClick={() => setGranting(user)}
                        >
                          Grant credits
                        </button>
                        {user.active ? (
                          <button
                            type="button"
                            className="button-danger"
                            disabled={user.id === me.id}
                            title={user.id === me.id ? 'You cannot deactivate yourself' : undefined}
                            aria-label={`Deactivate ${user.email}`}
                            onClick={() => setDeactivating(user)}
                          >
                            Deactivate
                          </button>
                        ) : (
                          <button
                            type="button"
                            className="button-secondary"
                            aria-label={`Activate ${user.email}`}
                            onClick={() => setActive.mutate({ userId: user.id, active: true })}
                          >
                            Activate
                          </button>
                        )}
                        <Link to={`/admin/audit?userId=${user.id}`}>Activity</Link>
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pagination
            page={filters.page}
            totalPages={users.data.totalPages}
            total={users.data.total}
            onPage={(page) => setParams({ page: page > 1 ? String(page) : undefined })}
          />
        </>
      )}

      <ConfirmDialog
        open={deactivating !== null}
        title="Deactivate user?"
        confirmLabel="Deactivate"
        busy={setActive.isPending}
        onCancel={() => setDeactivating(null)}
        onConfirm={() => deactivating && setActive.mutate({ userId: deactivating.id, active: false })}
      >
        <p>
          {deactivating?.name} ({deactivating?.email}) is signed out of every session at once and cannot sign in until
          reactivated.
        </p>
      </ConfirmDialog>
    </section>
  );
}

function GrantForm({
  user,
  onDone,
  onCancel,
}: {
  user: AdminUser;
  onDone: (message: string) => void;
  onCancel: () => void;
}) {
  const trpc = useTRPC();
  const [amount, setAmount] = useState('');
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  const grant = useMutation(
    trpc.admin.credits.grant.mutationOptions({
      onSuccess: (result) =>
        onDone(`Granted ${amount} credits to ${user.name}; their balance is ${formatNumber(result.balance)}.`),
      onError: (error) => setErrors(formErrorsOf(error)),
    }),
  );
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const result = validate(GrantInput, {
      userId: user.id,
      amount: amount.trim() === '' ? undefined : Number(amount),
      reason,
    });
    if (!result.ok) return setErrors(result.errors);
    setErrors({});
    grant.mutate(result.data);
  };
  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="grant-title">
      <h2 id="grant-title">Grant credits to {user.name}</h2>
      <FormError errors={errors} />
      <TextField
        label="Amount"
        name="amount"
        type="number"
        inputMode="numeric"
        min={1}
        max={1_000_000}
        step={1}
        autoFocus
        value={amount}
        error={errors.amount}
        onChange={(e) => setAmount(e.target.value)}
      />
      <TextField
        label="Reason"
        name="reason"
        maxLength={200}
        value={reason}
        error={errors.reason}
        onChange={(e) => setReason(e.target.value)}
      />
      <div className="actions">
        <button type="button" className="button-secondary" onClick={onCancel} disabled={grant.isPending}>
          Cancel
        </button>
        <button type="submit" disabled={grant.isPending}>
          {grant.isPending ? 'Granting…' : 'Grant credits'}
        </button>
      </div>
    </form>
  );
}
