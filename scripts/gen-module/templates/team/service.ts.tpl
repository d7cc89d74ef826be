// Rules for __items__.*: every __itemLabel__ belongs to one team, and a call reaches only the rows of
// the team `teamProcedure` checked the caller for (`ctx.team.teamId`, never a team id of the input):
// another team's row is a 404, as a missing one is. The team roles (router): VIEWER+ reads, MEMBER+
// creates and edits, and a deletion takes ADMIN+ or the row's creator. Names are unique per team; a
// deletion is audited in its own transaction.
import type { __Item__Row } from '@keel/db';
import { conflict, forbidden, isUniqueViolation, notFound } from '../../common/errors.js';
import { toPage } from '../../common/pagination.js';
import { audit } from '../audit/audit.service.js';
import { atLeast, type TeamContext } from '../teams/teams.service.js';
import { to__Item__ } from './__itemsKebab__.mapper.js';
import * as repo from './__itemsKebab__.repository.js';
import type {
  Create__Item__Input,
  List__Items__Input,
  __Item__,
  __Item__IdInput,
  __Item__Page,
  Update__Item__Input,
} from './__itemsKebab__.schema.js';

const NAME_TAKEN = '__AnItemLabel__ with this name already exists in this team';

/** The repository looked in the caller's team only: not there is 404, whether missing or another team's. */
function assertFound(row: __Item__Row | undefined): asserts row is __Item__Row {
  if (!row) throw notFound('__ItemLabel__');
}

/** Runs `write`, turning the per-team name clash into a friendly 409. */
async function guardNameClash<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(NAME_TAKEN);
    throw error;
  }
}

export async function create__Item__(ctx: TeamContext, input: Create__Item__Input): Promise<__Item__> {
  const row = await guardNameClash(() =>
    repo.insert__Item__(ctx.db, {
      teamId: ctx.team.teamId,
      createdBy: ctx.user.id,
      name: input.name,
      description: input.description ?? null,
    }),
  );
  return to__Item__(row);
}

export async function list__Items__(ctx: TeamContext, input: List__Items__Input): Promise<__Item__Page> {
  const { rows, total } = await repo.list__Items__(ctx.db, {
    teamId: ctx.team.teamId,
    search: input.search || undefined,
    sort: input.sort,
    limit: input.limit,
    offset: (input.page - 1) * input.limit,
  });
  return toPage(rows.map(to__Item__), total, input.page, input.limit);
}

export async function get__Item__(ctx: TeamContext, input: __Item__IdInput): Promise<__Item__> {
  const row = await repo.find__Item__InTeam(ctx.db, ctx.team.teamId, input.id);
  assertFound(row);
  return to__Item__(row);
}

export async function update__Item__(ctx: TeamContext, input: Update__Item__Input): Promise<__Item__> {
  const changes: repo.__Item__Changes = {};
  if (input.name !== undefined) changes.name = input.name;
  if (input.description !== undefined) changes.description = input.description;
  if (Object.keys(changes).length === 0) {
    const row = await repo.find__Item__InTeam(ctx.db, ctx.team.teamId, input.id);
    assertFound(row);
    return to__Item__(row);
  }
  const row = await guardNameClash(() => repo.update__Item__(ctx.db, ctx.team.teamId, input.id, changes));
  assertFound(row);
  return to__Item__(row);
}

/** ADMIN+ deletes any of the team's __itemsLabel__; a MEMBER only those they created. */
export async function delete__Item__(ctx: TeamContext, input: __Item__IdInput): Promise<{ success: true }> {
  await ctx.db.transaction().execute(async (trx) => {
    const row = await repo.lock__Item__InTeam(trx, ctx.team.teamId, input.id);
    assertFound(row);
    if (!atLeast(ctx.team.role, 'ADMIN') && row.created_by !== ctx.user.id) {
      throw forbidden('Only a team admin or the one who created this __itemLabel__ may delete it');
    }
    await repo.delete__Item__InTeam(trx, ctx.team.teamId, row.id);
    await audit(trx, ctx, {
      actorId: ctx.user.id,
      action: '__auditAction__',
      targetType: '__auditTarget__',
      targetId: row.id,
      metadata: { teamId: row.team_id, name: row.name, createdBy: row.created_by },
    });
  });
  return { success: true };
}
