// SQL for __itemsLabel__. Every statement names the team: a row is found, changed or deleted only
// within the team the caller was checked for, so an id from another team matches nothing.

import type { DB, __Item__Row } from '@keel/db';
import { type Kysely, sql, type Transaction } from 'kysely';
import { containsPattern } from '../../common/like.js';
import type { __Item__Sort } from './__itemsKebab__.schema.js';

export interface New__Item__ {
  teamId: string;
  createdBy: string;
  name: string;
  description: string | null;
}

export interface __Item__Changes {
  name?: string;
  description?: string | null;
}

export interface __Item__ListFilter {
  teamId: string;
  /** Matched literally and case-insensitively against the name. */
  search?: string | undefined;
}

export interface __Item__PageQuery extends __Item__ListFilter {
  sort: __Item__Sort;
  limit: number;
  offset: number;
}

export function insert__Item__(db: Kysely<DB>, values: New__Item__): Promise<__Item__Row> {
  return db
    .insertInto('__table__')
    .values({
      team_id: values.teamId,
      created_by: values.createdBy,
      name: values.name,
      description: values.description,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function find__Item__InTeam(db: Kysely<DB>, teamId: string, id: string): Promise<__Item__Row | undefined> {
  return db.selectFrom('__table__').selectAll().where('team_id', '=', teamId).where('id', '=', id).executeTakeFirst();
}

/** Locks the row for the rest of the transaction. */
export function lock__Item__InTeam(
  db: Transaction<DB>,
  teamId: string,
  id: string,
): Promise<__Item__Row | undefined> {
  return db
    .selectFrom('__table__')
    .selectAll()
    .where('team_id', '=', teamId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export function update__Item__(
  db: Kysely<DB>,
  teamId: string,
  id: string,
  changes: __Item__Changes,
): Promise<__Item__Row | undefined> {
  return db
    .updateTable('__table__')
    .set({ ...changes, updated_at: sql<Date>`now()` })
    .where('team_id', '=', teamId)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export function delete__Item__InTeam(db: Kysely<DB>, teamId: string, id: string): Promise<__Item__Row | undefined> {
  return db.deleteFrom('__table__').where('team_id', '=', teamId).where('id', '=', id).returningAll().executeTakeFirst();
}

/** The list filter as it reaches SQL: the search already a LIKE pattern. */
export interface __Item__FilterValues {
  teamId: string;
  namePattern?: string | undefined;
}

export function __item__FilterValues(filter: __Item__ListFilter): __Item__FilterValues {
  return { teamId: filter.teamId, namePattern: filter.search ? containsPattern(filter.search) : undefined };
}

export function filtered__Items__(db: Kysely<DB>, filter: __Item__FilterValues) {
  let query = db.selectFrom('__table__').where('team_id', '=', filter.teamId);
  if (filter.namePattern !== undefined) query = query.where('name', 'ilike', filter.namePattern);
  return query;
}

/**
 * One page of a team's rows, ordered by the sort key and then `id` so equal keys never swap between
 * pages; `(team_id, created_at, id)` and `(team_id, name collate name_sort, id)` serve the order.
 */
export function ordered__Item__Page(
  db: Kysely<DB>,
  page: __Item__FilterValues & { sort: __Item__Sort; limit: number; offset: number },
) {
  const descending = page.sort.startsWith('-');
  const direction = descending ? 'desc' : 'asc';
  const column = page.sort.endsWith('name') ? 'name' : 'created_at';
  return filtered__Items__(db, page)
    .selectAll()
    // Names in reading order, case and accents aside (the `name_sort` collation and its indexes).
    .orderBy(column, (order) => (column === 'name' ? order.collate('name_sort') : order)[direction]())
    .orderBy('id', direction)
    .limit(page.limit)
    .offset(page.offset);
}

export function select__Item__Page(db: Kysely<DB>, page: __Item__PageQuery) {
  const { sort, limit, offset } = page;
  return ordered__Item__Page(db, { ...__item__FilterValues(page), sort, limit, offset });
}

export async function count__Items__(db: Kysely<DB>, filter: __Item__ListFilter): Promise<number> {
  const row = await filtered__Items__(db, __item__FilterValues(filter))
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Exactly two statements whatever the page size: the page and the total. */
export async function list__Items__(
  db: Kysely<DB>,
  page: __Item__PageQuery,
): Promise<{ rows: __Item__Row[]; total: number }> {
  const [rows, total] = await Promise.all([select__Item__Page(db, page).execute(), count__Items__(db, page)]);
  return { rows, total };
}
