// Rules for __items__.*: owners act on their own __itemsLabel__, ADMIN on all (missing → 404,
// someone else's → 403); names are unique per owner; a deletion is audited in its own transaction.
import type { __Item__Row } from '@keel/db';
import { conflict, forbidden, isUniqueViolation, notFound } from '../../common/errors.js';
import { toPage } from '../../common/pagination.js';
import type { AuthedContext } from '../../trpc.js';
import { audit } from '../audit/audit.service.js';
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

const NAME_TAKEN = '__AnItemLabel__ with this name already exists';

/** Missing → 404, someone else's → 403, ADMIN may act on all. */
function assertCanAccess(ctx: AuthedContext, row: __Item__Row | undefined): asserts row is __Item__Row {
  if (!row) throw notFound('__ItemLabel__');
  if (row.owner_id !== ctx.user.id && ctx.user.role !== 'ADMIN') {
    throw forbidden('You do not have access to this __itemLabel__');
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

export async function create__Item__(ctx: AuthedContext, input: Create__Item__Input): Promise<__Item__> {
  const row = await guardNameClash(() =>
    repo.insert__Item__(ctx.db, { ownerId: ctx.user.id, name: input.name, description: input.description ?? null }),
  );
  return to__Item__(row);
}

export async function list__Items__(ctx: AuthedContext, input: List__Items__Input): Promise<__Item__Page> {
  if (input.scope === 'all' && ctx.user.role !== 'ADMIN') throw forbidden('Only admins may list all __itemsLabel__');
  const { rows, total } = await repo.list__Items__(ctx.db, {
    ownerId: input.scope === 'mine' ? ctx.user.id : undefined,
    search: input.search || undefined,
    sort: input.sort,
    limit: input.limit,
    offset: (input.page - 1) * input.limit,
  });
  return toPage(rows.map(to__Item__), total, input.page, input.limit);
}

export async function get__Item__(ctx: AuthedContext, input: __Item__IdInput): Promise<__Item__> {
  const row = await repo.find__Item__ById(ctx.db, input.id);
  assertCanAccess(ctx, row);
  return to__Item__(row);
}

export async function update__Item__(ctx: AuthedContext, input: Update__Item__Input): Promise<__Item__> {
  const existing = await repo.find__Item__ById(ctx.db, input.id);
  assertCanAccess(ctx, existing);
  const changes: repo.__Item__Changes = {};
  if (input.name !== undefined) changes.name = input.name;
  if (input.description !== undefined) changes.description = input.description;
  if (Object.keys(changes).length === 0) return to__Item__(existing);
  const row = await guardNameClash(() => repo.update__Item__(ctx.db, input.id, changes));
  // Deleted between the check and the write.
  if (!row) throw notFound('__ItemLabel__');
  return to__Item__(row);
}

export async function delete__Item__(ctx: AuthedContext, input: __Item__IdInput): Promise<{ success: true }> {
  await ctx.db.transaction().execute(async (trx) => {
    const row = await repo.lock__Item__ById(trx, input.id);
    assertCanAccess(ctx, row);
    await repo.delete__Item__ById(trx, row.id);
    await audit(trx, ctx, {
      actorId: ctx.user.id,
      action: '__auditAction__',
      targetType: '__auditTarget__',
      targetId: row.id,
      metadata: { name: row.name, ownerId: row.owner_id },
    });
  });
  return { success: true };
}
