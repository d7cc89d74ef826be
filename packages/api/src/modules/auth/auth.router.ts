// auth.* procedures: wiring only; the rules live in auth.service.ts.
import { authedProcedure, publicProcedure, router } from '../../trpc.js';
import {
  AuthPayload,
  ChangePasswordInput,
  LoginInput,
  RefreshTokenInput,
  RegisterInput,
  RevokedSessions,
  RevokeSessionInput,
  SessionList,
  Success,
  User,
} from './auth.schema.js';
import * as auth from './auth.service.js';

export const authRouter = router({
  register: publicProcedure
    .meta({ rateLimit: ['auth'] })
    .input(RegisterInput)
    .output(AuthPayload)
    .mutation(({ ctx, input }) => auth.register(ctx, input)),
  login: publicProcedure
    .meta({ rateLimit: ['auth', 'login'] })
    .input(LoginInput)
    .output(AuthPayload)
    .mutation(({ ctx, input }) => auth.login(ctx, input)),
  refresh: publicProcedure
    .meta({ rateLimit: ['refresh'] })
    .input(RefreshTokenInput)
    .output(AuthPayload)
    .mutation(({ ctx, input }) => auth.refresh(ctx, input)),
  logout: publicProcedure
    .input(RefreshTokenInput)
    .output(Success)
    .mutation(({ ctx, input }) => auth.logout(ctx, input)),
  logoutAll: authedProcedure.output(RevokedSessions).mutation(({ ctx }) => auth.logoutAll(ctx)),
  me: authedProcedure.output(User).query(({ ctx }) => auth.me(ctx)),
  sessions: authedProcedure.output(SessionList).query(({ ctx }) => auth.sessions(ctx)),
  revokeSession: authedProcedure
    .input(RevokeSessionInput)
    .output(Success)
    .mutation(({ ctx, input }) => auth.revokeSession(ctx, input.sessionId)),
  changePassword: authedProcedure
    .meta({ rateLimit: ['auth'] })
    .input(ChangePasswordInput)
    .output(Success)
    .mutation(({ ctx, input }) => auth.changePassword(ctx, input)),
});
