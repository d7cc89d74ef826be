// auth.* procedures: wiring only; the rules live in auth.service.ts.
import { authedProcedure, publicProcedure, router } from '../../trpc.js';
import { Success } from '../common.schema.js';
import { User } from '../users/users.schema.js';
import {
  AuthPayload,
  ChangePasswordInput,
  LoginInput,
  RefreshTokenInput,
  RegisterInput,
  RevokedSessions,
  RevokeSessionInput,
  SessionList,
} from './auth.schema.js';
import * as auth from './auth.service.js';

export const authRouter = router({
  register: publicProcedure
    .meta({
      rateLimit: ['auth'],
      openapi: {
        method: 'POST',
        path: '/auth/register',
        tags: ['auth'],
        protect: false,
        summary: 'Create an account and sign in',
        errorResponses: [400, 409, 503],
      },
    })
    .input(RegisterInput)
    .output(AuthPayload)
    .mutation(({ ctx, input }) => auth.register(ctx, input)),
  login: publicProcedure
    .meta({
      // In this order: an address over its own limit never spends the account's allowance.
      rateLimit: ['auth', 'login', 'login_account'],
      openapi: {
        method: 'POST',
        path: '/auth/login',
        tags: ['auth'],
        protect: false,
        summary: 'Sign in with email and password',
        errorResponses: [400, 401, 403, 503],
      },
    })
    .input(LoginInput)
    .output(AuthPayload)
    .mutation(({ ctx, input }) => auth.login(ctx, input)),
  refresh: publicProcedure
    .meta({
      rateLimit: ['refresh'],
      openapi: {
        method: 'POST',
        path: '/auth/refresh',
        tags: ['auth'],
        protect: false,
        summary: 'Trade a refresh token (body field or keel_rt cookie) for a new pair',
        errorResponses: [400, 401],
      },
    })
    .input(RefreshTokenInput)
    .output(AuthPayload)
    .mutation(({ ctx, input }) => auth.refresh(ctx, input)),
  logout: publicProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/auth/logout',
        tags: ['auth'],
        protect: false,
        summary: 'Revoke the session of a refresh token (body field or cookie)',
        errorResponses: [400],
      },
    })
    .input(RefreshTokenInput)
    .output(Success)
    .mutation(({ ctx, input }) => auth.logout(ctx, input)),
  logoutAll: authedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/auth/logout-all',
        tags: ['auth'],
        protect: true,
        summary: 'Revoke every session of the caller',
        errorResponses: [401],
      },
    })
    .output(RevokedSessions)
    .mutation(({ ctx }) => auth.logoutAll(ctx)),
  me: authedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/auth/me',
        tags: ['auth'],
        protect: true,
        summary: 'The signed-in user',
        errorResponses: [401],
      },
    })
    .output(User)
    .query(({ ctx }) => auth.me(ctx)),
  sessions: authedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/auth/sessions',
        tags: ['auth'],
        protect: true,
        summary: "The caller's active sessions",
        errorResponses: [401],
      },
    })
    .output(SessionList)
    .query(({ ctx }) => auth.sessions(ctx)),
  revokeSession: authedProcedure
    .meta({
      openapi: {
        method: 'DELETE',
        path: '/auth/sessions/{sessionId}',
        tags: ['auth'],
        protect: true,
        summary: "Revoke one of the caller's sessions",
        errorResponses: [400, 401, 404],
      },
    })
    .input(RevokeSessionInput)
    .output(Success)
    .mutation(({ ctx, input }) => auth.revokeSession(ctx, input.sessionId)),
  changePassword: authedProcedure
    .meta({
      rateLimit: ['auth'],
      openapi: {
        method: 'POST',
        path: '/auth/change-password',
        tags: ['auth'],
        protect: true,
        summary: 'Change the password; other sessions are revoked',
        errorResponses: [400, 401, 403, 503],
      },
    })
    .input(ChangePasswordInput)
    .output(Success)
    .mutation(({ ctx, input }) => auth.changePassword(ctx, input)),
});
