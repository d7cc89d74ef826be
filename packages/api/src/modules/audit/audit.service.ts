// Writing audit events with the request's actor, IP and request id, and reading the log back (the
// admin console lists and exports it).

import type { DB } from '@keel/db';
import type { Kysely } from 'kysely';
import { deleteAuditEventsBefore, insertAuditEvent, type NewAuditEvent } from './audit.repository.js';

export interface AuditSource {
  ip: string;
  requestId: string;
}

/** Records an audit event in the transaction `db` belongs to, so it commits with the change it records. */
export function audit(
  db: Kysely<DB>,
  source: AuditSource,
  event: Omit<NewAuditEvent, 'ip' | 'requestId'>,
): Promise<void> {
  return insertAuditEvent(db, { ...event, ip: source.ip, requestId: source.requestId });
}

/** Reading the log: newest first by sequence number, the keyset its cursor pages on, with names. */
export { type AuditEventListRow, type AuditListFilter, listAuditEvents } from './audit.repository.js';

/** The retention rule (AUDIT_RETENTION_DAYS): events older than `days` days are deleted. */
export function deleteAuditEventsOlderThan(db: Kysely<DB>, days: number): Promise<number> {
  return deleteAuditEventsBefore(db, new Date(Date.now() - days * 24 * 60 * 60 * 1000));
}
