// Row → API shape for audit events and a user's sessions: explicit fields only.
import type { AuditEventListRow } from '../audit/audit.service.js';
import type { ActiveSessionRow } from '../auth/auth.service.js';
import type { AdminUserSession, AuditEvent, AuditPerson } from './admin.schema.js';

/** A joined user, or null when the join found none (no id named, or the user is gone). */
function person(id: string | null, name: string | null, email: string | null): AuditPerson | null {
  return id !== null && name !== null && email !== null ? { id, name, email } : null;
}

export function toAuditEvent(row: AuditEventListRow): AuditEvent {
  return {
    id: row.id,
    at: row.at.toISOString(),
    actorId: row.actor_id,
    actor: person(row.actor_id, row.actor_name, row.actor_email),
    action: row.action,
    targetType: row.target_type,
    targetId: row.target_id,
    target:
      row.target_name !== null && row.target_email !== null ? { name: row.target_name, email: row.target_email } : null,
    relatedUser: person(row.related_user_id, row.related_user_name, row.related_user_email),
    ip: row.ip,
    requestId: row.request_id,
    metadata: row.metadata,
  };
}

export function toAdminUserSession(row: ActiveSessionRow): AdminUserSession {
  return {
    id: row.id,
    createdAt: row.created_at.toISOString(),
    lastUsedAt: row.last_used_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    userAgent: row.user_agent,
    ip: row.ip,
  };
}
