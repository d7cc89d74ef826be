// One team (`/teams/$teamId`): its name (rename for ADMIN+, delete for the OWNER), its newest projects
// with the way to all of them, its members with the actions the caller's team role allows, and, for
// ADMIN+, its invitations. A malformed id, an unknown team and a team the caller is not in all show
// "No such team" (the API answers 404 alike).
import type { RouterOutputs } from '@keel/api';
import { TeamScopedInput } from '@keel/api/schemas';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { type ReactNode, useState } from 'react';
import { useToast } from '../../components/toasts.js';
import { Alert, ConfirmDialog, ErrorState, Loading, usePageTitle } from '../../components/ui.js';
import { errorCode, errorMessage } from '../../lib/errors.js';
import { managesMembers } from '../../lib/team-roles.js';
import { useTRPC } from '../../lib/trpc.js';
import { MembersSection } from './members-section.js';
import { TeamInvitationsSection } from './team-invitations-section.js';
import { TeamNameForm } from './team-name-form.js';
import { TeamProjectsSection } from './team-projects-section.js';

const route = getRouteApi('/_dashboard/teams/$teamId');

export type Team = RouterOutputs['teams']['get'];

export function TeamPage() {
  const { teamId } = route.useParams();
  // A malformed id (typed by hand) is no team, without asking the server.
  const input = TeamScopedInput.safeParse({ teamId });
  if (!input.success) return <NoSuchTeam />;
  // Keyed: another team's page starts with no dialog or form left open.
  return <TeamDetail key={input.data.teamId} teamId={input.data.teamId} />;
}

function NoSuchTeam() {
  usePageTitle('No such team');
  return (
    <section className="card notice-page" aria-labelledby="team-title">
      <h1 id="team-title">No such team</h1>
      <p>There is no team with this id among your teams.</p>
      <p>
        <Link to="/teams">Back to your teams</Link>
      </p>
    </section>
  );
}

function Frame({ children }: { children: ReactNode }) {
  usePageTitle('Team');
  return (
    <section aria-labelledby="team-title">
      <h1 id="team-title">Team</h1>
      {children}
    </section>
  );
}

function TeamDetail({ teamId }: { teamId: string }) {
  const trpc = useTRPC();
  const team = useQuery(trpc.teams.get.queryOptions({ teamId }));
  if (team.isPending) {
    return (
      <Frame>
        <Loading label="Loading the team…" />
      </Frame>
    );
  }
  if (team.isError) {
    if (errorCode(team.error) === 'NOT_FOUND') return <NoSuchTeam />;
    return (
      <Frame>
        <ErrorState error={team.error} onRetry={() => void team.refetch()} />
      </Frame>
    );
  }
  return <TeamView team={team.data} />;
}

function TeamView({ team }: { team: Team }) {
  usePageTitle(team.name);
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const toast = useToast();
  const [renaming, setRenaming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [refusal, setRefusal] = useState<string | null>(null);
  const isOwner = team.role === 'OWNER';
  const remove = useMutation(
    trpc.teams.delete.mutationOptions({
      onMutate: () => setRefusal(null),
      onSuccess: async () => {
        setDeleting(false);
        toast(`The team “${team.name}” is deleted.`);
        await navigate({ to: '/teams' });
        // Its own queries go with it; the list and the switcher lose it.
        queryClient.removeQueries({ queryKey: trpc.teams.get.queryKey({ teamId: team.id }) });
        await queryClient.invalidateQueries({ queryKey: trpc.teams.list.queryKey() });
      },
      onError: (error) => {
        setDeleting(false);
        // A team with projects is a 409 that says how many and what to do.
        setRefusal(errorMessage(error));
      },
    }),
  );

  return (
    <section aria-labelledby="team-title">
      <p className="admin-user-back">
        <Link to="/teams">← All teams</Link>
      </p>
      <div className="page-header">
        <h1 id="team-title" className="cell-wrap">
          {team.name}
        </h1>
        <span className="team-role">
          Your role <span className="tag">{team.role}</span>
        </span>
      </div>
      {managesMembers(team.role) ? (
        <div className="toolbar-buttons team-actions">
          {managesMembers(team.role) && !renaming ? (
            <button type="button" className="button-secondary" onClick={() => setRenaming(true)}>
              Rename
            </button>
          ) : null}
          {isOwner ? (
            <button
              type="button"
              className="button-danger"
              onClick={() => {
                setRefusal(null);
                setDeleting(true);
              }}
            >
              Delete team…
            </button>
          ) : null}
        </div>
      ) : null}
      {refusal ? <Alert tone="error">{refusal}</Alert> : null}
      {renaming ? (
        <TeamNameForm
          team={team}
          onDone={(name) => {
            setRenaming(false);
            toast(`The team is now called “${name}”.`);
          }}
          onCancel={() => setRenaming(false)}
        />
      ) : null}

      <TeamProjectsSection team={team} />

      <MembersSection team={team} />
      {managesMembers(team.role) ? <TeamInvitationsSection team={team} /> : null}

      <ConfirmDialog
        open={deleting}
        title={`Delete “${team.name}”?`}
        confirmLabel="Delete team"
        busy={remove.isPending}
        onCancel={() => setDeleting(false)}
        onConfirm={() => remove.mutate({ teamId: team.id })}
      >
        <p>
          The team and its memberships and invitations go for good. A team that still has projects cannot be deleted:
          move or delete them first.
        </p>
      </ConfirmDialog>
    </section>
  );
}
