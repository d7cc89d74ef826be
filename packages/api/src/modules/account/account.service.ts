// Account lifecycle rules: a forgotten password is reset, an address verified and an address changed,
// through one-time links sent by mail. A link carries 32 random bytes; only their SHA-256 is stored; a link works once,
// until it expires, and a newer one of its kind voids it. Mail is only ever sent by jobs, so a
// request answers at once and the same whether or not the account exists.
import type { DB, OneTimeTokenKind } from '@keel/db';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { AppError, badRequest, conflict } from '../../common/errors.js';
import type { Mailer } from '../../common/mailer.js';
import { generateSecretToken, hashSecret } from '../../common/tokens.js';
import type { ApiConfig } from '../../config.js';
import type { Context } from '../../context.js';
import type { AuthedContext } from '../../trpc.js';
import { audit } from '../audit/audit.service.js';
import {
  assertPasswordsSignIn,
  broadcastRevocation,
  reauthenticate,
  revokeUserSessions,
} from '../auth/auth.service.js';
import * as users from '../users/users.service.js';
import {
  apiKeyCreatedNotice,
  emailChangeMail,
  emailChangeNotice,
  passwordChangedNotice,
  passwordResetMail,
  twoStepResetNotice,
  verificationMail,
} from './account.mail.js';
import * as repo from './account.repository.js';
import type {
  ConfirmEmailChangeInput,
  RequestEmailChangeInput,
  RequestPasswordResetInput,
  ResetPasswordInput,
  VerifyEmailInput,
} from './account.schema.js';

const TOKEN_LIFETIME_MS: Record<OneTimeTokenKind, number> = {
  password_reset: 60 * 60 * 1000,
  email_verification: 24 * 60 * 60 * 1000,
  email_change: 60 * 60 * 1000,
};

const INVALID_LINK =
  'This link is no longer valid: it was used, replaced by a newer one, or it expired. Ask for a new one.';

/** What the account jobs need: the database, the mail transport and where links point. */
export interface AccountJobDeps {
  db: Kysely<DB>;
  mailer: Mailer;
  config: Pick<ApiConfig, 'publicUrl'>;
  logger: Logger;
}

export type SecurityNotice = 'password_changed' | 'password_reset' | 'api_key_created' | 'two_step_reset';

/** An email change as the old address is told of it: asked for, then done. */
export interface EmailChangeNotice {
  userId: string;
  stage: 'requested' | 'changed';
  oldEmail: string;
  newEmail: string;
}

export function hashLinkToken(token: string): string {
  return hashSecret(token);
}

/** A dashboard URL under PUBLIC_URL, never the request's Host (which a client chooses). */
export function dashboardUrl(config: Pick<ApiConfig, 'publicUrl'>, path: string, token?: string): string {
  if (!config.publicUrl) {
    // Production without PUBLIC_URL: a link built from a guess could point anywhere.
    throw new Error('PUBLIC_URL is not set: mail with links is not sent in production until it is');
  }
  return token === undefined ? `${config.publicUrl}${path}` : `${config.publicUrl}${path}?token=${token}`;
}

/** Stores a new token of `kind` for the account (voiding its older ones) and returns the raw token. */
async function issueToken(
  db: Kysely<DB>,
  kind: OneTimeTokenKind,
  user: { id: string; email: string },
): Promise<string> {
  const token = generateSecretToken();
  await repo.replaceLiveToken(db, {
    kind,
    userId: user.id,
    email: user.email,
    tokenHash: hashLinkToken(token),
    expiresAt: new Date(Date.now() + TOKEN_LIFETIME_MS[kind]),
  });
  return token;
}

// --- Procedures -------------------------------------------------------------------------------

/** Always the same answer, at once: the lookup and the mail happen in the `account.password_reset` job. */
export async function requestPasswordReset(ctx: Context, input: RequestPasswordResetInput): Promise<{ success: true }> {
  assertPasswordsSignIn(ctx);
  await ctx.jobs.send(ctx.db, 'account.password_reset', { email: input.email });
  return { success: true };
}

/**
 * Sets the new password and signs the account out everywhere. The password was already checked by
 * the input schema, so a refused one never spends the link; the link is consumed in the same
 * transaction as the change, so a failure leaves it usable.
 */
export async function resetPassword(ctx: Context, input: ResetPasswordInput): Promise<{ success: true }> {
  assertPasswordsSignIn(ctx);
  const passwordHash = await ctx.hasher.hash(input.newPassword);
  const { userId, revoked } = await ctx.db.transaction().execute(async (trx) => {
    const token = await repo.consumeToken(trx, 'password_reset', hashLinkToken(input.token));
    if (!token?.user_id) throw badRequest(INVALID_LINK);
    // The sign-ins' lock: one that checked the old password either finished (its session is
    // revoked below) or sees the new password version.
    const user = await users.lockUser(trx, token.user_id);
    // A deactivated account, or one whose address changed since the mail, gets nothing from it.
    if (!user?.active || user.email !== token.email) throw badRequest(INVALID_LINK);
    await users.setPassword(trx, user.id, passwordHash);
    // The link reached this address: it is proven as well.
    if (!user.email_verified) await users.markEmailVerified(trx, user.id);
    const ids = await revokeUserSessions(trx, user.id, 'password_reset');
    await audit(trx, ctx, {
      actorId: user.id,
      action: 'auth.password_reset',
      targetType: 'user',
      targetId: user.id,
      metadata: { revokedSessions: ids.length },
    });
    await ctx.jobs.send(trx, 'account.notice', { userId: user.id, notice: 'password_reset' });
    return { userId: user.id, revoked: ids };
  });
  await broadcastRevocation(ctx, revoked, userId);
  return { success: true };
}

export async function verifyEmail(ctx: Context, input: VerifyEmailInput): Promise<{ success: true }> {
  await ctx.db.transaction().execute(async (trx) => {
    const token = await repo.consumeToken(trx, 'email_verification', hashLinkToken(input.token));
    if (!token?.user_id) throw badRequest(INVALID_LINK);
    const user = await users.lockUser(trx, token.user_id);
    if (!user || user.email !== token.email) throw badRequest(INVALID_LINK);
    await users.markEmailVerified(trx, user.id);
    await audit(trx, ctx, { actorId: user.id, action: 'auth.email_verified', targetType: 'user', targetId: user.id });
  });
  return { success: true };
}

/** Another verification mail for the caller's address (voiding the last link); nothing once it is verified. */
export async function resendVerification(ctx: AuthedContext): Promise<{ success: true }> {
  const user = await users.findUserById(ctx.db, ctx.user.id);
  if (user && !user.email_verified) await ctx.jobs.send(ctx.db, 'account.verification', { userId: user.id });
  return { success: true };
}

/**
 * Mails a link to the new address and a notice to the current one. The caller proves it is the
 * owner with the password (or an app code, or a fresh single sign-on); an address another account holds gets the same answer and no mail.
 */
export async function requestEmailChange(
  ctx: AuthedContext,
  input: RequestEmailChangeInput,
): Promise<{ success: true }> {
  const user = await reauthenticate(ctx, input);
  if (input.newEmail === user.email) {
    throw new AppError('VALIDATION_ERROR', 'This is already your address', {
      details: [{ field: 'newEmail', message: 'This is already your address' }],
    });
  }
  if (await users.findUserByEmail(ctx.db, input.newEmail)) {
    ctx.log.info('email change asked for an address another account holds: no mail');
    return { success: true };
  }
  await ctx.db.transaction().execute(async (trx) => {
    await ctx.jobs.send(trx, 'account.email_change', { userId: user.id, newEmail: input.newEmail });
    await ctx.jobs.send(trx, 'account.email_notice', {
      userId: user.id,
      stage: 'requested',
      oldEmail: user.email,
      newEmail: input.newEmail,
    });
  });
  return { success: true };
}

/**
 * Moves the account to the address the link was sent to, which the link proves. Sessions stay: the
 * person who followed it is the one who asked, signed in with the password.
 */
export async function confirmEmailChange(ctx: Context, input: ConfirmEmailChangeInput): Promise<{ success: true }> {
  await ctx.db.transaction().execute(async (trx) => {
    const token = await repo.consumeToken(trx, 'email_change', hashLinkToken(input.token));
    if (!token?.user_id) throw badRequest(INVALID_LINK);
    const user = await users.lockUser(trx, token.user_id);
    if (!user?.active) throw badRequest(INVALID_LINK);
    const holder = await users.findUserByEmail(trx, token.email);
    if (holder && holder.id !== user.id) {
      // Thrown, so the transaction rolls back and the link is not spent.
      throw conflict('Another account now uses this address: ask for the change again with a different one');
    }
    await users.setEmail(trx, user.id, token.email);
    await audit(trx, ctx, {
      actorId: user.id,
      action: 'auth.email_changed',
      targetType: 'user',
      targetId: user.id,
      metadata: { from: user.email, to: token.email },
    });
    await ctx.jobs.send(trx, 'account.email_notice', {
      userId: user.id,
      stage: 'changed',
      oldEmail: user.email,
      newEmail: token.email,
    });
  });
  return { success: true };
}

// --- Jobs -------------------------------------------------------------------------------------

/**
 * The mail of a reset request. No active account by that address: no mail, and nothing in the
 * answer the requester already had. A failed send is retried by the queue with a new link (the
 * unsent one is voided by it).
 */
export async function sendPasswordResetMail(deps: AccountJobDeps, data: { email: string }): Promise<void> {
  const user = await users.findUserByEmail(deps.db, data.email);
  if (!user?.active) {
    deps.logger.info('password reset asked for an address with no active account: no mail');
    return;
  }
  const token = await issueToken(deps.db, 'password_reset', user);
  await deps.mailer.send(passwordResetMail(user.email, user.name, dashboardUrl(deps.config, '/reset-password', token)));
}

export async function sendVerificationMail(deps: AccountJobDeps, data: { userId: string }): Promise<void> {
  const user = await users.findUserById(deps.db, data.userId);
  if (!user || user.email_verified) return;
  const token = await issueToken(deps.db, 'email_verification', user);
  await deps.mailer.send(verificationMail(user.email, user.name, dashboardUrl(deps.config, '/verify-email', token)));
}

export async function sendSecurityNotice(
  deps: AccountJobDeps,
  data: { userId: string; notice: SecurityNotice },
): Promise<void> {
  const user = await users.findUserById(deps.db, data.userId);
  if (!user) return;
  if (data.notice === 'api_key_created') {
    await deps.mailer.send(apiKeyCreatedNotice(user.email, user.name, dashboardUrl(deps.config, '/account')));
    return;
  }
  if (data.notice === 'two_step_reset') {
    await deps.mailer.send(twoStepResetNotice(user.email, user.name, dashboardUrl(deps.config, '/account')));
    return;
  }
  const how = data.notice === 'password_reset' ? 'reset' : 'changed';
  await deps.mailer.send(passwordChangedNotice(user.email, user.name, how, dashboardUrl(deps.config, '/sign-in')));
}

/** The link of an email change, to the new address; none once another account holds it. */
export async function sendEmailChangeMail(
  deps: AccountJobDeps,
  data: { userId: string; newEmail: string },
): Promise<void> {
  const user = await users.findUserById(deps.db, data.userId);
  if (!user?.active) return;
  if (await users.findUserByEmail(deps.db, data.newEmail)) {
    deps.logger.info('email change to an address another account now holds: no mail');
    return;
  }
  const token = await issueToken(deps.db, 'email_change', { id: user.id, email: data.newEmail });
  await deps.mailer.send(emailChangeMail(data.newEmail, user.name, dashboardUrl(deps.config, '/confirm-email', token)));
}

/** The notice to the old address, which is the one an account's owner may still read if it was not them. */
export async function sendEmailChangeNotice(deps: AccountJobDeps, data: EmailChangeNotice): Promise<void> {
  const user = await users.findUserById(deps.db, data.userId);
  if (!user) return;
  await deps.mailer.send(
    emailChangeNotice(data.oldEmail, user.name, data.stage, data.newEmail, dashboardUrl(deps.config, '/account')),
  );
}

/** Tokens that expired over a day ago can never work again: the daily clean-up deletes them. */
export async function purgeExpiredTokens(deps: Pick<AccountJobDeps, 'db' | 'logger'>): Promise<void> {
  const deleted = await repo.deleteExpiredTokens(deps.db, new Date(Date.now() - 24 * 60 * 60 * 1000));
  if (deleted > 0) deps.logger.info({ deleted }, 'expired one-time tokens deleted');
}
