// Admin invitations: invite an address with a role (a mail with a link that creates the account),
// the list newest first with its status filter in the URL (`?status=`), cursor paging, and each
// row's Resend (a new link that voids the old one) and Revoke… (with a confirmation).
import { InvitationStatus } from '@keel/api/schemas';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { useState } from 'react';
import { useToast } from '../../components/toasts.js';
import { Alert, EmptyState, ErrorState, Loading, LoadMore, SelectField, usePageTitle } from '../../components/ui.js';
import { errorMessage } from '../../lib/errors.js';
import { AdminInvitationsSearch } from '../../lib/search-params.js';
import { useTRPC } from '../../lib/trpc.js';
import { type Invitation, InvitationsTable, STATUS_LABELS } from './invitations-table.js';
import { InviteForm } from './invite-form.js';
import { RevokeInvitationDialog } from './revoke-invitation-dialog.js';

const route = getRouteApi('/_dashboard/admin/invitations');
const PAGE_SIZE = 25;

export function AdminInvitationsPage() {
  usePageTitle('Invitations');
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const { status } = route.useSearch();
  const navigate = route.useNavigate();
  const invitations = useInfiniteQuery(
    trpc.admin.invitations.list.infiniteQueryOptions(status ? { status, limit: PAGE_SIZE } : { limit: PAGE_SIZE }, {
      getNextPageParam: (last) => last.nextCursor ?? undefined,
    }),
  );
  const items = invitations.data?.pages.flatMap((page) => page.items) ?? [];
  const [revoking, setRevoking] = useState<Invitation | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);

  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: trpc.admin.invitations.list.pathKey() });
    // The audit log and the overview's recent events gain a line.
    void queryClient.invalidateQueries({ queryKey: trpc.admin.audit.list.pathKey() });
  };
  const resend = useMutation(
    trpc.admin.invitations.resend.mutationOptions({
      onMutate: () => setActionError(null),
      onSuccess: (_result, input) => {
        const invitation = items.find((item) => item.id === input.id);
        toast(
          `A new invitation is on its way to ${invitation?.email ?? 'the address'}; the earlier link no longer works.`,
        );
        refresh();
      },
      onError: (error) => setActionError(errorMessage(error)),
    }),
  );
  const revoke = useMutation(
    trpc.admin.invitations.revoke.mutationOptions({
      onMutate: () => setActionError(null),
      onSuccess: (_result, input) => {
        const invitation = items.find((item) => item.id === input.id);
        toast(`The invitation of ${invitation?.email ?? 'the address'} is revoked.`);
        setRevoking(null);
        refresh();
      },
      onError: (error) => {
        setRevoking(null);
        setActionError(errorMessage(error));
      },
    }),
  );

  return (
    <section aria-labelledby="invitations-title">
      <h1 id="invitations-title">Invitations</h1>
      <InviteForm
        onInvited={(invitation) => {
          toast(`Invitation sent to ${invitation.email} as ${invitation.role}.`);
          refresh();
        }}
      />
      {actionError ? <Alert tone="error">{actionError}</Alert> : null}

      <search className="toolbar invitations-toolbar">
        <SelectField
          label="Status"
          value={status ?? ''}
          // "Any status" (the empty value) is no filter: the schema's fallback. The filter replaces
          // the history entry: Back leaves the page rather than undoing it.
          onChange={(e) =>
            void navigate({
              search: { status: AdminInvitationsSearch.shape.status.parse(e.target.value) },
              replace: true,
            })
          }
        >
          <option value="">Any status</option>
          {InvitationStatus.options.map((option) => (
            <option key={option} value={option}>
              {STATUS_LABELS[option]}
            </option>
          ))}
        </SelectField>
      </search>

      {invitations.isPending ? (
        <Loading label="Loading invitations…" />
      ) : invitations.isError && items.length === 0 ? (
        <ErrorState error={invitations.error} onRetry={() => void invitations.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState>
          {status ? `No ${STATUS_LABELS[status].toLowerCase()} invitation.` : 'No invitation yet.'}
        </EmptyState>
      ) : (
        <>
          <InvitationsTable
            invitations={items}
            busy={invitations.isFetching}
            onResend={(invitation) => resend.mutate({ id: invitation.id })}
            onRevoke={setRevoking}
          />
          <LoadMore pages={invitations} />
        </>
      )}

      <RevokeInvitationDialog
        invitation={revoking}
        busy={revoke.isPending}
        onCancel={() => setRevoking(null)}
        onConfirm={(invitation) => revoke.mutate({ id: invitation.id })}
      />
    </section>
  );
}
