// Trigram indexes for the `ILIKE '%…%'` searches (users by name or email, projects by name), where
// the database has pg_trgm; without it the searches keep working as table scans.
import { type Kysely, sql } from 'kysely';

/** Each searched column; the searches compare the column itself with ILIKE, which gin_trgm_ops serves as it is. */
const TRIGRAM_INDEXES = [
  { name: 'users_name_trgm_idx', table: 'users', column: 'name' },
  { name: 'users_email_trgm_idx', table: 'users', column: 'email' },
  { name: 'projects_name_trgm_idx', table: 'projects', column: 'name' },
] as const;

export async function up(db: Kysely<any>): Promise<void> {
  const available = await sql<{ name: string }>`
    select name from pg_available_extensions where name = 'pg_trgm'
  `.execute(db);
  if (available.rows.length === 0) return;
  // pg_trgm is a trusted extension, yet a role without CREATE on the database still cannot install
  // it; that database keeps its table scans rather than failing to start. (A PL/pgSQL handler, not a
  // savepoint: it works whether or not the migrator runs this in a transaction.)
  await sql`
    do $$
    begin
      create extension if not exists pg_trgm;
    exception when insufficient_privilege then
      raise warning 'pg_trgm could not be installed (%): searches will scan their tables', sqlerrm;
    end
    $$
  `.execute(db);
  const installed = await sql<{ extname: string }>`
    select extname from pg_extension where extname = 'pg_trgm'
  `.execute(db);
  if (installed.rows.length === 0) return;
  for (const index of TRIGRAM_INDEXES) {
    await sql`
      create index if not exists ${sql.id(index.name)}
      on ${sql.id(index.table)} using gin (${sql.id(index.column)} gin_trgm_ops)
    `.execute(db);
  }
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only');
}
