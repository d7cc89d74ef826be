// Authentication rules: sign-up and sign-in, rotating refresh tokens with reuse
// detection, sessions and their revocation on every instance.
import type { DB, UserRow } from '@keel/db';
import type { Kysely } from 'kysely';
import { AppError, badRequest, forbidden, isUniqueViolation, notFound, unauthorized } from '../../common/errors.js';
import { enforceRateLimit } from '../../common/rate-limit.js';
import {
  generateRefreshToken,
  generateSecretToken,
  hashRefreshToken,
  hashSecret,
  isWellFormedRefreshToken,
  PASSWORD_AND_OTP,
  PASSWORD_ONLY,
  SSO_AND_OTP,
} from '../../common/tokens.js';
import type { ApiConfig } from '../../config.js';
import type { Context } from '../../context.js';
import type { AuthedContext } from '../../trpc.js';
import { audit } from '../audit/audit.service.js';
import type { DisableMfaInput, EnableMfaInput, MfaSetup, RecoveryCodes, SetupMfaInput } from '../mfa/mfa.schema.js';
import * as mfa from '../mfa/mfa.service.js';
import type { User } from '../users/users.schema.js';
import * as users from '../users/users.service.js';
import * as repo from './auth.repository.js';
import type {
  AuthPayload,
  ChangePasswordInput,
  LoginInput,
  LoginResult,
  RegisterInput,
  VerifyMfaInput,
} from './auth.schema.js';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const INVALID_CREDENTIALS = 'Invalid credentials';
const INVALID_REFRESH = 'Invalid or expired refresh token';
const ACCOUNT_DISABLED = 'This account is disabled';
const INVALID_MFA_TOKEN = 'This sign-in has expired or was already used: sign in again with your password';
const INVALID_SSO_MFA_TOKEN = 'This sign-in has expired or was already used: sign in again with single sign-on';
const WRONG_MFA_CODE = 'Invalid code';
/** The answer of everything that takes or sets a password when PASSWORD_LOGIN=false. */
export const PASSWORDS_OFF = 'Passwords do not sign in here: use single sign-on';
const WRONG_PASSWORD = 'Current password is incorrect';
const WRONG_CODE =
  'That code is not valid: enter the current code of your authenticator app, or sign in again to confirm it is you';
const REAUTHENTICATE_WITH_PASSWORD = 'Enter your current password';
const REAUTHENTICATE_WITHOUT_PASSWORD =
  'Sign in again with single sign-on (within 5 minutes) or enter a code from your authenticator app';
/** How recent a single sign-on stands in for the password before a change to the account's credentials. */
const FRESH_SIGN_IN_MS = 5 * 60 * 1000;

/** How long the code step of a sign-in waits after the password. */
const MFA_CHALLENGE_TTL_MS = 5 * 60 * 1000;
/** Wrong codes one sign-in challenge takes; the next try is refused whatever its code. */
const MFA_CHALLENGE_MAX_FAILURES = 5;

type Db = Context['db'];

/** Refuses (403) what takes or sets a password when PASSWORD_LOGIN=false: only single sign-on signs in. */
export function assertPasswordsSignIn(ctx: Pick<Context, 'config'>): void {
  if (!ctx.config.passwordLogin) throw forbidden(PASSWORDS_OFF);
}

const isSingleSignOn = (amr: readonly string[]) => amr.includes('sso');

/**
 * The latest a session signed in to at `signedInAt` may still refresh: SESSION_MAX_DAYS after it
 * for every session, SSO_SESSION_MAX_HOURS after it for a single sign-on (the person then goes back
 * through the provider, which may have removed them).
 */
function sessionDeadline(config: ApiConfig, signedInAt: Date, amr: readonly string[]): number {
  const absolute = signedInAt.getTime() + config.sessionMaxDays * DAY_MS;
  if (!isSingleSignOn(amr)) return absolute;
  return Math.min(absolute, signedInAt.getTime() + config.ssoSessionMaxHours * HOUR_MS);
}

/** A new refresh token's expiry: REFRESH_TOKEN_TTL_DAYS from now, never past the session's deadline. */
function refreshExpiry(config: ApiConfig, now: number, signedInAt: Date, amr: readonly string[]): Date {
  return new Date(Math.min(now + config.refreshTokenTtlDays * DAY_MS, sessionDeadline(config, signedInAt, amr)));
}

/**
 * Creates a session (a refresh-token family) and its first token inside `db`'s transaction; once
 * it committed, `issuePayload` signs the caller in with it (auth.register, auth.acceptInvitation).
 */
export async function openSession(
  ctx: Context,
  db: Db,
  userId: string,
  amr: readonly string[] = PASSWORD_ONLY,
  // The code step after a single sign-on: the session's limits count from the provider's sign-in.
  signedInAtOf?: Date,
) {
  const now = mfa.nowOf(ctx);
  const signedInAt = signedInAtOf ?? new Date(now);
  const expiresAt = refreshExpiry(ctx.config, now, signedInAt, amr);
  const session = await repo.insertSession(db, {
    userId,
    expiresAt,
    userAgent: ctx.userAgent?.slice(0, 500) ?? null,
    ip: ctx.ip,
    amr,
    signedInAt,
  });
  const refreshToken = generateRefreshToken();
  await repo.insertRefreshToken(db, { sessionId: session.id, tokenHash: hashRefreshToken(refreshToken), expiresAt });
  return { sessionId: session.id, refreshToken, refreshExpiresAt: expiresAt };
}

/**
 * `amr`: how the session was opened, as `openSession` (or a later second factor) recorded it;
 * `refreshExpiresAt`: when the refresh token expires, which the cookie does not outlive.
 */
export async function issuePayload(
  ctx: Context,
  user: User,
  sessionId: string,
  refreshToken: string,
  amr: readonly string[] = PASSWORD_ONLY,
  refreshExpiresAt?: Date,
): Promise<AuthPayload> {
  const accessToken = await ctx.tokens.signAccess({
    userId: user.id,
    role: user.role,
    sessionId,
    emailVerified: user.emailVerified,
    amr,
  });
  const ttlSeconds = refreshExpiresAt
    ? Math.max(1, Math.ceil((refreshExpiresAt.getTime() - mfa.nowOf(ctx)) / 1000))
    : Math.min(ctx.config.refreshTokenTtlDays, ctx.config.sessionMaxDays) * 24 * 60 * 60;
  ctx.response.setRefreshCookie(refreshToken, ttlSeconds);
  // A sign-in came without a token: the request's log line is about the user it signed in.
  if (ctx.observation) ctx.observation.userId ??= user.id;
  return { accessToken, refreshToken, tokenType: 'Bearer', expiresIn: ctx.tokens.accessTtlSeconds, user };
}

/**
 * Makes revoked sessions' access tokens fail on every instance from the next request on, and ends
 * their live event streams.
 */
async function broadcastRevocation(ctx: Context, sessionIds: string[], userId: string): Promise<void> {
  if (sessionIds.length === 0) return;
  // The store never loses it: a write Redis refuses is kept and retried (common/session-state.ts).
  await ctx.sessionState.revokeSessions(sessionIds);
  try {
    await ctx.events.publish({ type: 'session.revoked', userId, data: { sessionIds } });
  } catch (error) {
    ctx.log.warn({ err: error, sessionIds }, 'could not end the live streams of revoked sessions');
  }
}

/**
 * SIGNUP_MODE: `invite` lets no one sign up on their own, `domain` only addresses at SIGNUP_DOMAINS.
 * An invitation (auth.acceptInvitation) creates an account in every mode.
 */
function assertSignUpAllowed(config: Context['config'], email: string): void {
  if (config.signupMode === 'invite') {
    throw forbidden('Sign-up is by invitation only: ask an administrator for an invitation');
  }
  if (config.signupMode === 'domain') {
    const domain = email.slice(email.lastIndexOf('@') + 1);
    if (!config.signupDomains.includes(domain)) {
      throw forbidden(`Sign-up is open to addresses at ${config.signupDomains.join(', ')} only`);
    }
  }
}

export async function register(ctx: Context, input: RegisterInput): Promise<AuthPayload> {
  assertPasswordsSignIn(ctx);
  assertSignUpAllowed(ctx.config, input.email);
  if (await users.findUserByEmail(ctx.db, input.email)) throw new AppError('CONFLICT', 'Email is already registered');
  const passwordHash = await ctx.hasher.hash(input.password);
  const { user, sessionId, refreshToken, refreshExpiresAt } = await ctx.db.transaction().execute(async (trx) => {
    const row = await users.insertUser(trx, { email: input.email, name: input.name, password_hash: passwordHash });
    const session = await openSession(ctx, trx, row.id);
    await audit(trx, ctx, { actorId: row.id, action: 'auth.register', targetType: 'user', targetId: row.id });
    // The verification mail, sent by a job committed with the account.
    await ctx.jobs.send(trx, 'account.verification', { userId: row.id });
    return { user: users.toUser(row), ...session };
  });
  return issuePayload(ctx, user, sessionId, refreshToken, PASSWORD_ONLY, refreshExpiresAt);
}

/**
 * Signs in with the password. With two-step verification on, no session opens yet: the answer is a
 * challenge (`mfaToken`) that `verifyMfa` trades, with a code, for the tokens.
 */
export async function login(ctx: Context, input: LoginInput): Promise<LoginResult> {
  assertPasswordsSignIn(ctx);
  const row = await users.findUserByEmail(ctx.db, input.email);
  if (!row) {
    await ctx.hasher.verifyDummy(input.password);
    await audit(ctx.db, ctx, { actorId: null, action: 'auth.login_failed', metadata: { reason: 'unknown_email' } });
    throw unauthorized(INVALID_CREDENTIALS);
  }
  if (!(await ctx.hasher.verify(row.password_hash, input.password))) {
    await audit(ctx.db, ctx, {
      actorId: row.id,
      action: 'auth.login_failed',
      targetType: 'user',
      targetId: row.id,
      metadata: { reason: 'wrong_password' },
    });
    throw unauthorized(INVALID_CREDENTIALS);
  }
  if (!row.active) throw forbidden(ACCOUNT_DISABLED);
  const rehashed = await rehashIfOutdated(ctx, row.password_hash, input.password);
  type Outcome = { mfaToken: string } | { signedIn: SignedInSession };
  const outcome = await ctx.db.transaction().execute(async (trx): Promise<Outcome> => {
    // The password was verified without a lock. Under the user row's lock, a password change or a
    // deactivation that committed since is seen here; one still in flight waits for this
    // transaction and then revokes the session it opens.
    const current = await users.lockUser(trx, row.id);
    if (!current || current.password_version !== row.password_version) throw unauthorized(INVALID_CREDENTIALS);
    if (!current.active) throw forbidden(ACCOUNT_DISABLED);
    if (rehashed) await users.rehashPassword(trx, row.id, row.password_version, rehashed);
    // Read after the lock, with the password's own checks: two-step turned on or off meanwhile counts.
    if (await mfa.isMfaEnabled(trx, row.id)) return { mfaToken: await openMfaChallenge(ctx, trx, current) };
    return { signedIn: await openSignedInSession(ctx, trx, current, PASSWORD_ONLY) };
  });
  // A sign-in came without a token: the request's log line is about the user it signed in.
  if (ctx.observation) ctx.observation.userId ??= row.id;
  if ('mfaToken' in outcome) return { mfaRequired: true, mfaToken: outcome.mfaToken };
  return { ...(await finishSignIn(ctx, outcome.signedIn, PASSWORD_ONLY)), mfaRequired: false };
}

/** A session opened by a sign-in, in its transaction; `finishSignIn` completes it once committed. */
export interface SignedInSession {
  user: User;
  sessionId: string;
  refreshToken: string;
  refreshExpiresAt: Date;
  evicted: string[];
}

/**
 * Opens the session of a sign-in whose credentials were all checked, under the user row's lock:
 * the least recently used sessions beyond the per-user cap are revoked, and the sign-in audited.
 */
export async function openSignedInSession(
  ctx: Context,
  trx: Db,
  user: UserRow,
  amr: readonly string[],
  metadata: Record<string, unknown> = {},
  // A single sign-on (modules/sso) audits itself as `auth.sso_login`.
  action: 'auth.login' | 'auth.sso_login' = 'auth.login',
  signedInAt?: Date,
): Promise<SignedInSession> {
  const session = await openSession(ctx, trx, user.id, amr, signedInAt);
  const evicted = await repo.revokeLeastRecentlyUsedSessions(
    trx,
    { userId: user.id, keepSessionId: session.sessionId, max: ctx.config.sessionsPerUserMax },
    'session_limit',
  );
  const details = { ...metadata, ...(evicted.length > 0 ? { revokedSessions: evicted.length } : {}) };
  await audit(trx, ctx, {
    actorId: user.id,
    action,
    targetType: 'session',
    targetId: session.sessionId,
    ...(Object.keys(details).length > 0 ? { metadata: details } : {}),
  });
  return { user: users.toUser(user), ...session, evicted };
}

export async function finishSignIn(
  ctx: Context,
  signedIn: SignedInSession,
  amr: readonly string[],
): Promise<AuthPayload> {
  await broadcastRevocation(ctx, signedIn.evicted, signedIn.user.id);
  return issuePayload(ctx, signedIn.user, signedIn.sessionId, signedIn.refreshToken, amr, signedIn.refreshExpiresAt);
}

/** The code step of a sign-in: a single-use token for `verifyMfa`, of which only the SHA-256 is stored. */
async function openMfaChallenge(
  ctx: Context,
  trx: Db,
  user: UserRow,
  singleSignOn?: { issuer: string; signedInAt: Date },
): Promise<string> {
  const token = generateSecretToken();
  await repo.insertMfaChallenge(trx, {
    userId: user.id,
    tokenHash: hashSecret(token),
    passwordVersion: user.password_version,
    expiresAt: new Date(mfa.nowOf(ctx) + MFA_CHALLENGE_TTL_MS),
    singleSignOn,
  });
  return token;
}

/**
 * The code step after a single sign-on through `issuer` that checked no second factor, for an
 * account with two-step verification (modules/sso), in the sign-in's transaction: the same
 * challenge as after a password (five minutes, single use, five wrong codes), whose `verifyMfa`
 * opens a single sign-on session.
 */
export function openSingleSignOnMfaChallenge(ctx: Context, trx: Db, user: UserRow, issuer: string): Promise<string> {
  return openMfaChallenge(ctx, trx, user, { issuer, signedInAt: new Date(mfa.nowOf(ctx)) });
}

/**
 * One try of a code against the account's allowance (rule `mfa_account`, whatever the address);
 * 429 beyond it. Returns the key a right code resets.
 */
async function consumeCodeAllowance(ctx: Context, userId: string): Promise<string> {
  const accountKey = `user:${userId}`;
  await enforceRateLimit(ctx, 'mfa_account', accountKey, 'Too many wrong codes for this account, try again later');
  return accountKey;
}

/**
 * The second step of a sign-in: the challenge of `login` (or of a single sign-on, from the `keel_mfa`
 * cookie when `mfaToken` is absent) and a code of the authenticator app (or a recovery code) open
 * the session, marked as having passed two-step verification. A challenge works once, for five
 * minutes, and takes five wrong codes; wrong codes are also counted per account (rule
 * `mfa_account`) and each is audited as `auth.mfa_failed`.
 */
export async function verifyMfa(ctx: Context, input: VerifyMfaInput): Promise<AuthPayload> {
  const token = input.mfaToken ?? ctx.mfaCookie;
  const found = token ? await repo.findMfaChallenge(ctx.db, hashSecret(token)) : undefined;
  if (!found) {
    voidMfaCookie(ctx);
    throw unauthorized(INVALID_MFA_TOKEN);
  }
  const singleSignOn = found.sso_issuer !== null;
  const invalidToken = singleSignOn ? INVALID_SSO_MFA_TOKEN : INVALID_MFA_TOKEN;
  // A challenge opened before passwords (or single sign-on) were turned off signs no one in after.
  if (!singleSignOn) assertPasswordsSignIn(ctx);
  else if (!ctx.config.sso) {
    voidMfaCookie(ctx);
    throw unauthorized(invalidToken);
  }
  const accountKey = await consumeCodeAllowance(ctx, found.user_id);
  const factor: mfa.SecondFactor =
    input.code !== undefined ? { code: input.code } : { recoveryCode: input.recoveryCode ?? '' };
  const amr = singleSignOn ? SSO_AND_OTP : PASSWORD_AND_OTP;
  type Outcome = { refused: true } | { disabled: true } | { wrong: number } | { signedIn: SignedInSession };
  const outcome = await ctx.db.transaction().execute(async (trx): Promise<Outcome> => {
    const challenge = await repo.lockMfaChallenge(trx, found.id);
    const now = mfa.nowOf(ctx);
    if (
      !challenge ||
      challenge.used_at ||
      challenge.expires_at.getTime() <= now ||
      challenge.failed_attempts >= MFA_CHALLENGE_MAX_FAILURES
    ) {
      return { refused: true };
    }
    const user = await users.lockUser(trx, challenge.user_id);
    // The password checked by `login` is no longer the account's, or the account was disabled since.
    if (!user || user.password_version !== challenge.password_version) return { refused: true };
    if (!user.active) return { disabled: true };
    const method = await mfa.checkSecondFactor(ctx, trx, user.id, factor);
    if (!method) return { wrong: await repo.countMfaChallengeFailure(trx, challenge.id) };
    await repo.markMfaChallengeUsed(trx, challenge.id);
    if (challenge.sso_issuer && challenge.sso_signed_in_at) {
      // As a single sign-on whose provider checked the second factor (modules/sso), which Keel did here.
      const metadata = { issuer: challenge.sso_issuer, secondFactor: true, secondFactorMethod: method };
      return {
        signedIn: await openSignedInSession(
          ctx,
          trx,
          user,
          amr,
          metadata,
          'auth.sso_login',
          challenge.sso_signed_in_at,
        ),
      };
    }
    return { signedIn: await openSignedInSession(ctx, trx, user, amr, { secondFactor: method }) };
  });
  if ('signedIn' in outcome) {
    voidMfaCookie(ctx);
    // A right code forgives the account's wrong ones.
    await ctx.rateLimiter.reset('mfa_account', accountKey);
    if (ctx.observation) ctx.observation.userId ??= outcome.signedIn.user.id;
    return finishSignIn(ctx, outcome.signedIn, amr);
  }
  if ('disabled' in outcome) {
    voidMfaCookie(ctx);
    throw forbidden(ACCOUNT_DISABLED);
  }
  if ('wrong' in outcome) {
    await mfa.recordFailedSecondFactor(ctx, found.user_id, {
      reason: 'recoveryCode' in factor ? 'wrong_recovery_code' : 'wrong_code',
      during: singleSignOn ? 'sso_sign_in' : 'sign_in',
      attempt: outcome.wrong,
    });
    // The last wrong code voided the challenge: the cookie that names it goes with it.
    if (outcome.wrong >= MFA_CHALLENGE_MAX_FAILURES) voidMfaCookie(ctx);
    throw unauthorized(WRONG_MFA_CODE);
  }
  voidMfaCookie(ctx);
  throw unauthorized(invalidToken);
}

/** Drops the `keel_mfa` cookie once the challenge it names is used or void (when the request sent one). */
function voidMfaCookie(ctx: Context): void {
  if (ctx.mfaCookie !== undefined) ctx.response.clearMfaCookie();
}

/**
 * Turns two-step verification on (modules/mfa) and marks the caller's session as having passed it:
 * its next refresh carries `amr: ['pwd', 'otp']` (`['sso', 'otp']` for a single sign-on).
 */
export async function enableMfa(ctx: AuthedContext, input: EnableMfaInput): Promise<RecoveryCodes> {
  return ctx.db.transaction().execute(async (trx) => {
    const recoveryCodes = await mfa.enableMfa(ctx, trx, input);
    // A single sign-on session stays one (its refresh limit included).
    const session = await repo.findSessionSignIn(trx, ctx.user.sessionId, ctx.user.id);
    const amr = session && isSingleSignOn(session.amr) ? SSO_AND_OTP : PASSWORD_AND_OTP;
    await repo.setSessionAmr(trx, ctx.user.sessionId, amr);
    return { recoveryCodes };
  });
}

/** Sign-in challenges expired over a day ago: the daily clean-up deletes them. */
export function purgeExpiredMfaChallenges(db: Kysely<DB>): Promise<number> {
  return repo.deleteMfaChallengesExpiredBefore(db, new Date(Date.now() - DAY_MS));
}

/**
 * A new hash of a password that just verified, when the stored one is not what `hash()` writes now
 * (older cost, non-standard encoding). A busy hashing queue only postpones it to a later sign-in.
 */
async function rehashIfOutdated(ctx: Context, storedHash: string, password: string): Promise<string | undefined> {
  if (!ctx.hasher.needsRehash(storedHash)) return undefined;
  try {
    return await ctx.hasher.hash(password);
  } catch (error) {
    ctx.log.warn({ err: error }, 'could not rehash an outdated password hash; kept until a later sign-in');
    return undefined;
  }
}

function presentedRefreshToken(ctx: Context, input: { refreshToken?: string | undefined } | undefined) {
  return input?.refreshToken ?? ctx.refreshCookie;
}

export async function refresh(
  ctx: Context,
  input: { refreshToken?: string | undefined } | undefined,
): Promise<AuthPayload> {
  const token = presentedRefreshToken(ctx, input);
  if (!token || !isWellFormedRefreshToken(token)) throw unauthorized(INVALID_REFRESH);
  const tokenHash = hashRefreshToken(token);

  const now = mfa.nowOf(ctx);
  type Outcome =
    | { refreshed: { user: UserRow; sessionId: string; refreshToken: string; amr: string[]; expiresAt: Date } }
    | { ended: { sessionId: string; userId: string } }
    | { refused: true };
  const outcome = await ctx.db.transaction().execute(async (trx): Promise<Outcome | undefined> => {
    const won = await repo.rotateRefreshToken(trx, tokenHash);
    if (!won) return undefined;
    const session = await repo.findSessionWithUser(trx, won.session_id);
    // Revocation is terminal: a revoked family never mints again.
    if (!session || session.revokedAt || session.expired || !session.active) return { refused: true };
    // Past its limits (SESSION_MAX_DAYS; SSO_SESSION_MAX_HOURS for a single sign-on) the session
    // ends for good: the person signs in again.
    if (now >= sessionDeadline(ctx.config, session.signedInAt, session.amr)) {
      const reason = isSingleSignOn(session.amr) ? 'sso_session_limit' : 'session_max_age';
      await repo.revokeSessions(trx, { userId: session.userId, sessionIds: [session.id] }, reason);
      return { ended: { sessionId: session.id, userId: session.userId } };
    }
    const user = await users.findUserById(trx, session.userId);
    if (!user) return { refused: true };
    const refreshToken = generateRefreshToken();
    const expiresAt = refreshExpiry(ctx.config, now, session.signedInAt, session.amr);
    await repo.insertRefreshToken(trx, { sessionId: session.id, tokenHash: hashRefreshToken(refreshToken), expiresAt });
    await repo.touchSession(trx, session.id, expiresAt);
    return { refreshed: { user, sessionId: session.id, refreshToken, amr: session.amr, expiresAt } };
  });
  // The new access token says how the session was opened, as the first one did.
  if (outcome && 'refreshed' in outcome) {
    const { user, sessionId, refreshToken, amr, expiresAt } = outcome.refreshed;
    return issuePayload(ctx, users.toUser(user), sessionId, refreshToken, amr, expiresAt);
  }
  if (outcome && 'ended' in outcome) {
    ctx.log.info(outcome.ended, 'session past its lifetime: refresh refused, session ended');
    await broadcastRevocation(ctx, [outcome.ended.sessionId], outcome.ended.userId);
  }
  if (outcome) throw unauthorized(INVALID_REFRESH);

  await handleUnrotatableToken(ctx, tokenHash);
  throw unauthorized(INVALID_REFRESH);
}

/**
 * A known token that was already rotated: inside the grace window it is a harmless race (two tabs);
 * after it, somebody replays a stolen token, so the whole family goes.
 */
async function handleUnrotatableToken(ctx: Context, tokenHash: string): Promise<void> {
  const status = await repo.findRefreshTokenStatus(ctx.db, tokenHash, ctx.config.refreshReuseGraceSeconds);
  if (!status || status.revokedAt || status.expired || !status.rotated || status.inGrace) return;
  const revoked = await ctx.db.transaction().execute(async (trx) => {
    const ids = await repo.revokeSessions(
      trx,
      { userId: status.userId, sessionIds: [status.sessionId] },
      'refresh_reuse',
    );
    if (ids.length > 0) {
      await audit(trx, ctx, {
        actorId: status.userId,
        action: 'auth.refresh_reuse_detected',
        targetType: 'session',
        targetId: status.sessionId,
      });
    }
    return ids;
  });
  ctx.log.warn({ sessionId: status.sessionId, userId: status.userId }, 'refresh token reuse detected; session revoked');
  await broadcastRevocation(ctx, revoked, status.userId);
}

export async function logout(
  ctx: Context,
  input: { refreshToken?: string | undefined } | undefined,
): Promise<{ success: true }> {
  const token = presentedRefreshToken(ctx, input);
  ctx.response.clearRefreshCookie();
  if (!token || !isWellFormedRefreshToken(token)) return { success: true };
  const session = await repo.findSessionIdByTokenHash(ctx.db, hashRefreshToken(token));
  if (!session || session.revokedAt) return { success: true };
  const revoked = await ctx.db.transaction().execute(async (trx) => {
    const ids = await repo.revokeSessions(trx, { userId: session.userId, sessionIds: [session.id] }, 'logout');
    await audit(trx, ctx, {
      actorId: session.userId,
      action: 'auth.logout',
      targetType: 'session',
      targetId: session.id,
    });
    return ids;
  });
  await broadcastRevocation(ctx, revoked, session.userId);
  return { success: true };
}

export async function logoutAll(ctx: AuthedContext): Promise<{ revokedSessions: number }> {
  const revoked = await ctx.db.transaction().execute(async (trx) => {
    const ids = await repo.revokeSessions(trx, { userId: ctx.user.id }, 'logout_all');
    await audit(trx, ctx, {
      actorId: ctx.user.id,
      action: 'auth.logout',
      targetType: 'user',
      targetId: ctx.user.id,
      metadata: { allSessions: true, revokedSessions: ids.length },
    });
    return ids;
  });
  ctx.response.clearRefreshCookie();
  await broadcastRevocation(ctx, revoked, ctx.user.id);
  return { revokedSessions: revoked.length };
}

export async function me(ctx: AuthedContext): Promise<User> {
  const row = await users.findUserById(ctx.db, ctx.user.id);
  if (!row) throw unauthorized('User no longer exists');
  return users.toUser(row);
}

export async function sessions(ctx: AuthedContext) {
  const rows = await repo.listActiveSessions(ctx.db, ctx.user.id);
  return {
    items: rows.map((row) => ({
      id: row.id,
      createdAt: row.created_at.toISOString(),
      lastUsedAt: row.last_used_at.toISOString(),
      expiresAt: row.expires_at.toISOString(),
      userAgent: row.user_agent,
      ip: row.ip,
      current: row.id === ctx.user.sessionId,
    })),
  };
}

export async function revokeSession(ctx: AuthedContext, sessionId: string): Promise<{ success: true }> {
  const session = await repo.findSessionOfUser(ctx.db, sessionId, ctx.user.id);
  // Another user's session is reported as missing: its existence is none of the caller's business.
  if (!session) throw notFound('Session');
  const revoked = await ctx.db.transaction().execute(async (trx) => {
    const ids = await repo.revokeSessions(trx, { userId: ctx.user.id, sessionIds: [sessionId] }, 'revoked_by_user');
    if (ids.length > 0) {
      await audit(trx, ctx, {
        actorId: ctx.user.id,
        action: 'auth.logout',
        targetType: 'session',
        targetId: sessionId,
      });
    }
    return ids;
  });
  await broadcastRevocation(ctx, revoked, ctx.user.id);
  return { success: true };
}

/** What a change to the account's credentials takes to confirm the caller is its owner. */
export interface Reauthentication {
  currentPassword?: string | undefined;
  /** A code of the authenticator app (TOTP). */
  code?: string | undefined;
}

/**
 * Confirms that the caller is the account's owner before a change to its credentials, with the
 * first of: the current password (only while passwords sign in), a code of the authenticator app
 * (spent: it works once, and counts against the account's code allowance), or a single sign-on of
 * this very session at most five minutes old. `codeFollows`: the procedure checks an app code
 * itself (auth.mfa.disable), which then stands in too. Returns the caller's row.
 */
export async function reauthenticate(
  ctx: AuthedContext,
  input: Reauthentication,
  options: { codeFollows?: boolean } = {},
): Promise<UserRow> {
  const row = await users.findUserById(ctx.db, ctx.user.id);
  if (!row) throw unauthorized('User no longer exists');
  const passwords = ctx.config.passwordLogin;
  if (input.currentPassword !== undefined && passwords) {
    if (!(await ctx.hasher.verify(row.password_hash, input.currentPassword))) throw badRequest(WRONG_PASSWORD);
    return row;
  }
  if (input.code !== undefined) {
    await spendReauthenticationCode(ctx, row.id, input.code);
    return row;
  }
  if (options.codeFollows || (await isFreshSingleSignOn(ctx))) return row;
  const message =
    passwords && row.password_version !== users.NO_PASSWORD_VERSION
      ? REAUTHENTICATE_WITH_PASSWORD
      : REAUTHENTICATE_WITHOUT_PASSWORD;
  throw new AppError('VALIDATION_ERROR', message, { details: [{ field: 'currentPassword', message }] });
}

/** Checks and spends an app code of the caller's two-step verification; 400 when it is not valid. */
async function spendReauthenticationCode(ctx: AuthedContext, userId: string, code: string): Promise<void> {
  const accountKey = await consumeCodeAllowance(ctx, userId);
  const method = await ctx.db.transaction().execute((trx) => mfa.checkSecondFactor(ctx, trx, userId, { code }));
  if (!method) {
    await mfa.recordFailedSecondFactor(ctx, userId, { reason: 'wrong_code', during: 'reauthenticate' });
    throw badRequest(WRONG_CODE);
  }
  await ctx.rateLimiter.reset('mfa_account', accountKey);
}

/** Whether the caller's session was opened by a single sign-on at most five minutes ago. */
async function isFreshSingleSignOn(ctx: AuthedContext): Promise<boolean> {
  const session = await repo.findSessionSignIn(ctx.db, ctx.user.sessionId, ctx.user.id);
  if (!session || session.revokedAt || !isSingleSignOn(session.amr)) return false;
  return mfa.nowOf(ctx) - session.signedInAt.getTime() <= FRESH_SIGN_IN_MS;
}

/** `auth.mfa.setup`, once the caller confirmed it is them (`reauthenticate`). */
export async function setupMfa(ctx: AuthedContext, input: SetupMfaInput): Promise<MfaSetup> {
  const row = await reauthenticate(ctx, input);
  return mfa.setupMfa(ctx, row.email);
}

/**
 * `auth.mfa.disable`: the code (or a recovery code) it always takes, and the password or a fresh
 * single sign-on; an app code alone confirms both that it is the caller and that they hold the device.
 */
export async function disableMfa(ctx: AuthedContext, input: DisableMfaInput): Promise<{ success: true }> {
  await reauthenticate(ctx, { currentPassword: input.currentPassword }, { codeFollows: mfa.isAppCode(input.code) });
  return mfa.disableMfa(ctx, input);
}

/**
 * Sets a new password, confirmed with the current one (or a code, or a fresh single sign-on: an
 * account single sign-on created sets its first password so); other sessions are revoked.
 */
export async function changePassword(ctx: AuthedContext, input: ChangePasswordInput): Promise<{ success: true }> {
  assertPasswordsSignIn(ctx);
  const row = await reauthenticate(ctx, input);
  const passwordHash = await ctx.hasher.hash(input.newPassword);
  const revoked = await ctx.db.transaction().execute(async (trx) => {
    // The lock sign-ins take: one that verified the old password either finished before (and its
    // session is revoked below) or sees the new version and opens none.
    const current = await users.lockUser(trx, ctx.user.id);
    if (!current) throw unauthorized('User no longer exists');
    // Another change committed since the verification above: the current password is no longer it.
    if (current.password_version !== row.password_version) throw badRequest(WRONG_PASSWORD);
    await users.setPassword(trx, ctx.user.id, passwordHash);
    const ids = await repo.revokeSessions(
      trx,
      { userId: ctx.user.id, exceptSessionId: ctx.user.sessionId },
      'password_changed',
    );
    await audit(trx, ctx, {
      actorId: ctx.user.id,
      action: 'auth.password_changed',
      targetType: 'user',
      targetId: ctx.user.id,
      metadata: { revokedSessions: ids.length },
    });
    // A notice to the account's address: the owner learns of a change they did not make.
    await ctx.jobs.send(trx, 'account.notice', { userId: ctx.user.id, notice: 'password_changed' });
    return ids;
  });
  await broadcastRevocation(ctx, revoked, ctx.user.id);
  return { success: true };
}

export { broadcastRevocation };

/**
 * Revokes every live session of `userId` in `db`'s transaction (an admin deactivating the
 * account); returns the ids revoked, for `broadcastRevocation` once the transaction committed.
 */
export function revokeUserSessions(db: Kysely<DB>, userId: string, reason: string): Promise<string[]> {
  return repo.revokeSessions(db, { userId }, reason);
}

/** The live sessions of `userId`, most recently used first (an admin looking at the account). */
export function listUserSessions(db: Kysely<DB>, userId: string) {
  return repo.listActiveSessions(db, userId);
}

export type ActiveSessionRow = Awaited<ReturnType<typeof listUserSessions>>[number];

/** How long an address the account signed in from stays its owner's usual address. */
const KNOWN_SIGN_IN_ADDRESS_DAYS = 30;

/**
 * Whether the account with this email opened a session from `ip` within the last
 * `KNOWN_SIGN_IN_ADDRESS_DAYS`: the per-account sign-in limit (trpc.ts) lets its owner's usual
 * address through, so an attacker spraying from elsewhere cannot lock the owner out of it.
 */
export function isKnownSignInAddress(db: Kysely<DB>, email: string, ip: string): Promise<boolean> {
  const since = new Date(Date.now() - KNOWN_SIGN_IN_ADDRESS_DAYS * DAY_MS);
  return repo.hasSessionFromAddress(db, email, ip, since);
}

/**
 * Creates the bootstrap admin (`ADMIN_EMAIL` / `ADMIN_PASSWORD`) when no user has that email.
 * Creates nothing under PASSWORD_LOGIN=false: the first single sign-on with ADMIN_EMAIL is the
 * ADMIN then (modules/sso).
 */
export async function ensureAdmin(
  deps: Pick<Context, 'db' | 'hasher'> & { config: Pick<ApiConfig, 'passwordLogin'> },
  email: string,
  password: string,
): Promise<UserRow | undefined> {
  if (!deps.config.passwordLogin) return undefined;
  const normalized = email.trim().toLowerCase();
  if (await users.findUserByEmail(deps.db, normalized)) return undefined;
  const passwordHash = await deps.hasher.hash(password);
  try {
    return await users.insertUser(deps.db, {
      email: normalized,
      name: 'Administrator',
      password_hash: passwordHash,
      role: 'ADMIN',
      // The operator chose this address; there is no one to send a verification link to first.
      email_verified: true,
    });
  } catch (error) {
    // Another instance starting at the same moment created it first.
    if (isUniqueViolation(error)) return undefined;
    throw error;
  }
}
