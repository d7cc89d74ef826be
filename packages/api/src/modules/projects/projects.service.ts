// Rules for projects.*. A personal project (no team): its owner acts on it, ADMIN on all (missing →
// 404, someone else's → 403). A team project: its team is the row's, never the input's; every
// member reads it, MEMBER+ edit it, ADMIN+ or its creator delete it, a non-member gets 404 (ADMIN
// still acts on all). Names are unique per owner among personal projects and per team among a
// team's; deletions and moves are audited; every change is announced live to the owner, or to
// every member of the team; a search holds one of the caller's search slots.
import type { DB, ProjectRow } from '@keel/db';
import type { Kysely, Transaction } from 'kysely';
import { conflict, forbidden, isUniqueViolation, notFound } from '../../common/errors.js';
import { toPage } from '../../common/pagination.js';
import { withSearchSlot } from '../../common/search-limit.js';
import type { AuthedContext } from '../../trpc.js';
import { audit } from '../audit/audit.service.js';
import type { ProjectChangedEvent } from '../events/events.schema.js';
import { atLeast, auditAdminRead, lockTeamRole, teamAccess, teamExists, teamRoleOf } from '../teams/teams.service.js';
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

/** What the caller wants to do with a project. */
type Need = 'read' | 'edit' | 'delete';

/**
 * The caller may do `need` with the project, or the call fails: missing → 404; someone else's
 * personal project → 403; a team project → 404 for a non-member, 403 below the role `need` takes.
 * ADMIN acts on all. In a transaction, the caller's membership stays share-locked to its end.
 */
async function assertCanAccess(
  ctx: AuthedContext,
  row: ProjectRow | undefined,
  need: Need,
  trx?: Transaction<DB>,
): Promise<ProjectRow> {
  if (!row) throw notFound('Project');
  if (ctx.user.role === 'ADMIN') return row;
  if (row.team_id === null) {
    if (row.owner_id !== ctx.user.id) throw forbidden('You do not have access to this project');
    return row;
  }
  const role = trx ? await lockTeamRole(trx, row.team_id, ctx.user) : await teamRoleOf(ctx.db, row.team_id, ctx.user);
  if (!role) throw notFound('Project');
  if (need === 'edit' && !atLeast(role, 'MEMBER')) throw forbidden('Requires team role MEMBER or higher');
  if (need === 'delete' && !atLeast(role, 'ADMIN') && !(row.owner_id === ctx.user.id && atLeast(role, 'MEMBER'))) {
    throw forbidden('Only its creator or a team ADMIN may delete a team project');
  }
  return row;
}

/** The caller is a MEMBER or above of `teamId` (share-locked to the end of `trx`): 404 for a non-member. */
async function assertCanAddTo(ctx: AuthedContext, trx: Transaction<DB>, teamId: string): Promise<void> {
  const role = await lockTeamRole(trx, teamId, ctx.user);
  if (!role) {
    // A global ADMIN may see the team (teams.get), but adds to it only as a member.
    if (ctx.user.role === 'ADMIN' && (await teamExists(trx, teamId))) {
      throw forbidden('Only the team’s own members may add projects to it');
    }
    throw notFound('Team');
  }
  if (!atLeast(role, 'MEMBER')) throw forbidden('Requires team role MEMBER or higher');
}

/** Runs `write`, turning a name clash into a friendly 409. */
async function guardNameClash<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(NAME_TAKEN);
    throw error;
  }
}

/** Who hears of a change: the owner of a personal project, every member of a team's. */
async function audienceOf(db: Kysely<DB>, ownerId: string, teamId: string | null): Promise<string[]> {
  return teamId === null ? [ownerId] : repo.teamMemberIds(db, teamId);
}

/**
 * The change is committed by now: a failing event bus is logged, not reported as a failed request.
 * `previousTeamId` (a move) adds the people who could see the project before.
 */
async function announce(
  ctx: AuthedContext,
  row: ProjectRow,
  change: ProjectChange,
  previousTeamId?: string | null,
): Promise<void> {
  try {
    const audience = new Set(await audienceOf(ctx.db, row.owner_id, row.team_id));
    if (previousTeamId !== undefined) {
      for (const userId of await audienceOf(ctx.db, row.owner_id, previousTeamId)) audience.add(userId);
    }
    for (const userId of audience) {
      await ctx.events.publish({ type: 'project.changed', userId, data: { projectId: row.id, change } });
    }
  } catch (error) {
    ctx.log.warn({ err: error, projectId: row.id, change }, 'could not publish project.changed');
  }
}

export async function createProject(ctx: AuthedContext, input: CreateProjectInput): Promise<Project> {
  const values = { ownerId: ctx.user.id, name: input.name, description: input.description ?? null };
  const { teamId } = input;
  const row =
    teamId === undefined
      ? await guardNameClash(() => repo.insertProject(ctx.db, { ...values, teamId: null }))
      : await ctx.db.transaction().execute(async (trx) => {
          // A member removed meanwhile either waits for this insert or is refused by it.
          await assertCanAddTo(ctx, trx, teamId.toLowerCase());
          return guardNameClash(() => repo.insertProject(trx, { ...values, teamId: teamId.toLowerCase() }));
        });
  await announce(ctx, row, 'created');
  return toProject(row);
}

export async function listProjects(ctx: AuthedContext, input: ListProjectsInput): Promise<ProjectPage> {
  let filter: { ownerId?: string; teamId?: string | null };
  if (input.teamId !== undefined) {
    const team = await teamAccess(ctx, input.teamId, 'VIEWER', { globalAdmin: true });
    if (team.asGlobalAdmin) await auditAdminRead({ ...ctx, team }, 'projects.list');
    filter = { teamId: team.teamId };
  } else if (input.scope === 'mine') {
    filter = { ownerId: ctx.user.id, teamId: null };
  } else {
    if (ctx.user.role !== 'ADMIN') throw forbidden('Only admins may list all projects');
    filter = {};
  }
  const search = input.search || undefined;
  const list = () =>
    listProjectsCompiled(ctx.db, {
      ...filter,
      search,
      sort: input.sort,
      limit: input.limit,
      offset: (input.page - 1) * input.limit,
    });
  // A search takes one of the caller's search slots; the plain listing (the dashboard's hot path) adds nothing.
  const { rows, total } = search ? await withSearchSlot(ctx, list) : await list();
  if (filter.ownerId !== undefined) return toPage(rows.map(toProject), total, input.page, input.limit);
  // Every owner's projects name their owners: one more statement for the page, not one per row.
  const owners = await userSummariesById(
    ctx.db,
    rows.map((row) => row.owner_id),
  );
  const items = rows.map((row) => ({ ...toProject(row), owner: owners.get(row.owner_id) }));
  return toPage(items, total, input.page, input.limit);
}

export async function getProject(ctx: AuthedContext, input: ProjectIdInput): Promise<Project> {
  const row = await assertCanAccess(ctx, await repo.findProjectById(ctx.db, input.id), 'read');
  return toProject(row);
}

/**
 * Renames, describes or moves a project. A move (`teamId`) is its owner's: out of a team they are a
 * MEMBER or above of, into one they are a MEMBER or above of.
 */
export async function updateProject(ctx: AuthedContext, input: UpdateProjectInput): Promise<Project> {
  const moving = (existing: ProjectRow) =>
    input.teamId !== undefined && input.teamId?.toLowerCase() !== existing.team_id;
  const result = await ctx.db.transaction().execute(async (trx) => {
    const existing = await assertCanAccess(ctx, await repo.lockProjectById(trx, input.id), 'edit', trx);
    const changes: repo.ProjectChanges = {};
    if (input.name !== undefined) changes.name = input.name;
    if (input.description !== undefined) changes.description = input.description;
    if (moving(existing)) {
      if (existing.owner_id !== ctx.user.id) throw forbidden("Only the project's owner may move it");
      const to = input.teamId?.toLowerCase() ?? null;
      if (existing.team_id !== null) await assertCanAddTo(ctx, trx, existing.team_id);
      if (to !== null) await assertCanAddTo(ctx, trx, to);
      changes.team_id = to;
    }
    if (Object.keys(changes).length === 0) return { row: existing, changed: false, previousTeamId: undefined };
    const row = await guardNameClash(() => repo.updateProject(trx, existing.id, changes));
    if (!row) throw notFound('Project');
    if (changes.team_id !== undefined) {
      await audit(trx, ctx, {
        actorId: ctx.user.id,
        action: 'project.moved',
        targetType: 'project',
        targetId: row.id,
        metadata: { name: row.name, fromTeamId: existing.team_id, teamId: row.team_id },
      });
    }
    return { row, changed: true, previousTeamId: changes.team_id !== undefined ? existing.team_id : undefined };
  });
  if (result.changed) await announce(ctx, result.row, 'updated', result.previousTeamId);
  return toProject(result.row);
}

export async function deleteProject(ctx: AuthedContext, input: ProjectIdInput): Promise<{ success: true }> {
  const deleted = await ctx.db.transaction().execute(async (trx) => {
    const row = await assertCanAccess(ctx, await repo.lockProjectById(trx, input.id), 'delete', trx);
    await repo.deleteProjectById(trx, row.id);
    await audit(trx, ctx, {
      actorId: ctx.user.id,
      action: 'project.deleted',
      targetType: 'project',
      targetId: row.id,
      metadata: { name: row.name, ownerId: row.owner_id, ...(row.team_id === null ? {} : { teamId: row.team_id }) },
    });
    return row;
  });
  await announce(ctx, deleted, 'deleted');
  return { success: true };
}
