// Projects: a table whose search, sort and page live in the URL; create, edit, and delete with confirmation.
import { CreateProjectInput, ProjectSort, UpdateProjectInput } from '@keel/api/schemas';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useState } from 'react';
import {
  Alert,
  ConfirmDialog,
  EmptyState,
  ErrorState,
  FormError,
  Loading,
  Pagination,
  SelectField,
  TextAreaField,
  TextField,
  usePageTitle,
} from '../components/ui.js';
import { errorMessage, type FieldErrors, formErrorsOf, validate } from '../lib/errors.js';
import { formatDateTime } from '../lib/format.js';
import { useSearchParams } from '../lib/router.js';
import { useCurrentUser } from '../lib/session-context.js';
import { useTRPC } from '../lib/trpc.js';

const SORT_LABELS: Record<ProjectSort, string> = {
  '-createdAt': 'Newest first',
  createdAt: 'Oldest first',
  name: 'Name A–Z',
  '-name': 'Name Z–A',
};
const PAGE_SIZE = 10;
const SEARCH_DEBOUNCE_MS = 300;

/** What the URL says the table shows; anything malformed falls back to the defaults. */
export function readListParams(params: URLSearchParams) {
  const sort = ProjectSort.safeParse(params.get('sort'));
  const page = Number.parseInt(params.get('page') ?? '1', 10);
  return {
    search: params.get('q')?.trim() || undefined,
    sort: sort.success ? sort.data : ('-createdAt' as const),
    page: Number.isFinite(page) && page >= 1 ? page : 1,
    scope: params.get('scope') === 'all' ? ('all' as const) : ('mine' as const),
  };
}

/** The page's query: its data type is inferred from `projects.list`'s output schema, with no annotation. */
export function useProjectList(params: ReturnType<typeof readListParams>) {
  const trpc = useTRPC();
  return useQuery({
    ...trpc.projects.list.queryOptions({ ...params, limit: PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });
}

type Editing = { mode: 'create' } | { mode: 'edit'; id: string; name: string; description: string | null } | null;

export function ProjectsPage() {
  usePageTitle('Projects');
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const user = useCurrentUser();
  const [params, setParams] = useSearchParams();
  const list = readListParams(params);
  const projects = useProjectList(list);
  const [searchText, setSearchText] = useState(list.search ?? '');
  const [editing, setEditing] = useState<Editing>(null);
  const [deleting, setDeleting] = useState<{ id: string; name: string } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const canWrite = user.role !== 'GUEST';

  // The URL follows the search box after a pause, and the page resets: page 3 of another search means nothing.
  useEffect(() => {
    const handle = setTimeout(() => {
      if ((list.search ?? '') !== searchText.trim()) setParams({ q: searchText.trim(), page: undefined });
    }, SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(handle);
  }, [searchText, list.search, setParams]);

  // A delete can empty the last page: step back to the new last one.
  const totalPages = projects.data?.totalPages ?? 0;
  useEffect(() => {
    if (projects.data && !projects.isPlaceholderData && list.page > 1 && list.page > totalPages) {
      setParams({ page: totalPages > 1 ? String(totalPages) : undefined });
    }
  }, [projects.data, projects.isPlaceholderData, list.page, totalPages, setParams]);

  const invalidate = () => queryClient.invalidateQueries({ queryKey: trpc.projects.list.pathKey() });
  const remove = useMutation(
    trpc.projects.delete.mutationOptions({
      onSuccess: async () => {
        setNotice(`Deleted “${deleting?.name}”.`);
        setDeleting(null);
        await invalidate();
      },
    }),
  );

  return (
    <section aria-labelledby="projects-title">
      <div className="page-header">
        <h1 id="projects-title">Projects</h1>
        {canWrite ? (
          <button type="button" onClick={() => setEditing({ mode: 'create' })}>
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

      <search className="toolbar">
        <TextField
          label="Search by name"
          type="search"
          value={searchText}
          onChange={(e) => setSearchText(e.target.value)}
          maxLength={100}
        />
        <SelectField
          label="Sort"
          value={list.sort}
          onChange={(e) =>
            setParams({ sort: e.target.value === '-createdAt' ? undefined : e.target.value, page: undefined })
          }
        >
          {ProjectSort.options.map((sort) => (
            <option key={sort} value={sort}>
              {SORT_LABELS[sort]}
            </option>
          ))}
        </SelectField>
        {user.role === 'ADMIN' ? (
          <label className="checkbox">
            <input
              type="checkbox"
              checked={list.scope === 'all'}
              onChange={(e) => setParams({ scope: e.target.checked ? 'all' : undefined, page: undefined })}
            />
            Every owner's projects
          </label>
        ) : null}
      </search>

      {projects.isPending ? (
        <Loading label="Loading projects…" />
      ) : projects.isError ? (
        <ErrorState error={projects.error} onRetry={() => void projects.refetch()} />
      ) : projects.data.items.length === 0 ? (
        <EmptyState>
          {list.search ? `No project matches “${list.search}”.` : 'No projects yet. Create the first one.'}
        </EmptyState>
      ) : (
        <>
          <div className="table-wrap">
            <table aria-describedby="projects-title" aria-busy={projects.isFetching}>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Description</th>
                  <th scope="col">Created</th>
                  <th scope="col">Updated</th>
                  {canWrite ? (
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {projects.data.items.map((project) => (
                  <tr key={project.id}>
                    <td data-label="Name">{project.name}</td>
                    <td data-label="Description" className="muted">
                      {project.description || '—'}
                    </td>
                    <td data-label="Created">{formatDateTime(project.createdAt)}</td>
                    <td data-label="Updated">{formatDateTime(project.updatedAt)}</td>
                    {canWrite ? (
                      <td className="actions-cell">
                        <div className="row-actions">
                          <button
                            type="button"
                            className="button-secondary"
                            aria-label={`Edit ${project.name}`}
                            onClick={() => setEditing({ mode: 'edit', ...project })}
                          >
                            Edit
                          </button>
                          <button
                            type="button"
                            className="button-danger"
                            aria-label={`Delete ${project.name}`}
                            onClick={() => {
                              remove.reset();
                              setDeleting({ id: project.id, name: project.name });
                            }}
                          >
                            Delete
                          </button>
                        </div>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pagination
            page={list.page}
            totalPages={projects.data.totalPages}
            total={projects.data.total}
            onPage={(page) => setParams({ page: page > 1 ? String(page) : undefined })}
          />
        </>
      )}

      <ConfirmDialog
        open={deleting !== null}
        title="Delete project?"
        confirmLabel="Delete project"
        busy={remove.isPending}
        onCancel={() => setDeleting(null)}
        onConfirm={() => deleting && remove.mutate({ id: deleting.id })}
      >
        <p>
          “{deleting?.name}” will be deleted for good. <strong>This cannot be undone.</strong>
        </p>
        {remove.isError ? <Alert tone="error">{errorMessage(remove.error)}</Alert> : null}
      </ConfirmDialog>
    </section>
  );
}

function ProjectForm({
  editing,
  onDone,
  onCancel,
}: {
  editing: NonNullable<Editing>;
  onDone: (message: string) => void;
  onCancel: () => void;
}) {
  const trpc = useTRPC();
  const titleId = useId();
  const [values, setValues] = useState({
    name: editing.mode === 'edit' ? editing.name : '',
    description: editing.mode === 'edit' ? (editing.description ?? '') : '',
  });
  const [errors, setErrors] = useState<FieldErrors>({});
  const onError = (error: unknown) => setErrors(formErrorsOf(error, { CONFLICT: 'name' }));
  const create = useMutation(
    trpc.projects.create.mutationOptions({ onSuccess: (p) => onDone(`Created “${p.name}”.`), onError }),
  );
  const update = useMutation(
    trpc.projects.update.mutationOptions({ onSuccess: (p) => onDone(`Saved “${p.name}”.`), onError }),
  );
  const busy = create.isPending || update.isPending;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const description = values.description.trim() === '' ? null : values.description;
    if (editing.mode === 'create') {
      const result = validate(CreateProjectInput, { name: values.name, description });
      if (!result.ok) return setErrors(result.errors);
      setErrors({});
      create.mutate(result.data);
    } else {
      const result = validate(UpdateProjectInput, { id: editing.id, name: values.name, description });
      if (!result.ok) return setErrors(result.errors);
      setErrors({});
      update.mutate(result.data);
    }
  };

  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby={titleId}>
      <h2 id={titleId}>{editing.mode === 'create' ? 'New project' : `Edit “${editing.name}”`}</h2>
      <FormError errors={errors} />
      <TextField
        label="Project name"
        name="name"
        required
        maxLength={100}
        autoFocus
        value={values.name}
        error={errors.name}
        onChange={(e) => setValues({ ...values, name: e.target.value })}
      />
      <TextAreaField
        label="Description"
        name="description"
        rows={3}
        maxLength={2000}
        value={values.description}
        error={errors.description}
        onChange={(e) => setValues({ ...values, description: e.target.value })}
      />
      <div className="actions">
        <button type="button" className="button-secondary" onClick={onCancel} disabled={busy}>
          Cancel
        </button>
        <button type="submit" disabled={busy}>
          {busy ? 'Saving…' : editing.mode === 'create' ? 'Create project' : 'Save changes'}
        </button>
      </div>
    </form>
  );
}
