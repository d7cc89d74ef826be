// SQL for the admin overview's activity: one grouped count per daily series, each bounded by an
// index on its time column, and the latest notable audit events with their actors.

import type { DB } from '@keel/db';
import { type Kysely, type RawBuilder, sql } from 'kysely';

/** The UTC calendar day of a timestamp column, as text (a `date` would come back as a local-midnight Date). */
function utcDay(column: string): RawBuilder<string> {
  return sql<string>`to_char(${sql.ref(column)} at time zone 'UTC', 'YYYY-MM-DD')`;
}

export interface DayCount {
  day: string;
  count: number;
}

/** Accounts created per UTC day since `since`; days without any are absent. Served by users_created_at_idx. */
export async function countSignUpsByDay(db: Kysely<DB>, since: Date): Promise<DayCount[]> {
  const day = utcDay('users.created_at');
  const rows = await db
    .selectFrom('users')
    .select((eb) => [day.as('day'), eb.fn.countAll<string>().as('count')])
    .where('users.created_at', '>=', since)
    .groupBy(day)
    .execute();
  return rows.map((row) => ({ day: row.day, count: Number(row.count) }));
}

/** Audit events of `action` per UTC day since `since`; days without any are absent. Served by audit_events_action_at_idx. */
export async function countAuditActionByDay(db: Kysely<DB>, action: string, since: Date): Promise<DayCount[]> {
  const day = utcDay('audit_events.at');
  const rows = await db
    .selectFrom('audit_events')
    .select((eb) => [day.as('day'), eb.fn.countAll<string>().as('count')])
    .where('audit_events.action', '=', action)
    .where('audit_events.at', '>=', since)
    .groupBy(day)
    .execute();
  return rows.map((row) => ({ day: row.day, count: Number(row.count) }));
}

export interface DayTransfers {
  day: string;
  count: number;
  volume: number;
}

/** Transfers and the credits they moved per UTC day since `since`; days without any are absent. Served by transfers_created_idx. */
export async function sumTransfersByDay(db: Kysely<DB>, since: Date): Promise<DayTransfers[]> {
  const day = utcDay('transfers.created_at');
  const rows = await db
    .selectFrom('transfers')
    .select((eb) => [
      day.as('day'),
      eb.fn.countAll<string>().as('count'),
      eb.fn.sum<string>('transfers.amount').as('volume'),
    ])
    .where('transfers.created_at', '>=', since)
    .groupBy(day)
    .execute();
  return rows.map((row) => ({ day: row.day, count: Number(row.count), volume: Number(row.volume) }));
}

/**
 * The latest `limit` events of `actions` since `since`, newest first, each with its actor's current
 * name and email in the same statement (null when there is no actor or the account is gone). The
 * events are picked before the join, so only those few rows look their actor up.
 */
export function listRecentEvents(db: Kysely<DB>, filter: { actions: readonly string[]; since: Date; limit: number }) {
  const latest = db
    .selectFrom('audit_events')
    .select(['id', 'seq', 'at', 'action', 'actor_id', 'target_type', 'target_id'])
    .where('action', 'in', filter.actions)
    .where('at', '>=', filter.since)
    // By time, as the list shows them; the sequence orders events of one transaction's instant.
    .orderBy('at', 'desc')
    .orderBy('seq', 'desc')
    .limit(filter.limit);
  return db
    .selectFrom(latest.as('recent'))
    .leftJoin('users', 'users.id', 'recent.actor_id')
    .select([
      'recent.id',
      'recent.at',
      'recent.action',
      'recent.actor_id',
      'users.name as actor_name',
      'users.email as actor_email',
      'recent.target_type',
      'recent.target_id',
    ])
    .orderBy('recent.at', 'desc')
    .orderBy('recent.seq', 'desc')
    .execute();
}

export type RecentEventRow = Awaited<ReturnType<typeof listRecentEvents>>[number];
