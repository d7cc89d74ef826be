// Projects, credit transfers and the per-user credit ledger.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('projects')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('owner_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('projects_owner_name_unique', ['owner_id', 'name'])
    .addCheckConstraint('projects_name_length', sql`char_length(name) between 1 and 100`)
    .addCheckConstraint('projects_description_length', sql`char_length(description) <= 2000`)
    .execute();
  await db.schema
    .createIndex('projects_owner_created_idx')
    .on('projects')
    .columns(['owner_id', 'created_at', 'id'])
    .execute();
  await db.schema.createIndex('projects_created_idx').on('projects').columns(['created_at', 'id']).execute();
  await db.schema.createIndex('projects_name_idx').on('projects').columns(['name', 'id']).execute();

  await db.schema
    .createTable('transfers')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('from_user_id', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('to_user_id', 'uuid', (c) => c.notNull().references('users.id'))
    .addColumn('amount', 'integer', (c) => c.notNull())
    .addColumn('note', 'text')
    .addColumn('idempotency_key', 'text')
    .addColumn('payload_hash', 'text')
    .addColumn('from_balance_after', 'integer', (c) => c.notNull())
    .addColumn('to_balance_after', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('transfers_sender_idempotency_unique', ['from_user_id', 'idempotency_key'])
    .addCheckConstraint('transfers_amount_range', sql`amount between 1 and 1000000`)
    .addCheckConstraint('transfers_not_to_self', sql`from_user_id <> to_user_id`)
    .execute();
  await db.schema.createIndex('transfers_to_user_idx').on('transfers').column('to_user_id').execute();
  await db.schema.createIndex('transfers_created_idx').on('transfers').column('created_at').execute();

  await db.schema
    .createTable('ledger_entries')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('seq', 'bigint', (c) => c.notNull().generatedAlwaysAsIdentity().unique())
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('transfer_id', 'uuid', (c) => c.references('transfers.id'))
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('amount', 'integer', (c) => c.notNull())
    .addColumn('counterparty_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('note', 'text')
    .addColumn('balance_after', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('ledger_direction_check', sql`direction in ('in', 'out', 'grant')`)
    .addCheckConstraint('ledger_amount_positive', sql`amount > 0`)
    .addCheckConstraint('ledger_balance_non_negative', sql`balance_after >= 0`)
    .execute();
  await db.schema.createIndex('ledger_entries_user_seq_idx').on('ledger_entries').columns(['user_id', 'seq']).execute();
  await db.schema.createIndex('ledger_entries_transfer_idx').on('ledger_entries').column('transfer_id').execute();
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only');
}
