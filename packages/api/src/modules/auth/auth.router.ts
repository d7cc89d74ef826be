// auth.* procedures: wiring only; the rules live in auth.service.ts.
import { authedProcedure, publicProcedure, router } from '../../trpc.js';
import {
  ConfirmEmailChangeInput,
  RequestEmailChangeInput,
  RequestPasswordResetInput,
  ResetPasswordInput,
  VerifyEmailInput,
} from '../account/account.schema.js';
import * as account from '../account/account.service.js';
import { Success } from '../common.schema.js';
import { AcceptInvitationInput, InvitationPreview, InvitationTokenInput } from '../invitations/invitations.schema.js';
import * as invitations from '../invitations/invitations.service.js';
import {
  DisableMfaInput,
  EnableMfaInput,
  MfaSetup,
  MfaStatus,
  RecoveryCodes,
  RegenerateRecoveryCodesInput,
  SetupMfaInput,
} from '../mfa/mfa.schema.js';
import * as mfa from '../mfa/mfa.service.js';
import { Providers } from '../sso/sso.schema.js';
import * as sso from '../sso/sso.service.js';
import { User } from '../users/users.schema.js';
import {
  AuthPayload,
  ChangePasswordInput,
  LoginInput,
  LoginResult,
  RefreshTokenInput,
  RegisterInput,
  RevokedSessions,
  RevokeSessionInput,
  SessionList,
  VerifyMfaInput,
} from './auth.schema.js';
import * as auth from './auth.service.js';

export const authRouter = router({
  // The account lifecycle (modules/account): password reset and address verification by mail.
  requestPasswordReset: publicProcedure
    .meta({
      rateLimit: ['mail_ip', 'mail'],
      openapi: {
        method: 'POST',
        path: '/auth/request-password-reset',
        tags: ['auth'],
        protect: false,
        summary: 'Mail a password-reset link (the same answer whether or not the account exists)',
        errorResponses: [400, 429],
      },
    })
    .input(RequestPasswordResetInput)
    .output(Success)
    .mutation(({ ctx, input }) => account.requestPasswordReset(ctx, input)),
  resetPassword: publicProcedure
    .meta({
      rateLimit: ['auth'],
      openapi: {
        method: 'POST',
        path: '/auth/reset-password',
        tags: ['auth'],
        protect: false,
        summary: "Set a new password with a reset link's token; signs the account out everywhere",
        errorResponses: [400, 503],
      },
    })
    .input(ResetPasswordInput)
    .output(Success)
    .mutation(({ ctx, input }) => account.resetPassword(ctx, input)),
  verifyEmail: publicProcedure
    .meta({
      rateLimit: ['auth'],
      openapi: {
        method: 'POST',
        path: '/auth/verify-email',
        tags: ['auth'],
        protect: false,
        summary: "Confirm an address with a verification link's token",
        errorResponses: [400],
      },
    })
    .input(VerifyEmailInput)
    .output(Success)
    .mutation(({ ctx, input }) => account.verifyEmail(ctx, input)),
  resendVerification: authedProcedure
    .meta({
      rateLimit: ['mail_ip', 'mail'],
      openapi: {
        method: 'POST',
        path: '/auth/resend-verification',
        tags: ['auth'],
        summary: "Mail a new verification link to the caller's address",
        errorResponses: [401, 429],
      },
    })
    .output(Success)
    .mutation(({ ctx }) => account.resendVerification(ctx)),
  requestEmailChange: authedProcedure
    .meta({
      rateLimit: ['mail_ip', 'mail'],
      openapi: {
        method: 'POST',
        path: '/auth/request-email-change',
        tags: ['auth'],
        summary:
          'Mail a link to a new address (and a notice to the current one); the address changes when it is followed',
        errorResponses: [400, 401, 429],
      },
    })
    .input(RequestEmailChangeInput)
    .output(Success)
    .mutation(({ ctx, input }) => account.requestEmailChange(ctx, input)),
  confirmEmailChange: publicProcedure
    .meta({
      rateLimit: ['auth'],
      openapi: {
        method: 'POST',
        path: '/auth/confirm-email-change',
        tags: ['auth'],
        protect: false,
        summary: "Move the account to the new address with an email-change link's token",
        errorResponses: [400, 409],
      },
    })
    .input(ConfirmEmailChangeInput)
    .output(Success)
    .mutation(({ ctx, input }) => account.confirmEmailChange(ctx, input)),
  // Invitations (modules/invitations): the accept page reads the invitation, then creates the account.
  invitation: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/auth/invitation',
        tags: ['auth'],
        protect: false,
        summary: "What an invitation link's token invites to (email, role, inviter, expiry)",
        errorResponses: [400, 404],
      },
    })
    .input(InvitationTokenInput)
    .output(InvitationPreview)
    .query(({ ctx, input }) => invitations.previewInvitation(ctx, input)),
  acceptInvitation: publicProcedure
    .meta({
      rateLimit: ['auth'],
      openapi: {
        method: 'POST',
        path: '/auth/accept-invitation',
        tags: ['auth'],
        protect: false,
        summary: "Create the invited account (verified, with the invitation's role) and sign in",
        errorResponses: [400, 404, 409, 503],
      },
    })
    .input(AcceptInvitationInput)
    .output(AuthPayload)
    .mutation(({ ctx, input }) => invitations.acceptInvitation(ctx, input)),
  register: publicProcedure
    .meta({
      rateLimit: ['auth'],
      openapi: {
        method: 'POST',
        path: '/auth/register',
        tags: ['auth'],
        protect: false,
        summary: 'Create an account and sign in',
        errorResponses: [400, 403, 409, 503],
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
        summary:
          'Sign in with email and password: the tokens, or, with two-step verification on, an mfaToken for /auth/mfa/verify',
        errorResponses: [400, 401, 403, 503],
      },
    })
    .input(LoginInput)
    .output(LoginResult)
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
  providers: publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/auth/providers',
        tags: ['auth'],
        protect: false,
        summary: 'How people sign in here: with a password, and with which single sign-on provider',
        errorResponses: [],
      },
    })
    .output(Providers)
    .query(({ ctx }) => sso.providers(ctx)),
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
        summary:
          'Change the password, confirmed with the current one, an app code or a fresh single sign-on; other sessions are revoked',
        errorResponses: [400, 401, 403, 429, 503],
      },
    })
    .input(ChangePasswordInput)
    .output(Success)
    .mutation(({ ctx, input }) => auth.changePassword(ctx, input)),
  // Two-step verification (modules/mfa): set up, turned on and off once the caller confirmed it is
  // them (the password, an app code or a fresh single sign-on: auth.service.ts `reauthenticate`);
  // `verify` is the second step of a sign-in.
  mfa: router({
    verify: publicProcedure
      .meta({
        rateLimit: ['auth', 'mfa'],
        openapi: {
          method: 'POST',
          path: '/auth/mfa/verify',
          tags: ['auth'],
          protect: false,
          summary:
            "Finish a sign-in with auth.login's mfaToken (or, after single sign-on, the keel_mfa cookie) and a code (or a recovery code)",
          errorResponses: [400, 401, 403, 429],
        },
      })
      .input(VerifyMfaInput)
      .output(AuthPayload)
      .mutation(({ ctx, input }) => auth.verifyMfa(ctx, input)),
    status: authedProcedure
      .meta({
        openapi: {
          method: 'GET',
          path: '/auth/mfa',
          tags: ['auth'],
          protect: true,
          summary: 'Whether two-step verification is on, since when, and the recovery codes left',
          errorResponses: [401],
        },
      })
      .output(MfaStatus)
      .query(({ ctx }) => mfa.mfaStatus(ctx)),
    setup: authedProcedure
      .meta({
        rateLimit: ['auth'],
        openapi: {
          method: 'POST',
          path: '/auth/mfa/setup',
          tags: ['auth'],
          protect: true,
          summary: 'A new secret for an authenticator app (otpauth URI and QR code), pending until enabled',
          errorResponses: [400, 401, 403, 409, 503],
        },
      })
      .input(SetupMfaInput)
      .output(MfaSetup)
      .mutation(({ ctx, input }) => auth.setupMfa(ctx, input)),
    enable: authedProcedure
      .meta({
        rateLimit: ['auth'],
        openapi: {
          method: 'POST',
          path: '/auth/mfa/enable',
          tags: ['auth'],
          protect: true,
          summary: 'Turn two-step verification on with a first code; answers the recovery codes (shown once)',
          errorResponses: [400, 401, 403, 409],
        },
      })
      .input(EnableMfaInput)
      .output(RecoveryCodes)
      .mutation(({ ctx, input }) => auth.enableMfa(ctx, input)),
    disable: authedProcedure
      .meta({
        rateLimit: ['auth'],
        openapi: {
          method: 'POST',
          path: '/auth/mfa/disable',
          tags: ['auth'],
          protect: true,
          summary:
            'Turn two-step verification off with a code (or a recovery code) and the password or a fresh single sign-on',
          errorResponses: [400, 401, 403, 409, 503],
        },
      })
      .input(DisableMfaInput)
      .output(Success)
      .mutation(({ ctx, input }) => auth.disableMfa(ctx, input)),
    regenerateRecoveryCodes: authedProcedure
      .meta({
        rateLimit: ['auth'],
        openapi: {
          method: 'POST',
          path: '/auth/mfa/recovery-codes',
          tags: ['auth'],
          protect: true,
          summary: 'Ten new recovery codes for a code (or a recovery code); the old ones stop working',
          errorResponses: [400, 401, 403, 409],
        },
      })
      .input(RegenerateRecoveryCodesInput)
      .output(RecoveryCodes)
      .mutation(({ ctx, input }) => mfa.regenerateRecoveryCodes(ctx, input)),
  }),
});
