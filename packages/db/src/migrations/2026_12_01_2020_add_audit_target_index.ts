// The audit log by target: admin.audit.list's `userId` (actor or target) and `targetId` filters.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // With (actor_id, seq) beside it, "what a user did or had done to them" is two index scans
  // combined, newest first, instead of a walk of the whole log.
  await db.schema.createIndex('audit_events_target_seq_idx').on('audit_events').columns(['target_id', 'seq']).execute();
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only');
}
