// The __table__ table of the __items__ feature module (written by `pnpm gen:module`; frozen once landed).
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('__table__')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('owner_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('__table___owner_name_unique', ['owner_id', 'name'])
    .addCheckConstraint('__table___name_length', sql`char_length(name) between 1 and 100`)
    .addCheckConstraint('__table___description_length', sql`char_length(description) <= 2000`)
    .execute();
  // An owner's list, newest or oldest first (and the owner_id lookup of a user deletion's cascade).
  await db.schema
    .createIndex('__table___owner_created_idx')
    .on('__table__')
    .columns(['owner_id', 'created_at', 'id'])
    .execute();
  // An owner's list by name, in reading order (the `name_sort` collation of the name-sort migration).
  await sql`create index __table___owner_name_sort_idx on __table__ (owner_id, name collate name_sort, id)`.execute(db);
  // An admin's list of everyone's rows (scope `all`), by date or by name.
  await db.schema.createIndex('__table___created_idx').on('__table__').columns(['created_at', 'id']).execute();
  await sql`create index __table___name_sort_idx on __table__ (name collate name_sort, id)`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only');
}
