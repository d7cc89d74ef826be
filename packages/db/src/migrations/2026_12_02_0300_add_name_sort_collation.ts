// Names sort as people read them: "émile" beside "Emile" and "eve", not after "Zed" as a byte-wise
// order puts them. `name_sort` is ICU's root locale at strength 1 (case and accents ignored); the
// name orderings of users and projects use it, and these indexes serve them.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // PostgreSQL and PGlite both ship ICU. A server built without it keeps a working, byte-wise order
  // under the same name rather than failing to migrate. (A PL/pgSQL handler, not a savepoint: it
  // works whether or not the migrator runs this in a transaction.)
  await sql`
    do $$
    begin
      create collation if not exists name_sort (provider = icu, locale = 'und-u-ks-level1', deterministic = false);
    exception when feature_not_supported or invalid_parameter_value then
      raise warning 'ICU is not available (%): names sort byte-wise', sqlerrm;
      create collation if not exists name_sort from "C";
    end
    $$
  `.execute(db);
  await sql`drop index if exists users_name_idx`.execute(db);
  await sql`create index users_name_sort_idx on users (name collate name_sort, id)`.execute(db);
  await sql`drop index if exists projects_name_idx`.execute(db);
  await sql`create index projects_name_sort_idx on projects (name collate name_sort, id)`.execute(db);
  await sql`create index projects_owner_name_sort_idx on projects (owner_id, name collate name_sort, id)`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only');
}
