// SQL for the audit log.

import type { DB } from '@keel/db';
import { type Kysely, type RawBuilder, sql } from 'kysely';

export interface NewAuditEvent {
  actorId: string | null;
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  ip?: string | null;
  requestId?: string | null;
  metadata?: Record<string, unknown>;
}

export async function insertAuditEvent(db: Kysely<DB>, event: NewAuditEvent): Promise<void> {
  await db
    .insertInto('audit_events')
    .values({
      actor_id: event.actorId,
      action: event.action,
      target_type: event.targetType ?? null,
      target_id: event.targetId ?? null,
      ip: event.ip ?? null,
      request_id: event.requestId ?? null,
      metadata: JSON.stringify(event.metadata ?? {}),
    })
    .execute();
}

export interface AuditListFilter {
  limit: number;
  /** Only events with a smaller sequence number (older). */
  beforeSeq?: number | undefined;
  /** Events this user performed, or done to it (target type `user`). */
  userId?: string | undefined;
  targetId?: string | undefined;
  action?: string | undefined;
  /** Inclusive. */
  from?: Date | undefined;
  /** Exclusive. */
  to?: Date | undefined;
}

function filteredAuditEvents(db: Kysely<DB>, filter: AuditListFilter) {
  let query = db.selectFrom('audit_events').orderBy('audit_events.seq', 'desc').limit(filter.limit);
  if (filter.beforeSeq !== undefined) query = query.where('audit_events.seq', '<', String(filter.beforeSeq));
  const { userId } = filter;
  if (userId) {
    query = query.where((eb) =>
      eb.or([
        eb('audit_events.actor_id', '=', userId),
        eb.and([eb('audit_events.target_type', '=', 'user'), eb('audit_events.target_id', '=', userId)]),
      ]),
    );
  }
  if (filter.targetId) query = query.where('audit_events.target_id', '=', filter.targetId);
  if (filter.action) query = query.where('audit_events.action', '=', filter.action);
  if (filter.from) query = query.where('audit_events.at', '>=', filter.from);
  if (filter.to) query = query.where('audit_events.at', '<', filter.to);
  return query;
}

/**
 * A user id as a uuid when `id` is one, else null: target ids and metadata are free text, and one
 * malformed id must not fail a whole page of the log with a cast error. The CASE keeps the cast
 * from running on anything else, and comparing with `users.id` as a uuid lets the join use its key.
 */
function asUserId(id: RawBuilder<unknown>) {
  return sql<string | null>`case when ${id} ~* ${UUID_PATTERN} then (${id})::uuid end`;
}
const UUID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

/**
 * Newest first by sequence number, which is also the keyset the cursor pages on. Each event comes
 * with the people it names, as they are now (null once the user is gone), in the same statement:
 * the actor, the target when it is a user, and the user its metadata names (`toUserId`, the
 * recipient of a transfer; else `ownerId`, the owner of a deleted project).
 */
export function listAuditEvents(db: Kysely<DB>, filter: AuditListFilter) {
  return filteredAuditEvents(db, filter)
    .leftJoin('users as actor', 'actor.id', 'audit_events.actor_id')
    .leftJoin('users as target', (join) =>
      join.on(
        'target.id',
        '=',
        asUserId(sql`case when audit_events.target_type = 'user' then audit_events.target_id end`),
      ),
    )
    .leftJoin('users as related', (join) =>
      join.on(
        'related.id',
        '=',
        asUserId(sql`coalesce(audit_events.metadata->>'toUserId', audit_events.metadata->>'ownerId')`),
      ),
    )
    .select([
      'audit_events.id',
      'audit_events.seq',
      'audit_events.at',
      'audit_events.actor_id',
      'actor.email as actor_email',
      'actor.name as actor_name',
      'audit_events.action',
      'audit_events.target_type',
      'audit_events.target_id',
      'target.email as target_email',
      'target.name as target_name',
      'related.id as related_user_id',
      'related.email as related_user_email',
      'related.name as related_user_name',
      'audit_events.ip',
      'audit_events.request_id',
      'audit_events.metadata',
    ])
    .execute();
}

export type AuditEventListRow = Awaited<ReturnType<typeof listAuditEvents>>[number];

/** Deletes the events recorded before `before`; returns how many. */
export async function deleteAuditEventsBefore(db: Kysely<DB>, before: Date): Promise<number> {
  const result = await db.deleteFrom('audit_events').where('at', '<', before).executeTakeFirst();
  return Number(result.numDeletedRows);
}
