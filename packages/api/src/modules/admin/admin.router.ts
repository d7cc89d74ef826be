// admin.* procedures: wiring only; the rules live in admin.service.ts (grants in credits.service.ts).
import { adminProcedure, router } from '../../trpc.js';
import { User } from '../auth/auth.schema.js';
import { Balance } from '../credits/credits.schema.js';
import * as credits from '../credits/credits.service.js';
import {
  AdminStats,
  AuditListInput,
  AuditPage,
  GrantInput,
  ListUsersInput,
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
  }),
  credits: router({
    grant: adminProcedure
      .input(GrantInput)
      .output(Balance)
      .mutation(({ ctx, input }) => credits.grant(ctx, input)),
  }),
  audit: router({
    list: adminProcedure
      .input(AuditListInput)
      .output(AuditPage)
      .query(({ ctx, input }) => admin.listAudit(ctx, input)),
  }),
  stats: adminProcedure.output(AdminStats).query(({ ctx }) => admin.stats(ctx)),
});
