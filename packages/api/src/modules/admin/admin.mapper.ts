// Row → API shape for audit events: explicit fields only.
import type { AuditEventListRow } from '../audit/audit.service.js';
import type { AuditEvent } from './admin.schema.js';

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
