// The projects table: one row per project, sortable by name and date from the headers, an owner
// column when it lists several people's projects (every owner's, or a team's), and a row menu holding
// what the caller may do to that row.
import type { RouterOutputs } from '@keel/api';
import type { ProjectSort } from '@keel/api/schemas';
import { type RowAction, RowActions } from '../../components/row-actions.js';
import { SortableHeader } from '../../components/sortable-header.js';
import { TruncatedText } from '../../components/truncated-text.js';
import { formatDateTime } from '../../lib/format.js';

export type Project = RouterOutputs['projects']['list']['items'][number];

export function ProjectsTable({
  projects,
  busy,
  showOwner,
  sort,
  onSort,
  actionsOf,
}: {
  projects: Project[];
  /** A newer page is on its way (the rows shown are the previous ones). */
  busy: boolean;
  /** Every owner's projects, or a team's: rows of different owners need telling apart. */
  showOwner: boolean;
  sort: ProjectSort;
  onSort: (sort: ProjectSort) => void;
  /** What the caller may do to a row; a row with none has no menu. */
  actionsOf: (project: Project) => RowAction[];
}) {
  const rows = projects.map((project) => ({ project, actions: actionsOf(project) }));
  // A VIEWER's table has no actions column at all, rather than one of empty cells.
  const hasActions = rows.some((row) => row.actions.length > 0);
  return (
    <div className="table-wrap">
      <table aria-describedby="projects-title" aria-busy={busy}>
        <thead>
          <tr>
            <SortableHeader column="name" sort={sort} onSort={onSort}>
              Name
            </SortableHeader>
            {showOwner ? <th scope="col">Owner</th> : null}
            <th scope="col">Description</th>
            <SortableHeader column="createdAt" sort={sort} onSort={onSort} firstDirection="descending">
              Created
            </SortableHeader>
            <th scope="col">Updated</th>
            {hasActions ? (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {rows.map(({ project, actions }) => (
            <tr key={project.id} data-project-name={project.name}>
              <td data-label="Name" className="cell-wrap">
                {project.name}
              </td>
              {showOwner ? (
                <td data-label="Owner">
                  {project.owner ? (
                    <>
                      {project.owner.name}
                      <span className="cell-note">{project.owner.email}</span>
                    </>
                  ) : (
                    <span className="muted">Deleted account</span>
                  )}
                </td>
              ) : null}
              <td data-label="Description" className="muted">
                {project.description ? <TruncatedText text={project.description} /> : '—'}
              </td>
              <td data-label="Created">{formatDateTime(project.createdAt)}</td>
              <td data-label="Updated">{formatDateTime(project.updatedAt)}</td>
              {hasActions ? (
                <td className="actions-cell">
                  {actions.length > 0 ? <RowActions label={`Actions for ${project.name}`} actions={actions} /> : null}
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
