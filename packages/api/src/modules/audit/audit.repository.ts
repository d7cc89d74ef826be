// SQL for the audit log.

import type { DB } from '@keel/db';
import type { Kysely } from 'kysely';

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

/** Newest first by sequence number, which is also the keyset the cursor pages on. */
export function listAuditEvents(db: Kysely<DB>, filter: AuditListFilter) {
  return filteredAuditEvents(db, filter)
    .select(['id', 'seq', 'at', 'actor_id', 'action', 'target_type', 'target_id', 'ip', 'request_id', 'metadata'])
    .execute();
}

/** Like `listAuditEvents`, with the actor's current email and name (null once the user is gone). */
export function listAuditEventsWithActors(db: Kysely<DB>, filter: AuditListFilter) {
  return filteredAuditEvents(db, filter)
    .leftJoin('users', 'users.id', 'audit_events.actor_id')
    .select([
      'audit_events.id',
      'audit_events.seq',
      'audit_events.at',
      'audit_events.actor_id',
      'users.email as actor_email',
      'users.name as actor_name',
      'audit_events.action',
      'audit_events.target_type',
      'audit_events.target_id',
      'audit_events.ip',
      'audit_events.request_id',
      'audit_events.metadata',
    ])
    .execute();
}

export type AuditEventListRow = Awaited<ReturnType<typeof listAuditEvents>>[number];
export type AuditExportRow = Awaited<ReturnType<typeof listAuditEventsWithActors>>[number];
