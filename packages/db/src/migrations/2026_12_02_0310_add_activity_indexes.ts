// The daily series of the dashboards: sign-ins and failed sign-ins per day (admin.activity) are
// audit events of one action within a time range; a balance's history (credits.balanceHistory) is
// the user's ledger changes within one.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // (action, seq) serves the audit log's newest-first pages; a day-by-day count of one action over
  // the last weeks ranges over `at`, which that index cannot bound, so it would read the action's
  // whole history.
  await db.schema.createIndex('audit_events_action_at_idx').on('audit_events').columns(['action', 'at']).execute();
  // (user_id, seq) pages the ledger newest first; a balance history needs one user's rows after a moment.
  await db.schema
    .createIndex('ledger_entries_user_created_idx')
    .on('ledger_entries')
    .columns(['user_id', 'created_at'])
    .execute();
}

export async function down(): Promise<void> {
  throw new Error('Migrations are forward-only');
}
