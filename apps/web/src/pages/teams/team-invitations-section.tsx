// A team's invitations (ADMIN+): invite an address at a role the caller may grant, the list newest
// first with its status filter in the URL (`?status=`), "Load more", and Revoke… (confirmed) for an
// open one. A mail carries the link to /team-invite.
import type { RouterOutputs } from '@keel/api';
import { InvitationStatus } from '@keel/api/schemas';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { useState } from 'react';
import { RowActions } from '../../components/row-actions.js';
import { useToast } from '../../components/toasts.js';
import { Alert, ConfirmDialog, EmptyState, ErrorState, Loading, LoadMore, SelectField } from '../../components/ui.js';
import { errorMessage } from '../../lib/errors.js';
import { formatDateTime } from '../../lib/format.js';
import { TeamSearch } from '../../lib/search-params.js';
import { useTRPC } from '../../lib/trpc.js';
import { STATUS_LABELS } from '../admin-invitations/invitations-table.js';
import { TeamInviteForm } from './team-invite-form.js';
import type { Team } from './team-page.js';

export type TeamInvitation = RouterOutputs['teams']['invitations']['list']['items'][number];

const route = getRouteApi('/_dashboard/teams/$teamId');
const PAGE_SIZE = 25;

/** Why Revoke does not apply (shown in the menu), or false: an expired one still holds its address. */
function revokeBlocked(status: InvitationStatus) {
  if (status === 'accepted') return { reason: 'Already accepted' };
  if (status === 'revoked') return { reason: 'Already revoked' };
  return false;
}

export function TeamInvitationsSection({ team }: { team: Team }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const { status } = route.useSearch();
  const navigate = route.useNavigate();
  const invitations = useInfiniteQuery(
    trpc.teams.invitations.list.infiniteQueryOptions(
      status ? { teamId: team.id, status, limit: PAGE_SIZE } : { teamId: team.id, limit: PAGE_SIZE },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
  );
  const items = invitations.data?.pages.flatMap((page) => page.items) ?? [];
  const [revoking, setRevoking] = useState<TeamInvitation | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.teams.invitations.list.pathKey() });
  const revoke = useMutation(
    trpc.teams.invitations.revoke.mutationOptions({
      onMutate: () => setActionError(null),
      onSuccess: async () => {
        toast(`The invitation of ${revoking?.email ?? 'the address'} is revoked.`);
        setRevoking(null);
        await refresh();
      },
      onError: (error) => {
        setRevoking(null);
        setActionError(errorMessage(error));
      },
    }),
  );

  return (
    <section className="team-section" aria-labelledby="team-invitations-title">
      <h2 id="team-invitations-title">Invitations</h2>
      <TeamInviteForm
        team={team}
        onInvited={(invitation) => {
          toast(`Invitation sent to ${invitation.email} as ${invitation.role}.`);
          void refresh();
        }}
      />
      {actionError ? <Alert tone="error">{actionError}</Alert> : null}
      <search className="toolbar invitations-toolbar">
        <SelectField
          label="Status"
          value={status ?? ''}
          // As on the admin list: the filter replaces the history entry, and "Any status" is none.
          onChange={(e) =>
            void navigate({
              search: { status: TeamSearch.shape.status.parse(e.target.value) },
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
          <div className="table-wrap">
            <table aria-labelledby="team-invitations-title" aria-busy={invitations.isFetching}>
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Status</th>
                  <th scope="col">Invited by</th>
                  <th scope="col">Sent / expires</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((invitation) => (
                  <tr key={invitation.id} data-invitation-email={invitation.email}>
                    <td data-label="Email" className="cell-wrap">
                      {invitation.email}
                    </td>
                    <td data-label="Role">{invitation.role}</td>
                    <td data-label="Status">
                      <span className={`tag invitation-${invitation.status}`}>{STATUS_LABELS[invitation.status]}</span>
                    </td>
                    <td data-label="Invited by">
                      {invitation.invitedBy ? (
                        invitation.invitedBy.name
                      ) : (
                        <span className="muted">a removed account</span>
                      )}
                    </td>
                    <td data-label="Sent / expires" className="invitation-dates">
                      {formatDateTime(invitation.createdAt)}
                      <span className="cell-note">
                        {invitation.status === 'pending'
                          ? `expires ${formatDateTime(invitation.expiresAt)}`
                          : invitation.status === 'expired'
                            ? `expired ${formatDateTime(invitation.expiresAt)}`
                            : invitation.status}
                      </span>
                    </td>
                    <td className="actions-cell">
                      <RowActions
                        label={`Actions for the invitation of ${invitation.email}`}
                        actions={[
                          {
                            id: 'revoke',
                            label: 'Revoke…',
                            danger: true,
                            disabled: revokeBlocked(invitation.status),
                            onAction: () => setRevoking(invitation),
                          },
                        ]}
                      />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <LoadMore pages={invitations} />
        </>
      )}
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke the invitation?"
        confirmLabel="Revoke"
        busy={revoke.isPending}
        onCancel={() => setRevoking(null)}
        onConfirm={() => revoking && revoke.mutate({ teamId: team.id, id: revoking.id })}
      >
        <p>The link mailed to {revoking?.email} stops working at once. You can invite the address again afterwards.</p>
      </ConfirmDialog>
    </section>
  );
}
