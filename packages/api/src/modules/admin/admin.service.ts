// Admin rules (ADMIN only): the user directory, role and activation changes that keep at least
// one active admin and take effect on the user's next request, the audit log and dashboard counts.
import type { DB, Role, UserRow } from '@keel/db';
import type { Transaction } from 'kysely';
import { conflict, notFound } from '../../common/errors.js';
import { decodeCursor, toCursorPage, toPage } from '../../common/pagination.js';
import { withSearchSlot } from '../../common/search-limit.js';
import type { AuthedContext } from '../../trpc.js';
import { audit, listAuditEvents } from '../audit/audit.service.js';
import { broadcastRevocation, listUserSessions, revokeUserSessions } from '../auth/auth.service.js';
import { isMfaEnabled } from '../mfa/mfa.service.js';
import type { User } from '../users/users.schema.js';
import { findUserById, lockUser, setUserActive, setUserRole, toUser } from '../users/users.service.js';
import { auditCsvHeader, auditCsvLine, auditCsvTruncatedLine } from './admin.csv.js';
import { toAdminUserSession, toAuditEvent } from './admin.mapper.js';
import * as repo from './admin.repository.js';
import {
  ADMIN_USER_RECENT_AUDIT_LIMIT,
  type AdminStats,
  type AdminUserDetail,
  type AdminUserIdInput,
  type AdminUserSort,
  type AuditExportInput,
  type AuditListInput,
  type AuditPage,
  type ListUsersInput,
  type RevokedUserSessions,
  type SetActiveInput,
  type SetRoleInput,
  type UserPage,
} from './admin.schema.js';

const SORT_KEYS: Record<AdminUserSort, { sortKey: repo.UserSortKey; descending: boolean }> = {
  createdAt: { sortKey: 'created_at', descending: false },
  '-createdAt': { sortKey: 'created_at', descending: true },
  name: { sortKey: 'name', descending: false },
  '-name': { sortKey: 'name', descending: true },
  email: { sortKey: 'email', descending: false },
  '-email': { sortKey: 'email', descending: true },
};

export async function listUsers(ctx: AuthedContext, input: ListUsersInput): Promise<UserPage> {
  const filter = { search: input.search || undefined, role: input.role, active: input.active };
  const list = () =>
    Promise.all([
      repo.listUsers(ctx.db, {
        ...filter,
        ...SORT_KEYS[input.sort],
        offset: (input.page - 1) * input.limit,
        limit: input.limit,
      }),
      repo.countUsers(ctx.db, filter),
    ]);
  // A search takes one of the caller's search slots; a plain listing does not.
  const [rows, total] = filter.search ? await withSearchSlot(ctx, list) : await list();
  return toPage(rows.map(toUser), total, input.page, input.limit);
}

/** Whether the change leaves no active admin: `locked` holds the target and every active admin. */
function removesLastActiveAdmin(locked: UserRow[], target: UserRow, next: { role: Role; active: boolean }): boolean {
  const wasActiveAdmin = target.role === 'ADMIN' && target.active;
  const staysActiveAdmin = next.role === 'ADMIN' && next.active;
  if (!wasActiveAdmin || staysActiveAdmin) return false;
  return !locked.some((row) => row.id !== target.id && row.role === 'ADMIN' && row.active);
}

/** Locks the target and all active admins, or 404. */
async function lockTarget(trx: Transaction<DB>, userId: string) {
  const locked = await repo.lockUserAndActiveAdmins(trx, userId);
  const target = locked.find((row) => row.id === userId);
  if (!target) throw notFound('User');
  return { locked, target };
}

export async function setRole(ctx: AuthedContext, input: SetRoleInput): Promise<User> {
  const userId = input.userId.toLowerCase();
  const { user, changed } = await ctx.db.transaction().execute(async (trx) => {
    const { locked, target } = await lockTarget(trx, userId);
    if (target.role === input.role) return { user: target, changed: false };
    if (removesLastActiveAdmin(locked, target, { role: input.role, active: target.active })) {
      throw conflict('Cannot demote the last active admin');
    }
    const updated = await setUserRole(trx, userId, input.role);
    if (!updated) throw notFound('User');
    await audit(trx, ctx, {
      actorId: ctx.user.id,
      action: 'admin.role_changed',
      targetType: 'user',
      targetId: userId,
      metadata: { from: target.role, to: input.role },
    });
    return { user: updated, changed: true };
  });
  if (changed) {
    // Access tokens carry the old role until they expire; the session-state store overrides it
    // from the next request on, on every instance (a write Redis refuses is kept and retried).
    await ctx.sessionState.setUserRole(userId, input.role);
    // API keys carry the role read with them: this instance reads it again at their next use.
    ctx.apiKeys.forgetUser(userId);
    // Their open dashboards redraw for the new role instead of offering what it no longer may do.
    await ctx.events.publish({ type: 'user.role_changed', userId, data: { role: input.role } });
  }
  return toUser(user);
}

export async function setActive(ctx: AuthedContext, input: SetActiveInput): Promise<User> {
  const userId = input.userId.toLowerCase();
  const { user, revoked } = await ctx.db.transaction().execute(async (trx) => {
    // The user row's lock, which sign-ins take too: one that saw the account active either finished
    // before (its session is revoked below) or sees it inactive and opens none.
    const { locked, target } = await lockTarget(trx, userId);
    const changed = target.active !== input.active;
    if (removesLastActiveAdmin(locked, target, { role: target.role, active: input.active })) {
      throw conflict('Cannot deactivate the last active admin');
    }
    const updated = changed ? await setUserActive(trx, userId, input.active) : target;
    if (!updated) throw notFound('User');
    // Deactivating an inactive account still ends whatever session it has left.
    const ids = input.active ? [] : await revokeUserSessions(trx, userId, 'deactivated');
    if (!changed && ids.length === 0) return { user: updated, revoked: ids };
    await audit(trx, ctx, {
      actorId: ctx.user.id,
      action: input.active ? 'admin.user_activated' : 'admin.user_deactivated',
      targetType: 'user',
      targetId: userId,
      metadata: input.active ? {} : { revokedSessions: ids.length },
    });
    return { user: updated, revoked: ids };
  });
  await broadcastRevocation(ctx, revoked, user.id);
  // A deactivated owner's API keys stop at their next use here (a second at most elsewhere).
  if (!input.active) ctx.apiKeys.forgetUser(user.id);
  return toUser(user);
}

/**
 * One user for the admin detail page: the profile and balance (one row), the live sessions, and the
 * last audit events about them with the people they name: three statements, whatever the history.
 */
export async function getUser(ctx: AuthedContext, input: AdminUserIdInput): Promise<AdminUserDetail> {
  const userId = input.userId.toLowerCase();
  const [row, sessions, events, twoStepEnabled] = await Promise.all([
    findUserById(ctx.db, userId),
    listUserSessions(ctx.db, userId),
    listAuditEvents(ctx.db, { userId, limit: ADMIN_USER_RECENT_AUDIT_LIMIT }),
    isMfaEnabled(ctx.db, userId),
  ]);
  if (!row) throw notFound('User');
  return {
    user: toUser(row),
    // The balance is a column of the user's row: read with the profile, in the same snapshot.
    balance: row.balance,
    twoStepEnabled,
    sessions: sessions.map(toAdminUserSession),
    recentAudit: events.map(toAuditEvent),
  };
}

/**
 * Ends every live session of the user now: their access tokens fail from the next request on, on
 * every instance, and their live streams close. The account stays active: they may sign in again.
 */
export async function revokeSessions(ctx: AuthedContext, input: AdminUserIdInput): Promise<RevokedUserSessions> {
  const userId = input.userId.toLowerCase();
  const revoked = await ctx.db.transaction().execute(async (trx) => {
    // The user row's lock, which sign-ins take too: a racing sign-in either committed before (its
    // session is revoked below) or opens its session after this, as a sign-in after the revocation.
    if (!(await lockUser(trx, userId))) throw notFound('User');
    const ids = await revokeUserSessions(trx, userId, 'revoked_by_admin');
    // Nothing ended, nothing to record (as for a user revoking a session already gone).
    if (ids.length > 0) {
      await audit(trx, ctx, {
        actorId: ctx.user.id,
        action: 'admin.sessions_revoked',
        targetType: 'user',
        targetId: userId,
        metadata: { revokedSessions: ids.length },
      });
    }
    return ids;
  });
  await broadcastRevocation(ctx, revoked, userId);
  return { revoked: revoked.length };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The audit filters as the repository takes them: ids in the database's case, moments as dates. */
function auditFilter(input: AuditExportInput) {
  const { targetId } = input;
  return {
    userId: input.userId?.toLowerCase(),
    // Targets are stored as text; the uuid ones in PostgreSQL's lower case, as an admin may not paste them.
    targetId: targetId !== undefined && UUID.test(targetId) ? targetId.toLowerCase() : targetId,
    action: input.action,
    from: input.from === undefined ? undefined : new Date(input.from),
    to: input.to === undefined ? undefined : new Date(input.to),
  };
}

export async function listAudit(ctx: AuthedContext, input: AuditListInput): Promise<AuditPage> {
  const beforeSeq = decodeCursor(input.cursor);
  const rows = await listAuditEvents(ctx.db, { ...auditFilter(input), limit: input.limit + 1, beforeSeq });
  return toCursorPage(rows, input.limit, (row) => String(row.seq), toAuditEvent);
}

/** Rows one statement of an export reads: a page small enough to hold, large enough to be cheap. */
const EXPORT_BATCH_ROWS = 500;

export interface AuditExportOptions {
  /** Most rows written; `AUDIT_EXPORT_MAX_ROWS` unless given. */
  maxRows?: number;
  /** Rows read per statement. */
  batchSize?: number;
}

export interface AuditExport {
  filename: string;
  maxRows: number;
  /**
   * The CSV, newest event first: the header line, then one chunk per batch read only when the
   * consumer asks for it (so a slow download holds one batch, not the log), and when more events
   * matched than `maxRows`, a last `# truncated` line.
   */
  chunks: AsyncGenerator<string, void, undefined>;
}

/**
 * The filtered audit log as CSV, bounded by `maxRows`. The first batch is read before this
 * resolves, so a failing database is still an error answer rather than a cut-off download; the
 * export itself is recorded (`admin.audit_exported`, with its filters) after that read, so it is
 * never part of its own file.
 */
export async function exportAudit(
  ctx: AuthedContext,
  input: AuditExportInput,
  options: AuditExportOptions = {},
): Promise<AuditExport> {
  const maxRows = options.maxRows ?? ctx.config.auditExportMaxRows;
  const batchSize = options.batchSize ?? EXPORT_BATCH_ROWS;
  const filter = auditFilter(input);
  // At most one more than may still be written: a row beyond the bound is how truncation is known.
  const batchLimit = (written: number) => Math.min(batchSize, maxRows - written + 1);
  const read = (written: number, beforeSeq: number | undefined) =>
    listAuditEvents(ctx.db, { ...filter, beforeSeq, limit: batchLimit(written) });
  const first = await read(0, undefined);
  const filters = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
  await audit(ctx.db, ctx, { actorId: ctx.user.id, action: 'admin.audit_exported', metadata: { filters, maxRows } });

  async function* chunks(): AsyncGenerator<string, void, undefined> {
    yield auditCsvHeader();
    let rows = first;
    let written = 0;
    for (;;) {
      const room = maxRows - written;
      const limit = batchLimit(written);
      const kept = rows.slice(0, room);
      if (kept.length > 0) yield kept.map(auditCsvLine).join('');
      written += kept.length;
      if (rows.length > room) {
        yield auditCsvTruncatedLine(maxRows);
        return;
      }
      const last = rows.at(-1);
      if (rows.length < limit || last === undefined) return;
      rows = await read(written, Number(last.seq));
    }
  }
  const stamp = new Date().toISOString().replace(/[-:]|\.\d+/g, '');
  return { filename: `keel-audit-${stamp}.csv`, maxRows, chunks: chunks() };
}

export async function stats(ctx: AuthedContext): Promise<AdminStats> {
  const counts = await repo.readStats(ctx.db);
  return {
    users: {
      total: counts.total,
      byRole: { ADMIN: counts.admins, USER: counts.users, GUEST: counts.guests },
      active: counts.active,
    },
    projects: counts.projects,
    transfersLast24h: counts.transfersLast24h,
  };
}
