// SQL for the audit log.

import type { DB } from '@keel/db';
import type { Kysely, Transaction } from 'kysely';

type Db = Kysely<DB> | Transaction<DB>;

export interface NewAuditEvent {
  actorId: string | null;
  action: string;
  targetType?: string | null;
  targetId?: string | null;
  ip?: string | null;
  requestId?: string | null;
  metadata?: Record<string, unknown>;
}

export async function insertAuditEvent(db: Db, event: NewAuditEvent): Promise<void> {
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
  actorId?: string | undefined;
  action?: string | undefined;
}

export function listAuditEvents(db: Db, filter: AuditListFilter) {
  let query = db
    .selectFrom('audit_events')
    .select(['id', 'seq', 'at', 'actor_id', 'action', 'target_type', 'target_id', 'ip', 'request_id', 'metadata'])
    .orderBy('seq', 'desc')
    .limit(filter.limit);
  if (filter.beforeSeq !== undefined) query = query.where('seq', '<', String(filter.beforeSeq) as never);
  if (filter.actorId) query = query.where('actor_id', '=', filter.actorId);
  if (filter.action) query = query.where('action', '=', filter.action);
  return query.execute();
}
