// The __table__ table of the team-scoped __items__ feature module (written by `pnpm gen:module --scope team`; frozen once landed).
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('__table__')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    // The team's rows go with the team.
    .addColumn('team_id', 'uuid', (c) => c.notNull().references('teams.id').onDelete('cascade'))
    // The row outlives the account that created it: it is the team's, not the creator's.
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('__table___team_name_unique', ['team_id', 'name'])
    .addCheckConstraint('__table___name_length', sql`char_length(name) between 1 and 100`)
    .addCheckConstraint('__table___description_length', sql`char_length(description) <= 2000`)
    .execute();
  // A team's list, newest or oldest first (and the team_id lookup of a team deletion's cascade).
  await db.schema
    .createIndex('__table___team_created_idx')
    .on('__table__')
    .columns(['team_id', 'created_at', 'id'])
    .execute();
  // A team's list by name, in reading order (the `name_sort` collation of the name-sort migration).
  await sql`create index __table___team_name_sort_idx on __table__ (team_id, name collate name_sort, id)`.execute(db);
  // The set-null of an account deletion finds its rows without reading the table.
  await db.schema.createIndex('__table___created_by_idx').on('__table__').column('created_by').execute();
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only');
}
