// The database's view of sessions for the session-state store (common/session-state.ts): the record
// it answers from when Redis cannot, and catches Redis up from after an outage.
import type { DB } from '@keel/db';
import type { Kysely } from 'kysely';
import type { SessionRecord } from '../../common/session-state.js';
import { findSessionState, listRolesChangedSince, listSessionIdsRevokedSince } from './auth.repository.js';

export function createSessionRecord(db: Kysely<DB>): SessionRecord {
  return {
    async findSession(sessionId) {
      const state = await findSessionState(db, sessionId);
      // A deactivated account's sessions are as good as revoked.
      return state && { revoked: state.revokedAt !== null || !state.active, role: state.role };
    },
    sessionsRevokedSince: (since) => listSessionIdsRevokedSince(db, since),
    rolesChangedSince: (since) => listRolesChangedSince(db, since),
  };
}
