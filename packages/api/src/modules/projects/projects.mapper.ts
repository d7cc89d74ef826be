// Row → API shape for projects: explicit fields, never the row itself.
import type { ProjectRow } from '@keel/db';
import type { Project } from './projects.schema.js';

export function toProject(row: ProjectRow): Project {
  return {
    id: row.id,
    ownerId: row.owner_id,
    teamId: row.team_id,
    name: row.name,
    description: row.description,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
