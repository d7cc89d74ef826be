// The search-index migration where pg_trgm is there: PostgreSQL, and PGlite as Keel opens it.
// (Where it is not: search-indexes.once.test.ts and search-indexes.services.test.ts.)
import { type Kysely, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrateToLatest } from './migrate.js';
import type { DB } from './schema.js';
import { freshDatabase } from './test-env.js';

const TRIGRAM_INDEXES = ['projects_name_trgm_idx', 'users_email_trgm_idx', 'users_name_trgm_idx'];

/** The trigram indexes in `db`, by name. */
async function trigramIndexes(db: Kysely<DB>): Promise<string[]> {
  const result = await sql<{ indexname: string }>`
    select indexname from pg_indexes where indexdef like '%gin_trgm_ops%' order by indexname
  `.execute(db);
  return result.rows.map((row) => row.indexname);
}

describe('the search-index migration', () => {
  it('installs pg_trgm and indexes every searched column (PostgreSQL, and PGlite as Keel opens it)', async () => {
    const connect = await freshDatabase();
    const { db } = connect();
    await migrateToLatest(db);
    expect(await trigramIndexes(db)).toEqual(TRIGRAM_INDEXES);
  });
});
