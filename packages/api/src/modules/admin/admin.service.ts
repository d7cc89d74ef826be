// Admin rules (SPEC §5.4, §6): the user directory, role and activation changes that keep at least
// one active admin and take effect on the user's next request, the audit log and dashboard counts.
import type { DB, Role, UserRow } from '@keel/db';
import type { Transaction } from 'kysely';
import { conflict, notFound } from '../../common/errors.js';
import { decodeCursor, toCursorPage, toPage } from '../../common/pagination.js';
import type { AuthedContext } from '../../trpc.js';
import { listAuditEvents } from '../audit/audit.repository.js';
import { audit } from '../audit/audit.service.js';
import { revokeSessions } from '../auth/auth.repository.js';
import type { User } from '../auth/auth.schema.js';
import { broadcastRevocation } from '../auth/auth.service.js';
import { toUser } from '../users/users.mapper.js';
import { updateUser } from '../users/users.repository.js';
import { toAuditEvent } from './admin.mapper.js';
import * as repo from './admin.repository.js';
import type {
  AdminStats,
  AdminUserSort,
  AuditListInput,
  AuditPage,
  ListUsersInput,
  SetActiveInput,
  SetRoleInput,
  UserPage,
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
  const [rows, total] = await Promise.all([
    repo.listUsers(ctx.db, {
      ...filter,
      ...SORT_KEYS[input.sort],
      offset: (input.page - 1) * input.limit,
      limit: input.limit,
    }),
    repo.countUsers(ctx.db, filter),
  ]);
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
    const updated = await updateUser(trx, userId, { role: input.role });
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
    // from the next request on, on every instance.
    try {
      await ctx.sessionState.setUserRole(userId, input.role);
    } catch (error) {
      ctx.log.error({ err: error, userId }, 'could not publish the role change');
    }
  }
  return toUser(user);
}

export async function setActive(ctx: AuthedContext, input: SetActiveInput): Promise<User> {
  const userId = input.userId.toLowerCase();
  const { user, revoked } = await ctx.db.transaction().execute(async (trx) => {
    const { locked, target } = await lockTarget(trx, userId);
    if (target.active === input.active) return { user: target, revoked: [] as string[] };
    if (removesLastActiveAdmin(locked, target, { role: target.role, active: input.active })) {
      throw conflict('Cannot deactivate the last active admin');
    }
    const updated = await updateUser(trx, userId, { active: input.active });
    if (!updated) throw notFound('User');
    const ids = input.active ? [] : await revokeSessions(trx, { userId }, 'deactivated');
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
  return toUser(user);
}

export async function listAudit(ctx: AuthedContext, input: AuditListInput): Promise<AuditPage> {
  const beforeSeq = decodeCursor(input.cursor);
  const rows = await listAuditEvents(ctx.db, {
    limit: input.limit + 1,
    beforeSeq,
    actorId: input.userId?.toLowerCase(),
    action: input.action,
  });
  return toCursorPage(rows, input.limit, (row) => String(row.seq), toAuditEvent);
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
