// The projects table: one row per project, sortable by name and date from the headers, an owner
// column when it lists every owner's projects, and a row menu to edit or delete for those who may write.
import type { RouterOutputs } from '@keel/api';
import type { ProjectSort } from '@keel/api/schemas';
import { RowActions } from '../../components/row-actions.js';
import { SortableHeader } from '../../components/sortable-header.js';
import { TruncatedText } from '../../components/truncated-text.js';
import { formatDateTime } from '../../lib/format.js';

export type Project = RouterOutputs['projects']['list']['items'][number];

export function ProjectsTable({
  projects,
  busy,
  canWrite,
  showOwner,
  sort,
  onSort,
  onEdit,
  onDelete,
}: {
  projects: Project[];
  /** A newer page is on its way (the rows shown are the previous ones). */
  busy: boolean;
  canWrite: boolean;
  /** Every owner's projects: rows of different owners need telling apart. */
  showOwner: boolean;
  sort: ProjectSort;
  onSort: (sort: ProjectSort) => void;
  onEdit: (project: Project) => void;
  onDelete: (project: Project) => void;
}) {
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
            {canWrite ? (
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            ) : null}
          </tr>
        </thead>
        <tbody>
          {projects.map((project) => (
            <tr key={project.id}>
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
              {canWrite ? (
                <td className="actions-cell">
                  <RowActions
                    label={`Actions for ${project.name}`}
                    actions={[
                      { id: 'edit', label: 'Edit', onAction: () => onEdit(project) },
                      { id: 'delete', label: 'Delete…', danger: true, onAction: () => onDelete(project) },
                    ]}
                  />
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
