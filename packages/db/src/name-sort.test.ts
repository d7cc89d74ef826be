// The `name_sort` collation (migrations/2026_12_02_0300_add_name_sort_collation.ts) on PostgreSQL and
// PGlite: names in reading order whatever their case and accents, and an index that serves the order.
import { type Kysely, sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { migrateToLatest } from './migrate.js';
import type { DB } from './schema.js';
import { freshDatabase } from './test-env.js';

const NAMES = ['Zed', 'émile', 'adam', 'Eve', 'Ärger', 'bob', 'Émilie', 'Zoë'];

async function migrated(): Promise<Kysely<DB>> {
  const connect = await freshDatabase();
  const { db } = connect();
  await migrateToLatest(db);
  await db
    .insertInto('users')
    .values(NAMES.map((name, index) => ({ name, email: `person-${index}@example.com`, password_hash: 'x' })))
    .execute();
  return db;
}

describe('the name_sort collation', () => {
  it('orders names ignoring case and accents, where a byte-wise order puts lower case and accents last', async () => {
    const db = await migrated();
    const byName = await db
      .selectFrom('users')
      .select('name')
      .orderBy('name', (order) => order.collate('name_sort'))
      .orderBy('id')
      .execute();
    expect(byName.map((row) => row.name)).toEqual(['adam', 'Ärger', 'bob', 'émile', 'Émilie', 'Eve', 'Zed', 'Zoë']);
    const byteWise = await db
      .selectFrom('users')
      .select('name')
      .orderBy('name', (order) => order.collate('C'))
      .execute();
    expect(byteWise.map((row) => row.name).slice(0, 3)).toEqual(['Eve', 'Zed', 'Zoë']);
  });

  it('serves a page of the name order from an index, without sorting the table', async () => {
    const db = await migrated();
    await sql`analyze users`.execute(db);
    // The table is tiny, so the planner is told to prefer an index: the question is only whether one fits.
    const plan = await db.connection().execute(async (connection) => {
      await sql`set enable_seqscan = off`.execute(connection);
      const explained = await sql<{ 'QUERY PLAN': string }>`
        explain select * from users order by name collate name_sort desc, id desc limit 20
      `.execute(connection);
      await sql`reset enable_seqscan`.execute(connection);
      return explained.rows.map((row) => row['QUERY PLAN']).join('\n');
    });
    expect(plan).toContain('users_name_sort_idx');
    expect(plan).not.toMatch(/\bSort\b/);
  });
});
