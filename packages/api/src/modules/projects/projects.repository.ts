// SQL for projects.

import { type DB, type ProjectRow, type SlotOf, StatementCache } from '@keel/db';
import { type Kysely, sql, type Transaction } from 'kysely';
import { containsPattern } from '../../common/like.js';
import type { ProjectSort } from './projects.schema.js';

type Db = Kysely<DB> | Transaction<DB>;

export interface NewProject {
  ownerId: string;
  name: string;
  description: string | null;
}

export interface ProjectChanges {
  name?: string;
  description?: string | null;
}

export interface ProjectListFilter {
  /** Unset lists every owner's projects. */
  ownerId?: string | undefined;
  /** Matched literally and case-insensitively against the name. */
  search?: string | undefined;
}

export interface ProjectPageQuery extends ProjectListFilter {
  sort: ProjectSort;
  limit: number;
  offset: number;
}

export function insertProject(db: Db, project: NewProject): Promise<ProjectRow> {
  return db
    .insertInto('projects')
    .values({ owner_id: project.ownerId, name: project.name, description: project.description })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findProjectById(db: Db, id: string): Promise<ProjectRow | undefined> {
  return db.selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Locks the project row for the rest of the transaction. */
export function lockProjectById(db: Transaction<DB>, id: string): Promise<ProjectRow | undefined> {
  return db.selectFrom('projects').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export function updateProject(db: Db, id: string, changes: ProjectChanges): Promise<ProjectRow | undefined> {
  return db
    .updateTable('projects')
    .set({ ...changes, updated_at: sql<Date>`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirst();
}

export function deleteProjectById(db: Db, id: string): Promise<ProjectRow | undefined> {
  return db.deleteFrom('projects').where('id', '=', id).returningAll().executeTakeFirst();
}

/** The filter as it reaches SQL: the search already a LIKE pattern. */
interface ProjectFilterValues {
  ownerId?: string | undefined;
  namePattern?: string | undefined;
}

function filteredProjects(db: Db, filter: ProjectFilterValues) {
  let query = db.selectFrom('projects');
  if (filter.ownerId !== undefined) query = query.where('owner_id', '=', filter.ownerId);
  if (filter.namePattern !== undefined) query = query.where('name', 'ilike', filter.namePattern);
  return query;
}

function filterValues(filter: ProjectListFilter): ProjectFilterValues {
  return { ownerId: filter.ownerId, namePattern: filter.search ? containsPattern(filter.search) : undefined };
}

type PageValues = ProjectFilterValues & { sort: ProjectSort; limit: number; offset: number };

function pageQuery(db: Db, page: PageValues) {
  const descending = page.sort.startsWith('-');
  const direction = descending ? 'desc' : 'asc';
  const column = page.sort.endsWith('name') ? 'name' : 'created_at';
  return filteredProjects(db, page)
    .selectAll()
    .orderBy(column, direction)
    .orderBy('id', direction)
    .limit(page.limit)
    .offset(page.offset);
}

/**
 * One page, ordered by the sort key and then `id` so equal keys never swap between pages. With an
 * owner, `(owner_id, created_at, id)` and `(owner_id, name)` serve the order.
 */
export function selectProjectPage(db: Db, page: ProjectPageQuery) {
  return pageQuery(db, { ...filterValues(page), sort: page.sort, limit: page.limit, offset: page.offset });
}

// projects.list is the dashboard's busiest call: its two statements are compiled once per shape.
const listStatements = new StatementCache();

/** Exactly two statements whatever the page size: the page and the total. */
export async function listProjects(db: Db, page: ProjectPageQuery): Promise<{ rows: ProjectRow[]; total: number }> {
  const { ownerId, namePattern } = filterValues(page);
  const filterShape = `${ownerId !== undefined}:${namePattern !== undefined}`;
  const values = [ownerId, namePattern, page.limit, page.offset];
  // The filter as the statements see it: a slot where a value is present, nothing where it is not.
  const slottedFilter = (slot: SlotOf): ProjectFilterValues => ({
    ownerId: ownerId === undefined ? undefined : slot(0),
    namePattern: namePattern === undefined ? undefined : slot(1),
  });
  const [rows, counted] = await Promise.all([
    listStatements.execute(db, `page:${filterShape}:${page.sort}`, values, (slot) =>
      pageQuery(db, { ...slottedFilter(slot), sort: page.sort, limit: slot(2), offset: slot(3) }),
    ),
    listStatements.execute(db, `count:${filterShape}`, values, (slot) =>
      filteredProjects(db, slottedFilter(slot)).select((eb) => eb.fn.countAll<number>().as('count')),
    ),
  ]);
  return { rows, total: Number(counted[0]?.count ?? 0) };
}
