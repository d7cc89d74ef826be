// admin.activity (ADMIN only): what the overview charts, every day of the range present with
// zeros where nothing happened, and the latest events an admin should notice.
import { lastUtcDays } from '../../common/utc-days.js';
import type { AuthedContext } from '../../trpc.js';
import * as repo from './admin.activity.repository.js';
import type { ActivityDay, ActivityEvent, ActivityInput, AdminActivity } from './admin.activity.schema.js';

/**
 * The events the recent list shows: accounts, refused sign-ins, admin actions and credit
 * movements. Sign-ins, sign-outs and refreshes are left out; they would bury the rest.
 */
export const NOTABLE_ACTIONS = [
  'auth.register',
  'auth.login_failed',
  'auth.password_changed',
  'auth.password_reset',
  'auth.email_changed',
  'auth.refresh_reuse_detected',
  'admin.role_changed',
  'admin.user_activated',
  'admin.user_deactivated',
  'admin.sessions_revoked',
  'admin.audit_exported',
  'credits.grant',
  'credits.transfer',
  'project.deleted',
] as const;

const RECENT_EVENTS = 10;

function countsByDay(rows: readonly repo.DayCount[]): Map<string, number> {
  return new Map(rows.map((row) => [row.day, row.count]));
}

function toActivityEvent(row: repo.RecentEventRow): ActivityEvent {
  return {
    id: row.id,
    at: row.at.toISOString(),
    action: row.action,
    actor:
      row.actor_id !== null && row.actor_name !== null && row.actor_email !== null
        ? { id: row.actor_id, name: row.actor_name, email: row.actor_email }
        : null,
    targetType: row.target_type,
    targetId: row.target_id,
  };
}

export async function activity(ctx: AuthedContext, input: ActivityInput): Promise<AdminActivity> {
  const { days, since } = lastUtcDays(input.days);
  // One statement per series, side by side: each is a range scan of its own index.
  const [signUps, signIns, failedSignIns, transfers, recent] = await Promise.all([
    repo.countSignUpsByDay(ctx.db, since).then(countsByDay),
    repo.countAuditActionByDay(ctx.db, 'auth.login', since).then(countsByDay),
    repo.countAuditActionByDay(ctx.db, 'auth.login_failed', since).then(countsByDay),
    repo.sumTransfersByDay(ctx.db, since),
    repo.listRecentEvents(ctx.db, { actions: NOTABLE_ACTIONS, since, limit: RECENT_EVENTS }),
  ]);
  const transfersByDay = new Map(transfers.map((row) => [row.day, row]));
  const series: ActivityDay[] = days.map((day) => ({
    day,
    signUps: signUps.get(day) ?? 0,
    signIns: signIns.get(day) ?? 0,
    failedSignIns: failedSignIns.get(day) ?? 0,
    transfers: transfersByDay.get(day)?.count ?? 0,
    creditVolume: transfersByDay.get(day)?.volume ?? 0,
  }));
  const total = (key: Exclude<keyof ActivityDay, 'day'>) => series.reduce((sum, day) => sum + day[key], 0);
  const totals = {
    signUps: total('signUps'),
    signIns: total('signIns'),
    failedSignIns: total('failedSignIns'),
    transfers: total('transfers'),
    creditVolume: total('creditVolume'),
  };
  return { series, totals, recent: recent.map(toActivityEvent) };
}
