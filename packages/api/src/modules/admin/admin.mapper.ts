// Row → API shape for audit events: explicit fields only.
import type { listAuditEvents } from '../audit/audit.repository.js';
import type { AuditEvent } from './admin.schema.js';

export type AuditEventListRow = Awaited<ReturnType<typeof listAuditEvents>>[number];

export function toAuditEvent(row: AuditEventListRow): AuditEvent {
  return {
    id: row.id,
    at: row.at.toISOString(),
    actorId: row.actor_id,
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    ip: row.ip,
    requestId: row.request_id,
    metadata: row.metadata,
  };
}
