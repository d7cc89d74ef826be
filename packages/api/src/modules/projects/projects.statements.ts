// Why this file exists: `projects.list` is the dashboard's hot path, and Kysely builds and compiles
// every statement on every call. Here its two statements (the page and the total) are compiled once
// per shape (which filters, which sort) and later calls only bind their values (`StatementCache`
// from @keel/db; docs/performance.md). projects.repository.ts keeps the plain shape that
// `pnpm gen:module` copies; these statements are built from its pieces, so both read the same rows
// (projects.test.ts compares them). Another module's list needs this only once a profile says so.
import { type DB, type ProjectRow, type SlotOf, StatementCache } from '@keel/db';
import type { Kysely } from 'kysely';
import {
  filteredProjects,
  orderedProjectPage,
  type ProjectFilterValues,
  type ProjectPageQuery,
  projectFilterValues,
} from './projects.repository.js';

const listStatements = new StatementCache();

/** `listProjects` of projects.repository.ts, compiled once per shape: two statements whatever the page size. */
export async function listProjectsCompiled(
  db: Kysely<DB>,
  page: ProjectPageQuery,
): Promise<{ rows: ProjectRow[]; total: number }> {
  const { ownerId, teamId, namePattern } = projectFilterValues(page);
  const teamShape = teamId === undefined ? 'any' : teamId === null ? 'none' : 'one';
  const filterShape = `${ownerId !== undefined}:${teamShape}:${namePattern !== undefined}`;
  const values = [ownerId, namePattern, page.limit, page.offset, teamId];
  // The filter as the statements see it: a slot where a value is present, nothing where it is not
  // (`team_id is null` needs no value).
  const slottedFilter = (slot: SlotOf): ProjectFilterValues => ({
    ownerId: ownerId === undefined ? undefined : slot(0),
    teamId: teamId === undefined || teamId === null ? teamId : slot(4),
    namePattern: namePattern === undefined ? undefined : slot(1),
  });
  const [rows, counted] = await Promise.all([
    listStatements.execute(db, `page:${filterShape}:${page.sort}`, values, (slot) =>
      orderedProjectPage(db, { ...slottedFilter(slot), sort: page.sort, limit: slot(2), offset: slot(3) }),
    ),
    listStatements.execute(db, `count:${filterShape}`, values, (slot) =>
      filteredProjects(db, slottedFilter(slot)).select((eb) => eb.fn.countAll<number>().as('count')),
    ),
  ]);
  return { rows, total: Number(counted[0]?.count ?? 0) };
}
