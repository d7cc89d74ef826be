// admin.* procedures: wiring only; the rules live in admin.service.ts (grants in credits.service.ts).
import { adminProcedure, router } from '../../trpc.js';
import { AdminApiKeyPage, AdminListApiKeysInput, ApiKeyIdInput } from '../api-keys/api-keys.schema.js';
import * as apiKeys from '../api-keys/api-keys.service.js';
import { Success } from '../common.schema.js';
import { Balance } from '../credits/credits.schema.js';
import * as credits from '../credits/credits.service.js';
import {
  CreateInvitationInput,
  Invitation,
  InvitationIdInput,
  InvitationPage,
  ListInvitationsInput,
} from '../invitations/invitations.schema.js';
import * as invitations from '../invitations/invitations.service.js';
import * as mfa from '../mfa/mfa.service.js';
import { User } from '../users/users.schema.js';
import { ActivityInput, AdminActivity } from './admin.activity.schema.js';
import * as activity from './admin.activity.service.js';
import {
  AdminStats,
  AdminUserDetail,
  AdminUserIdInput,
  AuditExportInput,
  AuditListInput,
  AuditPage,
  GrantInput,
  ListUsersInput,
  RevokedUserSessions,
  SetActiveInput,
  SetRoleInput,
  UserPage,
} from './admin.schema.js';
import * as admin from './admin.service.js';

export const adminRouter = router({
  users: router({
    list: adminProcedure
      .input(ListUsersInput)
      .output(UserPage)
      .query(({ ctx, input }) => admin.listUsers(ctx, input)),
    setRole: adminProcedure
      .input(SetRoleInput)
      .output(User)
      .mutation(({ ctx, input }) => admin.setRole(ctx, input)),
    setActive: adminProcedure
      .input(SetActiveInput)
      .output(User)
      .mutation(({ ctx, input }) => admin.setActive(ctx, input)),
    get: adminProcedure
      .input(AdminUserIdInput)
      .output(AdminUserDetail)
      .query(({ ctx, input }) => admin.getUser(ctx, input)),
    revokeSessions: adminProcedure
      .input(AdminUserIdInput)
      .output(RevokedUserSessions)
      .mutation(({ ctx, input }) => admin.revokeSessions(ctx, input)),
    // Two-step verification off, for a user who lost their device (modules/mfa); they are mailed a notice.
    resetMfa: adminProcedure
      .input(AdminUserIdInput)
      .output(Success)
      .mutation(({ ctx, input }) => mfa.resetMfa(ctx, input)),
  }),
  credits: router({
    grant: adminProcedure
      .input(GrantInput)
      .output(Balance)
      .mutation(({ ctx, input }) => credits.grant(ctx, input)),
  }),
  // Invitations (modules/invitations): the mail goes to the invited address, so it counts under `mail`.
  apiKeys: router({
    list: adminProcedure
      .input(AdminListApiKeysInput)
      .output(AdminApiKeyPage)
      .query(({ ctx, input }) => apiKeys.listAllApiKeys(ctx, input)),
    revoke: adminProcedure
      .input(ApiKeyIdInput)
      .output(Success)
      .mutation(({ ctx, input }) => apiKeys.adminRevokeApiKey(ctx, input)),
  }),
  invitations: router({
    create: adminProcedure
      .meta({ rateLimit: ['mail_ip', 'mail'] })
      .input(CreateInvitationInput)
      .output(Invitation)
      .mutation(({ ctx, input }) => invitations.createInvitation(ctx, input)),
    list: adminProcedure
      .input(ListInvitationsInput)
      .output(InvitationPage)
      .query(({ ctx, input }) => invitations.listInvitations(ctx, input)),
    revoke: adminProcedure
      .input(InvitationIdInput)
      .output(Success)
      .mutation(({ ctx, input }) => invitations.revokeInvitation(ctx, input)),
    resend: adminProcedure
      .meta({ rateLimit: ['mail_ip', 'mail'] })
      .input(InvitationIdInput)
      .output(Success)
      .mutation(({ ctx, input }) => invitations.resendInvitation(ctx, input)),
  }),
  audit: router({
    list: adminProcedure
      .input(AuditListInput)
      .output(AuditPage)
      .query(({ ctx, input }) => admin.listAudit(ctx, input)),
  }),
  stats: adminProcedure.output(AdminStats).query(({ ctx }) => admin.stats(ctx)),
  activity: adminProcedure
    .input(ActivityInput)
    .output(AdminActivity)
    .query(({ ctx, input }) => activity.activity(ctx, input)),
});

/**
 * Procedures the host calls in process and never serves on /trpc: the audit CSV export answers a
 * stream over plain HTTP (apps/server/src/audit-export.ts), yet its caller is authenticated, rate
 * limited and observed exactly as any admin procedure's.
 */
export const adminHostRouter = router({
  admin: router({
    audit: router({
      export: adminProcedure.input(AuditExportInput).query(({ ctx, input }) => admin.exportAudit(ctx, input)),
    }),
  }),
});
