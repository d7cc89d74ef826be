// A team's members in the order they joined (teams.members.list, "Load more"), with each row's
// actions as far as the caller's team role reaches: a role it may grant, Remove… (confirmed), and
// on the caller's own row Leave team… (confirmed). The server's refusals (the last owner) show above.
import type { RouterOutputs } from '@keel/api';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { type RowAction, RowActions } from '../../components/row-actions.js';
import { useToast } from '../../components/toasts.js';
import { Alert, ConfirmDialog, EmptyState, ErrorState, Loading, LoadMore } from '../../components/ui.js';
import { errorMessage } from '../../lib/errors.js';
import { formatDateTime } from '../../lib/format.js';
import { useCurrentUser } from '../../lib/session-context.js';
import { canManage, grantableRoles, type TeamRole } from '../../lib/team-roles.js';
import { useTRPC } from '../../lib/trpc.js';
import type { Team } from './team-page.js';

export type Member = RouterOutputs['teams']['members']['list']['items'][number];

const PAGE_SIZE = 50;

/** A member's actions for this caller: none, for a row the caller's role does not reach. */
function actionsFor(
  caller: TeamRole,
  member: Member,
  isSelf: boolean,
  handlers: { onRole: (role: TeamRole) => void; onRemove: () => void; onLeave: () => void },
): RowAction[] {
  const actions: RowAction[] = [];
  if (canManage(caller, member.role)) {
    for (const role of grantableRoles(caller)) {
      if (role === member.role) continue;
      actions.push({ id: `role-${role}`, label: `Make ${role}`, onAction: () => handlers.onRole(role) });
    }
  }
  if (isSelf) actions.push({ id: 'leave', label: 'Leave team…', danger: true, onAction: handlers.onLeave });
  else if (canManage(caller, member.role)) {
    actions.push({ id: 'remove', label: 'Remove…', danger: true, onAction: handlers.onRemove });
  }
  return actions;
}

export function MembersSection({ team }: { team: Team }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const user = useCurrentUser();
  const members = useInfiniteQuery(
    trpc.teams.members.list.infiniteQueryOptions(
      { teamId: team.id, limit: PAGE_SIZE },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
  );
  const items = members.data?.pages.flatMap((page) => page.items) ?? [];
  const [removing, setRemoving] = useState<Member | null>(null);
  const [leaving, setLeaving] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);

  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.teams.members.list.pathKey() });
  const setRole = useMutation(
    trpc.teams.members.setRole.mutationOptions({
      onMutate: () => setActionError(null),
      onSuccess: async (member) => {
        toast(`${member.name} is now ${member.role}.`);
        // The caller's own role may be the one that changed (an owner stepping down).
        if (member.userId === user.id) await queryClient.invalidateQueries({ queryKey: trpc.teams.pathKey() });
        else await refresh();
      },
      onError: (error) => setActionError(errorMessage(error)),
    }),
  );
  const remove = useMutation(
    trpc.teams.members.remove.mutationOptions({
      onMutate: () => setActionError(null),
      onSuccess: async (_result, input) => {
        if (input.userId === user.id) {
          setLeaving(false);
          toast(`You left “${team.name}”.`);
          await navigate({ to: '/teams' });
          queryClient.removeQueries({ queryKey: trpc.teams.get.queryKey({ teamId: team.id }) });
          await queryClient.invalidateQueries({ queryKey: trpc.teams.list.queryKey() });
          return;
        }
        toast(`${removing?.name ?? 'The member'} is no longer in the team.`);
        setRemoving(null);
        await refresh();
      },
      onError: (error) => {
        setRemoving(null);
        setLeaving(false);
        // The last owner's 409 says what to do: make another member an owner first.
        setActionError(errorMessage(error));
      },
    }),
  );

  return (
    <section className="team-section" aria-labelledby="members-title">
      <h2 id="members-title">Members</h2>
      {actionError ? <Alert tone="error">{actionError}</Alert> : null}
      {members.isPending ? (
        <Loading label="Loading members…" />
      ) : members.isError && items.length === 0 ? (
        <ErrorState error={members.error} onRetry={() => void members.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState>No member.</EmptyState>
      ) : (
        <>
          <div className="table-wrap">
            <table aria-labelledby="members-title" aria-busy={members.isFetching}>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Joined</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {items.map((member) => {
                  const isSelf = member.userId === user.id;
                  const actions = actionsFor(team.role, member, isSelf, {
                    onRole: (role) => setRole.mutate({ teamId: team.id, userId: member.userId, role }),
                    onRemove: () => setRemoving(member),
                    onLeave: () => setLeaving(true),
                  });
                  return (
                    <tr key={member.userId} data-member-email={member.email}>
                      <td data-label="Name" className="cell-wrap">
                        {member.name}
                        {isSelf ? <span className="cell-note">you</span> : null}
                      </td>
                      <td data-label="Email" className="cell-wrap">
                        {member.email}
                      </td>
                      <td data-label="Role">
                        <span className="tag">{member.role}</span>
                      </td>
                      <td data-label="Joined">{formatDateTime(member.joinedAt)}</td>
                      <td className="actions-cell">
                        {actions.length > 0 ? (
                          <RowActions label={`Actions for ${member.name} (${member.email})`} actions={actions} />
                        ) : null}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <LoadMore pages={members} />
        </>
      )}

      <ConfirmDialog
        open={removing !== null}
        title={`Remove ${removing?.name ?? 'the member'}?`}
        confirmLabel="Remove"
        busy={remove.isPending}
        onCancel={() => setRemoving(null)}
        onConfirm={() => removing && remove.mutate({ teamId: team.id, userId: removing.userId })}
      >
        <p>
          {removing?.name} ({removing?.email}) loses access to “{team.name}” at once. You can invite them again
          afterwards.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={leaving}
        title={`Leave “${team.name}”?`}
        confirmLabel="Leave team"
        busy={remove.isPending}
        onCancel={() => setLeaving(false)}
        onConfirm={() => remove.mutate({ teamId: team.id, userId: user.id })}
      >
        <p>You lose access to the team at once; only a new invitation brings you back.</p>
      </ConfirmDialog>
    </section>
  );
}
