// The projects table: one row per project, with edit and delete buttons for those who may write.
import type { RouterOutputs } from '@keel/api';
import { formatDateTime } from '../../lib/format.js';

export type Project = RouterOutputs['projects']['list']['items'][number];

export function ProjectsTable({
  projects,
  busy,
  canWrite,
  onEdit,
  onDelete,
}: {
  projects: Project[];
  /** A newer page is on its way (the rows shown are the previous ones). */
  busy: boolean;
  canWrite: boolean;
  onEdit: (project: Project) => void;
  onDelete: (project: Project) => void;
}) {
  return (
    <div className="table-wrap">
      <table aria-describedby="projects-title" aria-busy={busy}>
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
          {projects.map((project) => (
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
                      onClick={() => onEdit(project)}
                    >
                      Edit
                    </button>
                    <button
                      type="button"
                      className="button-danger"
                      aria-label={`Delete ${project.name}`}
                      onClick={() => onDelete(project)}
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
  );
}
