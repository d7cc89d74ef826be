// SQL for projects.

import type { DB, ProjectRow } from '@keel/db';
import { type Kysely, sql, type Transaction } from 'kysely';
import { containsPattern } from '../../common/like.js';
import type { ProjectSort } from './projects.schema.js';

export interface NewProject {
  ownerId: string;
  teamId: string | null;
  name: string;
  description: string | null;
}

export interface ProjectChanges {
  name?: string;
  description?: string | null;
  team_id?: string | null;
}

export interface ProjectListFilter {
  /** Unset lists every owner's projects. */
  ownerId?: string | undefined;
  /** A team's projects; `null`: personal projects only; unset: both. */
  teamId?: string | null | undefined;
  /** Matched literally and case-insensitively against the name. */
  search?: string | undefined;
}

export interface ProjectPageQuery extends ProjectListFilter {
  sort: ProjectSort;
  limit: number;
  offset: number;
}

export function insertProject(db: Kysely<DB>, values: NewProject): Promise<ProjectRow> {
  return db
    .insertInto('projects')
    .values({ owner_id: values.ownerId, team_id: values.teamId, name: values.name, description: values.description })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findProjectById(db: Kysely<DB>, id: string): Promise<ProjectRow | undefined> {
  return db.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The ids of a team's members: whom a change to one of its projects is announced to. */
export async function teamMemberIds(db: Kysely<DB>, teamId: string): Promise<string[]> {
  const rows = await db.selectFrom('team_members').select('user_id').where('team_id', '=', teamId).execute();
  return rows.map((row) => row.user_id);
}

/** Locks the row for the rest of the transaction. */
export function lockProjectById(db: Transaction<DB>, id: string): Promise<ProjectRow | undefined> {
  return db.selectFrom('projects').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function updateProject(db: Kysely<DB>, id: string, changes: ProjectChanges): Promise<ProjectRow | undefined> {
  return db
    .updateTable('projects')
    .set({ ...changes, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export function deleteProjectById(db: Kysely<DB>, id: string): Promise<ProjectRow | undefined> {
  return db.deleteFrom('projects').where('id', '=', id).returningAll().executeTakeFirst();
}

/** The list filter as it reaches SQL: the search already a LIKE pattern. */
export interface ProjectFilterValues {
  ownerId?: string | undefined;
  teamId?: string | null | undefined;
  namePattern?: string | undefined;
}

export function projectFilterValues(filter: ProjectListFilter): ProjectFilterValues {
  return {
    ownerId: filter.ownerId,
    teamId: filter.teamId,
    namePattern: filter.search ? containsPattern(filter.search) : undefined,
  };
}

export function filteredProjects(db: Kysely<DB>, filter: ProjectFilterValues) {
  let query = db.selectFrom('projects');
  if (filter.ownerId !== undefined) query = query.where('owner_id', '=', filter.ownerId);
  if (filter.teamId === null) query = query.where('team_id', 'is', null);
  else if (filter.teamId !== undefined) query = query.where('team_id', '=', filter.teamId);
  if (filter.namePattern !== undefined) query = query.where('name', 'ilike', filter.namePattern);
  return query;
}

/**
 * One page, ordered by the sort key and then `id` so equal keys never swap between pages. With an
 * owner, `(owner_id, created_at, id)` and `(owner_id, name collate name_sort, id)` serve the order;
 * with a team, `(team_id, created_at, id)` and `(team_id, name collate name_sort, id)`; with
 * neither, `(created_at, id)` and `(name collate name_sort, id)`.
 */
export function orderedProjectPage(
  db: Kysely<DB>,
  page: ProjectFilterValues & { sort: ProjectSort; limit: number; offset: number },
) {
  const descending = page.sort.startsWith('-');
  const direction = descending ? 'desc' : 'asc';
  const column = page.sort.endsWith('name') ? 'name' : 'created_at';
  return (
    filteredProjects(db, page)
      .selectAll()
      // Names in reading order, case and accents aside (the `name_sort` collation and its indexes).
      .orderBy(column, (order) => (column === 'name' ? order.collate('name_sort') : order)[direction]())
      .orderBy('id', direction)
      .limit(page.limit)
      .offset(page.offset)
  );
}

export function selectProjectPage(db: Kysely<DB>, page: ProjectPageQuery) {
  const { sort, limit, offset } = page;
  return orderedProjectPage(db, { ...projectFilterValues(page), sort, limit, offset });
}

export async function countProjects(db: Kysely<DB>, filter: ProjectListFilter): Promise<number> {
  const row = await filteredProjects(db, projectFilterValues(filter))
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Exactly two statements whatever the page size: the page and the total. */
export async function listProjects(
  db: Kysely<DB>,
  page: ProjectPageQuery,
): Promise<{ rows: ProjectRow[]; total: number }> {
  const [rows, total] = await Promise.all([selectProjectPage(db, page).execute(), countProjects(db, page)]);
  return { rows, total };
}
