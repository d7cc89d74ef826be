// Admin users: filters and paging in the URL; change a role, activate or deactivate, grant credits.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { useState } from 'react';
import { useToast } from '../../components/toasts.js';
import { Alert, EmptyState, ErrorState, Loading, Pagination, usePageTitle } from '../../components/ui.js';
import { errorMessage } from '../../lib/errors.js';
import { type AdminUsersSearch, listInputOf } from '../../lib/search-params.js';
import { useCurrentUser } from '../../lib/session-context.js';
import { useTRPC } from '../../lib/trpc.js';
import { AdminUsersFilters } from './admin-users-filters.js';
import { type AdminUser, AdminUsersTable } from './admin-users-table.js';
import { DeactivateUserDialog } from './deactivate-user-dialog.js';
import { GrantCreditsForm } from './grant-credits-form.js';

const route = getRouteApi('/_dashboard/admin/users');
const PAGE_SIZE = 20;

export function AdminUsersPage() {
  usePageTitle('Users');
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const me = useCurrentUser();
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const users = useQuery({
    ...trpc.admin.users.list.queryOptions({ ...listInputOf(search), limit: PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });
  const [granting, setGranting] = useState<AdminUser | null>(null);
  const [deactivating, setDeactivating] = useState<AdminUser | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  // List state replaces the history entry: Back leaves the page rather than undoing a filter.
  const setSearch = (changes: Partial<AdminUsersSearch>) =>
    navigate({ search: (prev) => ({ ...prev, ...changes }), replace: true });

  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.admin.users.list.pathKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.admin.stats.queryKey() });
    void queryClient.invalidateQueries({ queryKey: trpc.admin.activity.pathKey() });
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
        <GrantCreditsForm
          key={granting.id}
          user={granting}
          onDone={(message) => {
            setGranting(null);
            toast(message);
          }}
          onCancel={() => setGranting(null)}
        />
      ) : null}

      <AdminUsersFilters search={search} onChange={setSearch} />

      {users.isPending ? (
        <Loading label="Loading users…" />
      ) : users.isError ? (
        <ErrorState error={users.error} onRetry={() => void users.refetch()} />
      ) : users.data.items.length === 0 ? (
        <EmptyState>No user matches these filters.</EmptyState>
      ) : (
        <>
          <AdminUsersTable
            users={users.data.items}
            busy={users.isFetching}
            myId={me.id}
            roleBusy={setRole.isPending}
            sort={search.sort}
            onSort={(sort) => setSearch({ sort })}
            onRole={(user, role) => setRole.mutate({ userId: user.id, role })}
            onGrant={setGranting}
            onActivate={(user) => setActive.mutate({ userId: user.id, active: true })}
            onDeactivate={setDeactivating}
          />
          <Pagination
            page={search.page}
            totalPages={users.data.totalPages}
            total={users.data.total}
            onPage={(page) => setSearch({ page })}
          />
        </>
      )}

      <DeactivateUserDialog
        user={deactivating}
        busy={setActive.isPending}
        onCancel={() => setDeactivating(null)}
        onConfirm={(user) => setActive.mutate({ userId: user.id, active: false })}
      />
    </section>
  );
}
