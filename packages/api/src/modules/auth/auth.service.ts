// Authentication rules: sign-up and sign-in, rotating refresh tokens with reuse
// detection, sessions and their revocation on every instance.
import type { DB, UserRow } from '@keel/db';
import type { Kysely } from 'kysely';
import { AppError, badRequest, forbidden, isUniqueViolation, notFound, unauthorized } from '../../common/errors.js';
import { generateRefreshToken, hashRefreshToken, isWellFormedRefreshToken } from '../../common/tokens.js';
import type { Context } from '../../context.js';
import type { AuthedContext } from '../../trpc.js';
import { audit } from '../audit/audit.service.js';
import type { User } from '../users/users.schema.js';
import * as users from '../users/users.service.js';
import * as repo from './auth.repository.js';
import type { AuthPayload, ChangePasswordInput, LoginInput, RegisterInput } from './auth.schema.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const INVALID_CREDENTIALS = 'Invalid credentials';
const INVALID_REFRESH = 'Invalid or expired refresh token';
const ACCOUNT_DISABLED = 'This account is disabled';

type Db = Context['db'];

/**
 * Creates a session (a refresh-token family) and its first token inside `db`'s transaction; once
 * it committed, `issuePayload` signs the caller in with it (auth.register, auth.acceptInvitation).
 */
export async function openSession(ctx: Context, db: Db, userId: string) {
  const expiresAt = new Date(Date.now() + ctx.config.refreshTokenTtlDays * DAY_MS);
  const session = await repo.insertSession(db, {
    userId,
    expiresAt,
    userAgent: ctx.userAgent?.slice(0, 500) ?? null,
    ip: ctx.ip,
  });
  const refreshToken = generateRefreshToken();
  await repo.insertRefreshToken(db, { sessionId: session.id, tokenHash: hashRefreshToken(refreshToken), expiresAt });
  return { sessionId: session.id, refreshToken };
}

export async function issuePayload(
  ctx: Context,
  user: User,
  sessionId: string,
  refreshToken: string,
): Promise<AuthPayload> {
  const accessToken = await ctx.tokens.signAccess({
    userId: user.id,
    role: user.role,
    sessionId,
    emailVerified: user.emailVerified,
  });
  ctx.response.setRefreshCookie(refreshToken, ctx.config.refreshTokenTtlDays * 24 * 60 * 60);
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
  assertSignUpAllowed(ctx.config, input.email);
  if (await users.findUserByEmail(ctx.db, input.email)) throw new AppError('CONFLICT', 'Email is already registered');
  const passwordHash = await ctx.hasher.hash(input.password);
  const { user, sessionId, refreshToken } = await ctx.db.transaction().execute(async (trx) => {
    const row = await users.insertUser(trx, { email: input.email, name: input.name, password_hash: passwordHash });
    const session = await openSession(ctx, trx, row.id);
    await audit(trx, ctx, { actorId: row.id, action: 'auth.register', targetType: 'user', targetId: row.id });
    // The verification mail, sent by a job committed with the account.
    await ctx.jobs.send(trx, 'account.verification', { userId: row.id });
    return { user: users.toUser(row), ...session };
  });
  return issuePayload(ctx, user, sessionId, refreshToken);
}

export async function login(ctx: Context, input: LoginInput): Promise<AuthPayload> {
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
  const { user, sessionId, refreshToken, evicted } = await ctx.db.transaction().execute(async (trx) => {
    // The password was verified without a lock. Under the user row's lock, a password change or a
    // deactivation that committed since is seen here; one still in flight waits for this
    // transaction and then revokes the session it opens.
    const current = await users.lockUser(trx, row.id);
    if (!current || current.password_version !== row.password_version) throw unauthorized(INVALID_CREDENTIALS);
    if (!current.active) throw forbidden(ACCOUNT_DISABLED);
    if (rehashed) await users.rehashPassword(trx, row.id, row.password_version, rehashed);
    const session = await openSession(ctx, trx, row.id);
    const evicted = await repo.revokeLeastRecentlyUsedSessions(
      trx,
      { userId: row.id, keepSessionId: session.sessionId, max: ctx.config.sessionsPerUserMax },
      'session_limit',
    );
    await audit(trx, ctx, {
      actorId: row.id,
      action: 'auth.login',
      targetType: 'session',
      targetId: session.sessionId,
      ...(evicted.length > 0 ? { metadata: { revokedSessions: evicted.length } } : {}),
    });
    return { user: users.toUser(current), ...session, evicted };
  });
  await broadcastRevocation(ctx, evicted, row.id);
  return issuePayload(ctx, user, sessionId, refreshToken);
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

  const rotated = await ctx.db.transaction().execute(async (trx) => {
    const won = await repo.rotateRefreshToken(trx, tokenHash);
    if (!won) return undefined;
    const session = await repo.findSessionWithUser(trx, won.session_id);
    // Revocation is terminal: a revoked family never mints again.
    if (!session || session.revokedAt || session.expired || !session.active) return null;
    const user = await users.findUserById(trx, session.userId);
    if (!user) return null;
    const refreshToken = generateRefreshToken();
    await repo.insertRefreshToken(trx, {
      sessionId: session.id,
      tokenHash: hashRefreshToken(refreshToken),
      expiresAt: new Date(Date.now() + ctx.config.refreshTokenTtlDays * DAY_MS),
    });
    await repo.touchSession(trx, session.id);
    return { user, sessionId: session.id, refreshToken };
  });
  if (rotated) return issuePayload(ctx, users.toUser(rotated.user), rotated.sessionId, rotated.refreshToken);
  if (rotated === null) throw unauthorized(INVALID_REFRESH);

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

export async function changePassword(ctx: AuthedContext, input: ChangePasswordInput): Promise<{ success: true }> {
  const row = await users.findUserById(ctx.db, ctx.user.id);
  if (!row) throw unauthorized('User no longer exists');
  if (!(await ctx.hasher.verify(row.password_hash, input.currentPassword))) {
    throw badRequest('Current password is incorrect');
  }
  const passwordHash = await ctx.hasher.hash(input.newPassword);
  const revoked = await ctx.db.transaction().execute(async (trx) => {
    // The lock sign-ins take: one that verified the old password either finished before (and its
    // session is revoked below) or sees the new version and opens none.
    const current = await users.lockUser(trx, ctx.user.id);
    if (!current) throw unauthorized('User no longer exists');
    // Another change committed since the verification above: the current password is no longer it.
    if (current.password_version !== row.password_version) throw badRequest('Current password is incorrect');
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

/** Creates the bootstrap admin (`ADMIN_EMAIL` / `ADMIN_PASSWORD`) when no user has that email. */
export async function ensureAdmin(
  deps: Pick<Context, 'db' | 'hasher'>,
  email: string,
  password: string,
): Promise<UserRow | undefined> {
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
