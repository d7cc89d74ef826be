// zod inputs and outputs of the projects procedures, shared with the web app's forms.
import { z } from 'zod';
import { IdInput, NameInput, PageInput, paginated, SearchText, text } from '../common.schema.js';
import { UserSummary } from '../users/users.schema.js';

/** Required, trimmed, at most 100 characters: every display name's rule. */
export const ProjectName = NameInput;

export const ProjectDescription = text().max(2000, 'Description must be at most 2000 characters');

const TeamId = z.uuid({ error: 'Invalid team id' });

/** With `teamId`, the project belongs to that team (the caller must be a MEMBER or above there). */
export const CreateProjectInput = z.object({
  name: ProjectName,
  description: ProjectDescription.nullable().optional(),
  teamId: TeamId.optional(),
});
export type CreateProjectInput = z.infer<typeof CreateProjectInput>;

/**
 * Omitted fields stay as they are; `description: null` clears it. The owner never changes. `teamId`
 * moves the owner's personal project into a team they are a MEMBER or above of; `teamId: null`
 * moves it back to them.
 */
export const UpdateProjectInput = IdInput.extend({
  name: ProjectName.optional(),
  description: ProjectDescription.nullable().optional(),
  teamId: TeamId.nullable().optional(),
});
export type UpdateProjectInput = z.infer<typeof UpdateProjectInput>;

export const ProjectIdInput = IdInput;
export type ProjectIdInput = z.infer<typeof ProjectIdInput>;

export const PROJECT_SORTS = ['createdAt', '-createdAt', 'name', '-name'] as const;
export const ProjectSort = z.enum(PROJECT_SORTS);
export type ProjectSort = z.infer<typeof ProjectSort>;

export const ProjectScope = z.enum(['mine', 'all']);
export type ProjectScope = z.infer<typeof ProjectScope>;

export const ListProjectsInput = PageInput.extend({
  sort: ProjectSort.default('-createdAt'),
  /** Matched literally (case-insensitive) against the name: `%` and `_` are plain characters. */
  search: SearchText.optional(),
  /** `mine`: the caller's personal projects; `all` (ADMIN only): every project. Ignored with `teamId`. */
  scope: ProjectScope.default('mine'),
  /** That team's projects (the caller must be a member), each naming its owner. */
  teamId: TeamId.optional(),
});
export type ListProjectsInput = z.infer<typeof ListProjectsInput>;

export const Project = z.object({
  id: z.string(),
  ownerId: z.string(),
  /** The team the project belongs to; null for a personal project. */
  teamId: z.string().nullable(),
  name: z.string(),
  description: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Project = z.infer<typeof Project>;

/** A project in a listing: with `scope: 'all'` or a `teamId` each also names its owner (the caller owns every `mine` row). */
export const ListedProject = Project.extend({ owner: UserSummary.optional() });
export type ListedProject = z.infer<typeof ListedProject>;

export const ProjectPage = paginated(ListedProject);
export type ProjectPage = z.infer<typeof ProjectPage>;
