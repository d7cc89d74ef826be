// The only initTRPC: procedures, middleware (errors, rate limits, auth, roles) and the error formatter.

import type { Role } from '@keel/db';
import { getTRPCErrorFromUnknown, initTRPC, type TRPCError } from '@trpc/server';
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
import type { Context, ProcedureCall } from './context.js';
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
 * What the database says, in the application's codes: the replacement for `error`, or `undefined`
 * to keep it. The unexpected is logged with the request id before the formatter hides it from the
 * client.
 */
function mappedError(ctx: Context, path: string, error: TRPCError): AppError | undefined {
  if (isUniqueViolation(error.cause)) return new AppError('CONFLICT', 'Already exists', { cause: error.cause });
  if (isDatabaseUnavailable(error.cause)) {
    ctx.log.error({ err: error.cause, path }, 'database unavailable');
    return new AppError('SERVICE_UNAVAILABLE', 'The service is temporarily unavailable, try again shortly', {
      cause: error.cause,
      retryAfterSeconds: 2,
    });
  }
  if (toPublicError(error).code === 'INTERNAL_ERROR') {
    ctx.log.error({ err: error.cause ?? error, path }, 'unhandled error in procedure');
  }
  return undefined;
}

function rateLimitKey(rule: RateLimitRuleName, ctx: Context, rawInput: unknown): string {
  if (rule === 'login') {
    const email = (rawInput as { email?: unknown } | undefined)?.email;
    const normalized = typeof email === 'string' ? email.trim().toLowerCase() : '';
    return `${ctx.ip}|${normalized}`;
  }
  if (rule === 'default' && ctx.token) return `user:${ctx.token.userId}`;
  return `ip:${ctx.ip}`;
}

/** Counts the call against each of its rules; over a limit, refuses it with `Retry-After`. */
async function enforceRateLimits(ctx: Context, rules: readonly RateLimitRuleName[], rawInput: unknown): Promise<void> {
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
}

interface GuardOptions {
  ctx: Context;
  path: string;
  type: ProcedureCall['type'];
  meta: ProcedureMeta | undefined;
  getRawInput: () => Promise<unknown>;
}

type CallResult = { ok: true } | { ok: false; error: TRPCError };

/**
 * Every call, tRPC and REST alike: handed to the host's observer (tracing, metrics, the request
 * log line), counted against its rate limits, then `proceed` (the procedure, after whatever the
 * procedure kind checks first), with database errors mapped on the way out, whether thrown here or
 * returned by the procedure. One tRPC middleware does all of it because every layer of tRPC's
 * middleware chain is another async frame and two copies of the call's options (docs/performance.md,
 * changes 11 and 13).
 */
async function guard<R extends CallResult>(options: GuardOptions, proceed: () => Promise<R>): Promise<R> {
  const { ctx, path, type } = options;
  const run = async (): Promise<R | CallResult> => {
    try {
      const result = await limited(options, proceed);
      if (result.ok) return result;
      const replacement = mappedError(ctx, path, result.error);
      return replacement ? { ok: false, error: replacement } : result;
    } catch (thrown) {
      const error = getTRPCErrorFromUnknown(thrown);
      return { ok: false, error: mappedError(ctx, path, error) ?? error };
    }
  };
  const outcome = ctx.observeProcedure
    ? await ctx.observeProcedure({ path, type, userId: ctx.token?.userId }, run)
    : await run();
  // tRPC turns the error back into the same failed result.
  if (!outcome.ok) throw outcome.error;
  return outcome as R;
}

async function limited<R extends CallResult>(
  { ctx, meta, getRawInput }: GuardOptions,
  proceed: () => Promise<R>,
): Promise<R> {
  const rules = meta?.rateLimit ?? DEFAULT_RULES;
  const signIn = rules.includes('login');
  const rawInput = signIn ? await getRawInput().catch(() => undefined) : undefined;
  await enforceRateLimits(ctx, rules, rawInput);
  const result = await proceed();
  // A successful sign-in forgives the failed attempts before it (SPEC §5.5).
  if (result.ok && signIn) await ctx.rateLimiter.reset('login', rateLimitKey('login', ctx, rawInput));
  return result;
}

const DEFAULT_RULES: readonly RateLimitRuleName[] = ['default'];

export const publicProcedure = t.procedure.use(({ ctx, path, type, meta, getRawInput, next }) =>
  guard({ ctx, path, type, meta, getRawInput }, () => next()),
);

export interface AuthedUser {
  id: string;
  role: Role;
  sessionId: string;
}

/**
 * A valid, unrevoked access token, and one of `roles` when given. Revocations and role changes
 * come from the session-state store (Redis or memory); if that store fails, the database answers
 * instead.
 */
async function authenticate(ctx: Context, roles: readonly Role[] | undefined): Promise<AuthedUser> {
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
  if (roles && !roles.includes(role)) throw forbidden(`Requires role ${roles.join(' or ')}`);
  return { id: token.userId, role, sessionId: token.sessionId };
}

function signedInProcedure(roles?: readonly Role[]) {
  return t.procedure.use(({ ctx, path, type, meta, getRawInput, next }) =>
    guard({ ctx, path, type, meta, getRawInput }, async () => {
      const user = await authenticate(ctx, roles);
      // tRPC merges this into the context; spreading the whole context here would copy it twice.
      return next({ ctx: { user } });
    }),
  );
}

export const authedProcedure = signedInProcedure();

export function roleProcedure(...roles: [Role, ...Role[]]) {
  return signedInProcedure(roles);
}

/** Any signed-in role may read; GUEST is read-only, so writes go through `writerProcedure`. */
export const writerProcedure = roleProcedure('USER', 'ADMIN');
export const adminProcedure = roleProcedure('ADMIN');

export type AuthedContext = Context & { user: AuthedUser };
