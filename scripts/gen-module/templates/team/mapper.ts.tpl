// Row → API shape for __itemsLabel__: explicit fields, never the row itself.
import type { __Item__Row } from '@keel/db';
import type { __Item__ } from './__itemsKebab__.schema.js';

export function to__Item__(row: __Item__Row): __Item__ {
  return {
    id: row.id,
    teamId: row.team_id,
    createdBy: row.created_by,
    name: row.name,
    description: row.description,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}
