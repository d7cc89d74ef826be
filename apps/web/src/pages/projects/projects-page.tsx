// Projects: the caller's personal projects or one team's (`?team=`), in a table whose search, sort
// and page live in the URL; create, edit, move between personal and a team, and delete with
// confirmation, each offered only where the caller's role allows it (the server still decides).
import type { RouterOutputs } from '@keel/api';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { type ReactNode, useEffect, useState } from 'react';
import type { RowAction } from '../../components/row-actions.js';
import { Alert, EmptyState, ErrorState, Loading, Pagination, usePageTitle } from '../../components/ui.js';
import { errorCode } from '../../lib/errors.js';
import { FRAME_QUERY } from '../../lib/page-refusal.js';
import { listInputOf, type ProjectsSearch, teamOf } from '../../lib/search-params.js';
import { useCurrentUser } from '../../lib/session-context.js';
import { deletesProject, editsProjects } from '../../lib/team-roles.js';
import { useTRPC } from '../../lib/trpc.js';
import { DeleteProjectDialog } from './delete-project-dialog.js';
import { MoveProjectDialog, type Moving } from './move-project-dialog.js';
import { type Editing, ProjectForm } from './project-form.js';
import { ProjectsFilters } from './projects-filters.js';
import { ProjectsScope } from './projects-scope.js';
import { type Project, ProjectsTable } from './projects-table.js';

const route = getRouteApi('/_dashboard/projects');
const PAGE_SIZE = 10;

type Team = RouterOutputs['teams']['get'];

/** The page's query: its data type is inferred from `projects.list`'s output schema, with no annotation. */
export function useProjectList(search: ProjectsSearch) {
  const trpc = useTRPC();
  const { team: _typed, ...rest } = search;
  const scope = teamOf(search);
  // With a team the server ignores `scope`: the team's projects are listed whoever owns them.
  const input = scope.kind === 'team' ? { ...listInputOf(rest), teamId: scope.teamId } : listInputOf(rest);
  return useQuery({
    ...trpc.projects.list.queryOptions({ ...input, limit: PAGE_SIZE }),
    placeholderData: keepPreviousData,
    // A malformed team id is no team: nothing to ask the server.
    enabled: scope.kind !== 'malformed',
  });
}

export function ProjectsPage() {
  usePageTitle('Projects');
  const trpc = useTRPC();
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const scope = teamOf(search);
  // The frame's switcher reads the same list: one request for both, and, as there, its refusal
  // for an unconfirmed address says nothing about this page.
  const teams = useQuery({ ...trpc.teams.list.queryOptions(), meta: FRAME_QUERY });
  const team = useQuery({
    ...trpc.teams.get.queryOptions({ teamId: scope.kind === 'team' ? scope.teamId : '' }),
    enabled: scope.kind === 'team',
  });
  const noSuchTeam = scope.kind === 'malformed' || (team.isError && errorCode(team.error) === 'NOT_FOUND');

  let body: ReactNode;
  if (scope.kind === 'personal') body = <ProjectsList search={search} team={null} />;
  else if (noSuchTeam) body = <NoSuchTeam />;
  else if (team.isPending) body = <Loading label="Loading the team…" />;
  else if (team.isError) body = <ErrorState error={team.error} onRetry={() => void team.refetch()} />;
  // Keyed: another team's list starts with no form or dialog left open.
  else body = <ProjectsList key={team.data.id} search={search} team={team.data} />;

  return (
    <section aria-labelledby="projects-title">
      <div className="page-header">
        <h1 id="projects-title">Projects</h1>
      </div>
      <div className="toolbar projects-scope">
        <ProjectsScope
          teams={teams.data ?? []}
          team={search.team}
          onChange={(next) =>
            navigate({ search: (prev) => ({ ...prev, team: next, page: undefined, scope: undefined }) })
          }
        />
      </div>
      {body}
    </section>
  );
}

function NoSuchTeam() {
  return (
    <section className="card" aria-labelledby="no-such-team-title">
      <h2 id="no-such-team-title">No such team</h2>
      <p>There is no team with this id among your teams.</p>
      <p>
        <Link to="/projects">Your personal projects</Link> · <Link to="/teams">Your teams</Link>
      </p>
    </section>
  );
}

/** The list of one scope: the caller's personal projects (`team` null) or that team's. */
function ProjectsList({ search, team }: { search: ProjectsSearch; team: Team | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const user = useCurrentUser();
  const navigate = route.useNavigate();
  const projects = useProjectList(search);
  const teams = useQuery({ ...trpc.teams.list.queryOptions(), meta: FRAME_QUERY });
  const [editing, setEditing] = useState<Editing | null>(null);
  const [deleting, setDeleting] = useState<{ id: string; name: string } | null>(null);
  const [moving, setMoving] = useState<Moving | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // A personal project is its owner's (or, listing every owner's, an admin's); a team's follow the team role.
  const canCreate = team ? editsProjects(team.role) : user.role !== 'GUEST';
  const moveTargets = (teams.data ?? []).filter((choice) => editsProjects(choice.role));
  // List state replaces the history entry: Back leaves the page rather than undoing a keystroke.
  const setSearch = (changes: Partial<ProjectsSearch>) =>
    navigate({ search: (prev) => ({ ...prev, ...changes }), replace: true });

  // A delete can empty the last page: step back to the new last one.
  const totalPages = projects.data?.totalPages ?? 0;
  useEffect(() => {
    if (projects.data && !projects.isPlaceholderData && search.page > 1 && search.page > totalPages) {
      void navigate({ search: (prev) => ({ ...prev, page: Math.max(totalPages, 1) }), replace: true });
    }
  }, [projects.data, projects.isPlaceholderData, search.page, totalPages, navigate]);

  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.projects.list.pathKey() });
  // A success notice belongs to the action it reports: the next action, or a failing list, clears it.
  const startEditing = (next: Editing) => {
    setNotice(null);
    setEditing(next);
  };
  useEffect(() => {
    if (projects.isError) setNotice(null);
  }, [projects.isError]);

  const actionsOf = (project: Project): RowAction[] => {
    const own = project.ownerId === user.id;
    const edit: RowAction = {
      id: 'edit',
      label: 'Edit',
      onAction: () => startEditing({ mode: 'edit', ...project }),
    };
    const remove: RowAction = {
      id: 'delete',
      label: 'Delete…',
      danger: true,
      onAction: () => {
        setNotice(null);
        setDeleting({ id: project.id, name: project.name });
      },
    };
    if (team === null) {
      if (user.role === 'GUEST') return [];
      // Listing every owner's projects, an admin sees others' too: only the owner moves one.
      const move: RowAction[] = own
        ? [
            {
              id: 'move-to-team',
              label: 'Move to team…',
              disabled: moveTargets.length === 0 && { reason: 'You may add projects to no team' },
              onAction: () => {
                setNotice(null);
                setMoving({ to: 'team', project });
              },
            },
          ]
        : [];
      return [edit, ...move, remove];
    }
    const actions: RowAction[] = [];
    if (editsProjects(team.role)) actions.push(edit);
    if (own && editsProjects(team.role)) {
      actions.push({
        id: 'move-to-personal',
        label: 'Move to personal…',
        onAction: () => {
          setNotice(null);
          setMoving({ to: 'personal', project, teamName: team.name });
        },
      });
    }
    if (deletesProject(team.role, own)) actions.push(remove);
    return actions;
  };

  return (
    <>
      {team ? (
        <p className="team-role">
          {team.name}: your role <span className="tag">{team.role}</span>
        </p>
      ) : null}
      {canCreate ? (
        <div className="toolbar-buttons">
          <button type="button" onClick={() => startEditing({ mode: 'create' })}>
            New project
          </button>
        </div>
      ) : null}
      {notice ? <Alert tone="success">{notice}</Alert> : null}
      {editing ? (
        <ProjectForm
          key={editing.mode === 'edit' ? editing.id : 'new'}
          editing={editing}
          teamId={team?.id}
          onDone={async (message) => {
            setEditing(null);
            setNotice(message);
            await invalidate();
          }}
          onCancel={() => setEditing(null)}
        />
      ) : null}

      <ProjectsFilters search={search} showScope={team === null && user.role === 'ADMIN'} onChange={setSearch} />

      {projects.isPending ? (
        <Loading label="Loading projects…" />
      ) : projects.isError ? (
        <ErrorState error={projects.error} onRetry={() => void projects.refetch()} />
      ) : projects.data.items.length === 0 ? (
        <EmptyState>
          {search.q
            ? `No project matches “${search.q}”.`
            : team
              ? `No projects in ${team.name} yet.${canCreate ? ' Create the first one.' : ''}`
              : 'No projects yet. Create the first one.'}
        </EmptyState>
      ) : (
        <>
          <ProjectsTable
            projects={projects.data.items}
            busy={projects.isFetching}
            showOwner={team !== null || search.scope === 'all'}
            sort={search.sort}
            onSort={(sort) => setSearch({ sort, page: undefined })}
            actionsOf={actionsOf}
          />
          <Pagination
            page={search.page}
            totalPages={projects.data.totalPages}
            total={projects.data.total}
            onPage={(page) => setSearch({ page })}
          />
        </>
      )}

      <DeleteProjectDialog
        key={deleting?.id ?? 'closed'}
        project={deleting}
        onCancel={() => setDeleting(null)}
        onDeleted={async (name) => {
          setNotice(`Deleted “${name}”.`);
          setDeleting(null);
          await invalidate();
        }}
      />
      <MoveProjectDialog
        key={moving ? `${moving.to}-${moving.project.id}` : 'closed'}
        moving={moving}
        teams={moveTargets}
        onCancel={() => setMoving(null)}
        onMoved={async (message) => {
          setNotice(message);
          setMoving(null);
          await invalidate();
        }}
      />
    </>
  );
}
