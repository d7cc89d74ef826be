// The only initTRPC: procedures, middleware (errors, rate limits, auth, roles) and the error formatter.

import type { Role } from '@keel/db';
import { initTRPC } from '@trpc/server';
import type { OpenApiMeta } from 'trpc-to-openapi';
import {
  AppError,
  forbidden,
  isDatabaseUnavailable,
  isUniqueViolation,
  toPublicError,
  unauthorized,
} from './common/errors.js';
import type { RateLimitRuleName } from './common/rate-limit.js';
import type { Context } from './context.js';
import { findSessionState } from './modules/auth/auth.repository.js';

// A type, not an interface: trpc-to-openapi wants meta assignable to Record<string, unknown>.
type KeelMeta = {
  /**
   * Rate-limit rules for this procedure (SPEC §5.5). Unset means the `default` rule; each call of a
   * batch counts.
   */
  rateLimit?: RateLimitRuleName[];
};

/** Procedure meta: rate limits, and `openapi` (method, path, tags, protect, summary) for the REST surface `/api`. */
export type ProcedureMeta = OpenApiMeta<KeelMeta>;

const t = initTRPC
  .context<Context>()
  .meta<ProcedureMeta>()
  .create({
    // Keep-alives through proxies, and the client reconnects if the server goes quiet.
    sse: {
      ping: { enabled: true, intervalMs: 15_000 },
      client: { reconnectAfterInactivityMs: 30_000 },
    },
    errorFormatter({ shape, error, ctx, path }) {
      const publicError = toPublicError(error);
      return {
        message: publicError.message,
        code: shape.code,
        data: {
          code: publicError.code,
          httpStatus: shape.data.httpStatus,
          path: path ?? null,
          requestId: ctx?.requestId ?? null,
          ...(publicError.details ? { details: publicError.details } : {}),
          ...(publicError.retryAfterSeconds !== undefined ? { retryAfter: publicError.retryAfterSeconds } : {}),
        },
      };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

/**
 * Maps what the database says to the application's codes, and logs the unexpected with the
 * request id before the formatter hides it from the client.
 */
const errorBoundary = t.middleware(async ({ ctx, next, path }) => {
  const result = await next();
  if (result.ok) return result;
  const { error } = result;
  if (isUniqueViolation(error.cause)) throw new AppError('CONFLICT', 'Already exists', { cause: error.cause });
  if (isDatabaseUnavailable(error.cause)) {
    ctx.log.error({ err: error.cause, path }, 'database unavailable');
    throw new AppError('SERVICE_UNAVAILABLE', 'The service is temporarily unavailable, try again shortly', {
      cause: error.cause,
      retryAfterSeconds: 2,
    });
  }
  if (toPublicError(error).code === 'INTERNAL_ERROR') {
    ctx.log.error({ err: error.cause ?? error, path }, 'unhandled error in procedure');
  }
  return result;
});

function rateLimitKey(rule: RateLimitRuleName, ctx: Context, rawInput: unknown): string {
  if (rule === 'login') {
    const email = (rawInput as { email?: unknown } | undefined)?.email;
    const normalized = typeof email === 'string' ? email.trim().toLowerCase() : '';
    return `${ctx.ip}|${normalized}`;
  }
  if (rule === 'default' && ctx.token) return `user:${ctx.token.userId}`;
  return `ip:${ctx.ip}`;
}

const rateLimited = t.middleware(async ({ ctx, meta, next, getRawInput }) => {
  const rules = meta?.rateLimit ?? ['default'];
  const rawInput = rules.includes('login') ? await getRawInput().catch(() => undefined) : undefined;
  for (const rule of rules) {
    const decision = await ctx.rateLimiter.consume(rule, rateLimitKey(rule, ctx, rawInput));
    ctx.response.setHeader('X-RateLimit-Limit', String(decision.limit));
    ctx.response.setHeader('X-RateLimit-Remaining', String(decision.remaining));
    ctx.response.setHeader('X-RateLimit-Reset', String(decision.resetSeconds));
    if (!decision.allowed) {
      ctx.response.setHeader('Retry-After', String(decision.resetSeconds));
      throw new AppError('RATE_LIMITED', 'Too many requests, try again later', {
        retryAfterSeconds: decision.resetSeconds,
      });
    }
  }
  const result = await next();
  // A successful sign-in forgives the failed attempts before it (SPEC §5.5).
  if (result.ok && rules.includes('login')) {
    await ctx.rateLimiter.reset('login', rateLimitKey('login', ctx, rawInput));
  }
  return result;
});

/** Hands every call, tRPC and REST alike, to the host's observer (tracing, metrics, the request log line). */
const observed = t.middleware(({ ctx, path, type, next }) =>
  ctx.observeProcedure ? ctx.observeProcedure({ path, type, userId: ctx.token?.userId }, () => next()) : next(),
);

export const publicProcedure = t.procedure.use(observed).use(errorBoundary).use(rateLimited);

export interface AuthedUser {
  id: string;
  role: Role;
  sessionId: string;
}

/**
 * A valid, unrevoked access token. Revocations and role changes come from the session-state
 * store (Redis or memory); if that store fails, the database answers instead.
 */
export const authedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const { token } = ctx;
  if (!token) throw unauthorized(ctx.tokenInvalid ? 'Invalid or expired access token' : 'Authentication required');
  let revoked: boolean;
  let role: Role = token.role;
  try {
    const state = await ctx.sessionState.lookup(token.sessionId, token.userId);
    revoked = state.revoked;
    role = state.role ?? role;
  } catch (error) {
    ctx.log.warn({ err: error }, 'session-state store failed; checking the session in the database');
    const state = await findSessionState(ctx.db, token.sessionId);
    revoked = !state || state.revokedAt !== null || !state.active;
    if (state) role = state.role;
  }
  if (revoked) throw unauthorized('Session has been revoked');
  const user: AuthedUser = { id: token.userId, role, sessionId: token.sessionId };
  // tRPC merges this into the context; spreading the whole context here would copy it twice.
  return next({ ctx: { user } });
});

export function roleProcedure(...roles: [Role, ...Role[]]) {
  return authedProcedure.use(({ ctx, next }) => {
    if (!roles.includes(ctx.user.role)) throw forbidden(`Requires role ${roles.join(' or ')}`);
    return next();
  });
}

/** Any signed-in role may read; GUEST is read-only, so writes go through `writerProcedure`. */
export const writerProcedure = roleProcedure('USER', 'ADMIN');
export const adminProcedure = roleProcedure('ADMIN');

export type AuthedContext = Context & { user: AuthedUser };
