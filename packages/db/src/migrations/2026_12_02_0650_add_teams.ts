// Teams: people working together. A member's team role is independent of the global role; a team
// always keeps an OWNER, which the service checks under the team row's lock. A project may belong
// to a team.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('teams')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('name', 'text', (c) => c.notNull())
    // The team outlives the account that created it.
    .addColumn('created_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addCheckConstraint('teams_name_length_check', sql`char_length(name) between 1 and 100`)
    .execute();

  await db.schema
    .createTable('team_members')
    .addColumn('team_id', 'uuid', (c) => c.notNull().references('teams.id').onDelete('cascade'))
    .addColumn('user_id', 'uuid', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('joined_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('team_members_pkey', ['team_id', 'user_id'])
    .addCheckConstraint('team_members_role_check', sql`role in ('OWNER', 'ADMIN', 'MEMBER', 'VIEWER')`)
    .execute();
  // teams.list: the caller's memberships.
  await db.schema.createIndex('team_members_user_idx').on('team_members').column('user_id').execute();

  // Team invitations: the mailed link (kept only as SHA-256, issued by the mail job) lets the
  // person with that address join, signed in as it or by creating the account, for 7 days.
  await db.schema
    .createTable('team_invitations')
    .addColumn('id', 'uuid', (c) => c.primaryKey().defaultTo(sql`gen_random_uuid()`))
    .addColumn('team_id', 'uuid', (c) => c.notNull().references('teams.id').onDelete('cascade'))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('invited_by', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('token_hash', 'text', (c) => c.unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('accepted_at', 'timestamptz')
    .addColumn('accepted_user_id', 'uuid', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('revoked_at', 'timestamptz')
    .addCheckConstraint('team_invitations_role_check', sql`role in ('OWNER', 'ADMIN', 'MEMBER', 'VIEWER')`)
    .addCheckConstraint('team_invitations_email_normalized_check', sql`email = lower(btrim(email))`)
    .execute();
  // One open invitation per team and address.
  await sql`
    create unique index team_invitations_open_email_idx on team_invitations (team_id, email)
    where accepted_at is null and revoked_at is null
  `.execute(db);
  // A team's list: newest first, keyset on (created_at, id).
  await sql`create index team_invitations_team_created_idx on team_invitations (team_id, created_at desc, id desc)`.execute(
    db,
  );

  // A project belongs to its owner alone (null) or to a team. No cascade: a team is deleted only
  // once it has no projects, and the foreign key refuses a project added to one being deleted.
  await db.schema
    .alterTable('projects')
    .addColumn('team_id', 'uuid', (c) => c.references('teams.id').onDelete('restrict'))
    .execute();
  // A team's projects in the list's two orders; personal projects keep their owner indexes.
  await sql`create index projects_team_created_idx on projects (team_id, created_at, id) where team_id is not null`.execute(
    db,
  );
  await sql`
    create index projects_team_name_sort_idx on projects (team_id, name collate name_sort, id)
    where team_id is not null
  `.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only');
}
