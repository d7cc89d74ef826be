// Projects: a table whose search, sort and page live in the URL; create, edit, and delete with confirmation.
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { Alert, EmptyState, ErrorState, Loading, Pagination, usePageTitle } from '../../components/ui.js';
import { listInputOf, type ProjectsSearch } from '../../lib/search-params.js';
import { useCurrentUser } from '../../lib/session-context.js';
import { useTRPC } from '../../lib/trpc.js';
import { DeleteProjectDialog } from './delete-project-dialog.js';
import { type Editing, ProjectForm } from './project-form.js';
import { ProjectsFilters } from './projects-filters.js';
import { ProjectsTable } from './projects-table.js';

const route = getRouteApi('/_dashboard/projects');
const PAGE_SIZE = 10;

/** The page's query: its data type is inferred from `projects.list`'s output schema, with no annotation. */
export function useProjectList(search: ProjectsSearch) {
  const trpc = useTRPC();
  return useQuery({
    ...trpc.projects.list.queryOptions({ ...listInputOf(search), limit: PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });
}

export function ProjectsPage() {
  usePageTitle('Projects');
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const user = useCurrentUser();
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const projects = useProjectList(search);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [deleting, setDeleting] = useState<{ id: string; name: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const canWrite = user.role !== 'GUEST';
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

  return (
    <section aria-labelledby="projects-title">
      <div className="page-header">
        <h1 id="projects-title">Projects</h1>
        {canWrite ? (
          <button type="button" onClick={() => startEditing({ mode: 'create' })}>
            New project
          </button>
        ) : null}
      </div>
      {notice ? <Alert tone="success">{notice}</Alert> : null}
      {editing ? (
        <ProjectForm
          key={editing.mode === 'edit' ? editing.id : 'new'}
          editing={editing}
          onDone={async (message) => {
            setEditing(null);
            setNotice(message);
            await invalidate();
          }}
          onCancel={() => setEditing(null)}
        />
      ) : null}

      <ProjectsFilters search={search} showScope={user.role === 'ADMIN'} onChange={setSearch} />

      {projects.isPending ? (
        <Loading label="Loading projects…" />
      ) : projects.isError ? (
        <ErrorState error={projects.error} onRetry={() => void projects.refetch()} />
      ) : projects.data.items.length === 0 ? (
        <EmptyState>
          {search.q ? `No project matches “${search.q}”.` : 'No projects yet. Create the first one.'}
        </EmptyState>
      ) : (
        <>
          <ProjectsTable
            projects={projects.data.items}
            busy={projects.isFetching}
            canWrite={canWrite}
            showOwner={search.scope === 'all'}
            sort={search.sort}
            onSort={(sort) => setSearch({ sort, page: undefined })}
            onEdit={(project) => startEditing({ mode: 'edit', ...project })}
            onDelete={(project) => {
              setNotice(null);
              setDeleting({ id: project.id, name: project.name });
            }}
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
    </section>
  );
}
