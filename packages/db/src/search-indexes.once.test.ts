// The search-index migration on a PGlite without its pg_trgm bundle: skipped cleanly, searches still answer.
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PGliteDialect, sql } from 'kysely';
import { expect, it } from 'vitest';
import { migrateToLatest } from './migrate.js';
import type { DB } from './schema.js';

it('the search-index migration is skipped without failing where pg_trgm is not available', async () => {
  // Not even listed in pg_available_extensions: PGlite lists only the bundles it was given.
  const db = new Kysely<DB>({ dialect: new PGliteDialect({ pglite: new PGlite() }) });
  try {
    const result = await migrateToLatest(db);
    expect(result.results?.map((r) => [r.migrationName, r.status])).toContainEqual([
      '2026_12_01_2010_add_search_indexes',
      'Success',
    ]);
    const indexes = await sql`select indexname from pg_indexes where indexdef like '%gin_trgm_ops%'`.execute(db);
    expect(indexes.rows).toEqual([]);
    // The searches still answer, by scanning.
    await sql`insert into users (email, name, password_hash) values ('ann@example.com', 'Ann', 'x')`.execute(db);
    const found = await sql`select name from users where name ilike ${'%AN%'}`.execute(db);
    expect(found.rows).toEqual([{ name: 'Ann' }]);
  } finally {
    await db.destroy();
  }
});
