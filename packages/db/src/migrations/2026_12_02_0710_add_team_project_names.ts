// Project names are unique where people see them side by side: among one owner's personal
// projects, and among one team's projects. Before teams, every project was personal and the
// constraint was per owner.
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('projects').dropConstraint('projects_owner_name_unique').execute();
  await sql`create unique index projects_personal_name_unique on projects (owner_id, name) where team_id is null`.execute(
    db,
  );
  await sql`create unique index projects_team_name_unique on projects (team_id, name) where team_id is not null`.execute(
    db,
  );
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only');
}
