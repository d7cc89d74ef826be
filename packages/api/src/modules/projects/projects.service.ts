// Rules for projects.*: owners act on their own projects, ADMIN on all (missing → 404, someone
// else's → 403); names are unique per owner; deletions are audited; every change is announced to
// the owner live; a search holds one of the caller's search slots.
import type { ProjectRow } from '@keel/db';
import { conflict, forbidden, isUniqueViolation, notFound } from '../../common/errors.js';
import { toPage } from '../../common/pagination.js';
import { withSearchSlot } from '../../common/search-limit.js';
import type { AuthedContext } from '../../trpc.js';
import { audit } from '../audit/audit.service.js';
import type { ProjectChangedEvent } from '../events/events.schema.js';
import { userSummariesById } from '../users/users.service.js';
import { toProject } from './projects.mapper.js';
import * as repo from './projects.repository.js';
import type {
  CreateProjectInput,
  ListProjectsInput,
  Project,
  ProjectIdInput,
  ProjectPage,
  UpdateProjectInput,
} from './projects.schema.js';
import { listProjectsCompiled } from './projects.statements.js';

const NAME_TAKEN = 'A project with this name already exists';

type ProjectChange = ProjectChangedEvent['data']['change'];

/** Missing → 404, someone else's → 403, ADMIN may act on all. */
function assertCanAccess(ctx: AuthedContext, row: ProjectRow | undefined): asserts row is ProjectRow {
  if (!row) throw notFound('Project');
  if (row.owner_id !== ctx.user.id && ctx.user.role !== 'ADMIN') {
    throw forbidden('You do not have access to this project');
  }
}

/** Runs `write`, turning the per-owner name clash into a friendly 409. */
async function guardNameClash<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(NAME_TAKEN);
    throw error;
  }
}

/** The change is committed by now: a failing event bus is logged, not reported as a failed request. */
async function announce(ctx: AuthedContext, row: ProjectRow, change: ProjectChange): Promise<void> {
  try {
    await ctx.events.publish({
      type: 'project.changed',
      userId: row.owner_id,
      data: { projectId: row.id, change },
    });
  } catch (error) {
    ctx.log.warn({ err: error, projectId: row.id, change }, 'could not publish project.changed');
  }
}

export async function createProject(ctx: AuthedContext, input: CreateProjectInput): Promise<Project> {
  const row = await guardNameClash(() =>
    repo.insertProject(ctx.db, { ownerId: ctx.user.id, name: input.name, description: input.description ?? null }),
  );
  await announce(ctx, row, 'created');
  return toProject(row);
}

export async function listProjects(ctx: AuthedContext, input: ListProjectsInput): Promise<ProjectPage> {
  if (input.scope === 'all' && ctx.user.role !== 'ADMIN') throw forbidden('Only admins may list all projects');
  const search = input.search || undefined;
  const list = () =>
    listProjectsCompiled(ctx.db, {
      ownerId: input.scope === 'mine' ? ctx.user.id : undefined,
      search,
      sort: input.sort,
      limit: input.limit,
      offset: (input.page - 1) * input.limit,
    });
  // A search takes one of the caller's search slots; the plain listing (the dashboard's hot path) adds nothing.
  const { rows, total } = search ? await withSearchSlot(ctx, list) : await list();
  if (input.scope === 'mine') return toPage(rows.map(toProject), total, input.page, input.limit);
  // Every owner's projects name their owners: one more statement for the page, not one per row.
  const owners = await userSummariesById(
    ctx.db,
    rows.map((row) => row.owner_id),
  );
  const items = rows.map((row) => ({ ...toProject(row), owner: owners.get(row.owner_id) }));
  return toPage(items, total, input.page, input.limit);
}

export async function getProject(ctx: AuthedContext, input: ProjectIdInput): Promise<Project> {
  const row = await repo.findProjectById(ctx.db, input.id);
  assertCanAccess(ctx, row);
  return toProject(row);
}

export async function updateProject(ctx: AuthedContext, input: UpdateProjectInput): Promise<Project> {
  const existing = await repo.findProjectById(ctx.db, input.id);
  assertCanAccess(ctx, existing);
  const changes: repo.ProjectChanges = {};
  if (input.name !== undefined) changes.name = input.name;
  if (input.description !== undefined) changes.description = input.description;
  if (Object.keys(changes).length === 0) return toProject(existing);
  const row = await guardNameClash(() => repo.updateProject(ctx.db, input.id, changes));
  // Deleted between the check and the write.
  if (!row) throw notFound('Project');
  await announce(ctx, row, 'updated');
  return toProject(row);
}

export async function deleteProject(ctx: AuthedContext, input: ProjectIdInput): Promise<{ success: true }> {
  const deleted = await ctx.db.transaction().execute(async (trx) => {
    const row = await repo.lockProjectById(trx, input.id);
    assertCanAccess(ctx, row);
    await repo.deleteProjectById(trx, row.id);
    await audit(trx, ctx, {
      actorId: ctx.user.id,
      action: 'project.deleted',
      targetType: 'project',
      targetId: row.id,
      metadata: { name: row.name, ownerId: row.owner_id },
    });
    return row;
  });
  await announce(ctx, deleted, 'deleted');
  return { success: true };
}
