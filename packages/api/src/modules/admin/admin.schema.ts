// zod inputs and outputs of the admin procedures, shared with the web app's forms.
import { z } from 'zod';
import { Session } from '../auth/auth.schema.js';
import { CursorInput, cursorPage, PageInput, paginated, SearchText, text } from '../common.schema.js';
import { CreditAmount } from '../credits/credits.schema.js';
import { RoleSchema, User } from '../users/users.schema.js';

export const AdminUserSort = z.enum(['createdAt', '-createdAt', 'name', '-name', 'email', '-email']);
export type AdminUserSort = z.infer<typeof AdminUserSort>;

export const ListUsersInput = PageInput.extend({
  sort: AdminUserSort.default('-createdAt'),
  /** Matched literally (`%` and `_` are not wildcards) against name and email, case-insensitively. */
  search: SearchText.optional(),
  role: RoleSchema.optional(),
  active: z.boolean().optional(),
}).prefault({});
export type ListUsersInput = z.output<typeof ListUsersInput>;

export const UserPage = paginated(User);
export type UserPage = z.infer<typeof UserPage>;

export const SetRoleInput = z.object({ userId: z.uuid({ error: 'Invalid user id' }), role: RoleSchema });
export type SetRoleInput = z.infer<typeof SetRoleInput>;

export const SetActiveInput = z.object({ userId: z.uuid({ error: 'Invalid user id' }), active: z.boolean() });
export type SetActiveInput = z.infer<typeof SetActiveInput>;

export const GrantInput = z.object({
  userId: z.uuid({ error: 'Invalid user id' }),
  amount: CreditAmount,
  reason: text({ error: 'Reason is required' })
    .trim()
    .min(1, 'Reason is required')
    .max(200, 'Reason must be at most 200 characters'),
});
export type GrantInput = z.infer<typeof GrantInput>;

const AuditTime = z.iso.datetime({ offset: true, error: 'Expected an ISO 8601 date-time, e.g. 2030-01-31T00:00:00Z' });

/** The filters of the audit log, shared by `admin.audit.list` and the CSV export. */
export const AuditFilter = z.object({
  /**
   * Events about this user: those it performed (the actor) and those done to it (target type
   * `user`). Events targeting one of its sessions, projects or transfers are found by `targetId`.
   */
  userId: z.uuid({ error: 'Invalid user id' }).optional(),
  /** Events whose target has this id, whatever its type. */
  targetId: text()
    .trim()
    .min(1, 'Target id must not be empty')
    .max(100, 'Target id must be at most 100 characters')
    .optional(),
  action: text().trim().min(1).max(100, 'Action must be at most 100 characters').optional(),
  /** Events at or after this moment. */
  from: AuditTime.optional(),
  /** Events strictly before this moment. */
  to: AuditTime.optional(),
});

function checkRange(input: { from?: string | undefined; to?: string | undefined }, ctx: z.RefinementCtx): void {
  if (input.from !== undefined && input.to !== undefined && Date.parse(input.from) >= Date.parse(input.to)) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'Must be later than from' });
  }
}

export const AuditListInput = CursorInput.extend(AuditFilter.shape).superRefine(checkRange).prefault({});
export type AuditListInput = z.output<typeof AuditListInput>;

/** The query of `GET /api/admin/audit.csv`: the list's filters, without paging. */
export const AuditExportInput = AuditFilter.superRefine(checkRange).prefault({});
export type AuditExportInput = z.output<typeof AuditExportInput>;

/** A person an audit event names, as the user is now. */
export const AuditPerson = z.object({ id: z.string(), name: z.string(), email: z.string() });
export type AuditPerson = z.infer<typeof AuditPerson>;

export const AuditEvent = z.object({
  id: z.string(),
  at: z.string(),
  actorId: z.string().nullable(),
  /** Null when nobody acted (a failed sign-in with an unknown email) or the user no longer exists. */
  actor: AuditPerson.nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  /** The target user's name and email when the target type is `user` and the user still exists. */
  target: AuditPerson.omit({ id: true }).nullable(),
  /**
   * The user the metadata names, when it still exists: `toUserId` (the recipient of a
   * `credits.transfer`), else `ownerId` (the owner of a deleted project).
   */
  relatedUser: AuditPerson.nullable(),
  ip: z.string().nullable(),
  requestId: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

export const AuditPage = cursorPage(AuditEvent);
export type AuditPage = z.infer<typeof AuditPage>;

/** The input of the procedures about one user (`admin.users.get`, `admin.users.revokeSessions`). */
export const AdminUserIdInput = z.object({ userId: z.uuid({ error: 'Invalid user id' }) });
export type AdminUserIdInput = z.infer<typeof AdminUserIdInput>;

/** A live session as its owner's account page shows it, less `current` (the admin holds none of them). */
export const AdminUserSession = Session.omit({ current: true });
export type AdminUserSession = z.infer<typeof AdminUserSession>;

/** How many of the `recentAudit` events `admin.users.get` returns; the audit log pages through the rest. */
export const ADMIN_USER_RECENT_AUDIT_LIMIT = 20;

/** One user as the admin detail page shows it: the profile, the balance, live sessions, recent audit events. */
export const AdminUserDetail = z.object({
  user: User,
  balance: z.number(),
  /** Whether the user signs in with a second step (what admin.users.resetMfa turns off). */
  twoStepEnabled: z.boolean(),
  /** Most recently used first. */
  sessions: z.array(AdminUserSession),
  /** Events the user performed or that were done to them as a user, newest first, with their actors. */
  recentAudit: z.array(AuditEvent).max(ADMIN_USER_RECENT_AUDIT_LIMIT),
});
export type AdminUserDetail = z.infer<typeof AdminUserDetail>;

export const RevokedUserSessions = z.object({ revoked: z.number() });
export type RevokedUserSessions = z.infer<typeof RevokedUserSessions>;

export const AdminStats = z.object({
  users: z.object({
    total: z.number(),
    byRole: z.object({ ADMIN: z.number(), USER: z.number(), GUEST: z.number() }),
    active: z.number(),
  }),
  projects: z.number(),
  transfersLast24h: z.number(),
});
export type AdminStats = z.infer<typeof AdminStats>;
