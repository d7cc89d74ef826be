// The only initTRPC: procedures, middleware (errors, rate limits, auth, roles) and the error formatter.

import type { Role, TeamRole } from '@keel/db';
import { getTRPCErrorFromUnknown, initTRPC, type TRPCError } from '@trpc/server';
import type { OpenApiMeta } from 'trpc-to-openapi';
import { noteLogged } from './common/error-log.js';
import {
  AppError,
  forbidden,
  isDatabaseUnavailable,
  isPoolExhausted,
  isUniqueViolation,
  toPublicError,
  unauthorized,
} from './common/errors.js';
import {
  type RateLimitDecision,
  type RateLimitRuleName,
  refuseOverLimit,
  setLimitHeaders,
} from './common/rate-limit.js';
import { hasSecondFactor } from './common/tokens.js';
import type { Context, ProcedureCall } from './context.js';
import { isKnownSignInAddress } from './modules/auth/auth.service.js';
import { TeamScopedInput } from './modules/teams/teams.schema.js';
import { auditAdminRead, teamAccess } from './modules/teams/teams.service.js';
import { isEmailVerified } from './modules/users/users.service.js';

// A type, not an interface: trpc-to-openapi wants meta assignable to Record<string, unknown>.
type KeelMeta = {
  /**
   * Rate-limit rules for this procedure (`RATE_LIMIT_RULES` in common/rate-limit.ts). Unset means the `default` rule; each call of a
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
  if (isPoolExhausted(error.cause)) {
    // Overload, not an outage: every connection is busy, and it clears as calls finish.
    ctx.log.warn({ path }, 'database pool exhausted');
    return new AppError('SERVICE_UNAVAILABLE', 'The service is busy, try again shortly', {
      cause: error.cause,
      retryAfterSeconds: 1,
    });
  }
  if (isDatabaseUnavailable(error.cause)) {
    ctx.log.error({ err: error.cause, path }, 'database unavailable');
    return new AppError('SERVICE_UNAVAILABLE', 'The service is temporarily unavailable, try again shortly', {
      cause: error.cause,
      retryAfterSeconds: 2,
    });
  }
  if (toPublicError(error).code === 'INTERNAL_ERROR') {
    ctx.log.error({ err: error.cause ?? error, path }, 'unhandled error in procedure');
    noteLogged(error);
  }
  return undefined;
}

/** An address of the input as the rules count it: the same normalization as the input schema. */
function inputEmail(rawInput: unknown, field: 'email' | 'newEmail'): string {
  const email = (rawInput as Record<string, unknown> | undefined)?.[field];
  return typeof email === 'string' ? email.trim().toLowerCase() : '';
}

const signInEmail = (rawInput: unknown) => inputEmail(rawInput, 'email');

function rateLimitKey(rule: RateLimitRuleName, ctx: Context, rawInput: unknown): string {
  if (rule === 'login') return `${ctx.ip}|${signInEmail(rawInput)}`;
  if (rule === 'login_account') return signInEmail(rawInput);
  // The address the mail goes to: the input's (a new address, for an email change), or the
  // signed-in caller's own.
  if (rule === 'mail') {
    return signInEmail(rawInput) || inputEmail(rawInput, 'newEmail') || `user:${ctx.token?.userId ?? ''}`;
  }
  // An API key has its own allowance, apart from its owner's interactive calls.
  if (rule === 'default' && ctx.token)
    return ctx.token.apiKey ? `key:${ctx.token.apiKey.id}` : `user:${ctx.token.userId}`;
  return `ip:${ctx.ip}`;
}

/**
 * Rules that count failed sign-ins only: a point is given back when the password was never checked
 * (see `limited`).
 */
const SIGN_IN_RULES: readonly RateLimitRuleName[] = ['login', 'login_account'];
const isSignInRule = (rule: RateLimitRuleName) => SIGN_IN_RULES.includes(rule);

/** Rules whose key is the input's email (`rateLimitKey`): the sign-in rules, and the mails asked for an address. */
const INPUT_KEYED_RULES: readonly RateLimitRuleName[] = [...SIGN_IN_RULES, 'mail'];
const isInputKeyedRule = (rule: RateLimitRuleName) => INPUT_KEYED_RULES.includes(rule);

/**
 * Counts the call against each of its rules, in order, and reports the tightest in the headers;
 * over a limit, refuses it with `Retry-After`. Sign-in rules it counted are added to `counted`, even
 * when it then throws, so the caller can give them back.
 */
async function enforceRateLimits(
  ctx: Context,
  rules: readonly RateLimitRuleName[],
  rawInput: unknown,
  counted?: RateLimitRuleName[],
): Promise<void> {
  let tightest: RateLimitDecision | undefined;
  for (const rule of rules) {
    const decision = await ctx.rateLimiter.consume(rule, rateLimitKey(rule, ctx, rawInput));
    if (counted && isSignInRule(rule)) counted.push(rule);
    if (decision.allowed) {
      if (!tightest || decision.remaining < tightest.remaining) tightest = decision;
      continue;
    }
    // The owner's usual address is not held by the per-account rule (isKnownSignInAddress); asked only
    // once the account's allowance is spent, so ordinary sign-ins never pay for the query.
    if (rule === 'login_account' && (await isKnownSignInAddress(ctx.db, signInEmail(rawInput), ctx.ip))) continue;
    refuseOverLimit(ctx.response, decision);
  }
  if (tightest) setLimitHeaders(ctx.response, tightest);
}

/**
 * A sign-in failure that counts: the credentials were checked and refused (401), or were right for
 * a disabled account (403). Anything else — invalid input, another rule's 429, a full hashing
 * queue's 503, a database error — happened before or without a password check.
 */
function checkedCredentials(error: TRPCError): boolean {
  return error.code === 'UNAUTHORIZED' || error.code === 'FORBIDDEN';
}

async function giveBack(ctx: Context, rules: readonly RateLimitRuleName[], rawInput: unknown): Promise<void> {
  for (const rule of rules) await ctx.rateLimiter.refund(rule, rateLimitKey(rule, ctx, rawInput));
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
 * Every call, tRPC and REST alike: recorded in the request's observation (the host's trace span,
 * metrics and log line), counted against its rate limits, then `proceed` (the procedure, after
 * whatever the procedure kind checks first), with database errors mapped on the way out, whether
 * thrown here or returned by the procedure. One tRPC middleware does all of it because every layer
 * of tRPC's middleware chain is another async frame and two copies of the call's options
 * (docs/performance.md#one-trpc-middleware-per-procedure-kind).
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
  const { observation } = ctx;
  let outcome: R | CallResult;
  if (observation) {
    const call: ProcedureCall = { path, type, userId: ctx.token?.userId, seconds: undefined, error: undefined };
    observation.calls.push(call);
    observation.userId ??= call.userId;
    const started = performance.now();
    outcome = observation.trace ? await observation.trace(call, run) : await run();
    call.seconds = (performance.now() - started) / 1000;
    if (!outcome.ok) call.error = outcome.error;
  } else outcome = await run();
  // tRPC turns the error back into the same failed result.
  if (!outcome.ok) throw outcome.error;
  return outcome as R;
}

async function limited<R extends CallResult>(
  { ctx, meta, getRawInput }: GuardOptions,
  proceed: () => Promise<R>,
): Promise<R> {
  const rules = meta?.rateLimit ?? DEFAULT_RULES;
  // Only a rule keyed by the input's address reads the input before the procedure does.
  const rawInput = rules.some(isInputKeyedRule) ? await getRawInput().catch(() => undefined) : undefined;
  if (!rules.some(isSignInRule)) {
    await enforceRateLimits(ctx, rules, rawInput);
    return proceed();
  }
  // Sign-in rules count failed password checks only: a call refused before its password was
  // checked gives its points back, so flooding the hashing queue or sending junk never locks the
  // real user out.
  const counted: RateLimitRuleName[] = [];
  let result: R;
  try {
    await enforceRateLimits(ctx, rules, rawInput, counted);
    result = await proceed();
  } catch (error) {
    await giveBack(ctx, counted, rawInput);
    throw error;
  }
  if (result.ok) {
    // A successful sign-in forgives the failed attempts before it.
    for (const rule of counted) await ctx.rateLimiter.reset(rule, rateLimitKey(rule, ctx, rawInput));
  } else if (!checkedCredentials(result.error)) {
    await giveBack(ctx, counted, rawInput);
  }
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
 * What an account whose address is not verified may still call while verification is required:
 * signing in and out, asking for a new link, and setting its name.
 */
const callableUnverified = (path: string) =>
  path.startsWith('auth.') || path === 'users.updateProfile' || path === 'sso.identities';

/**
 * What a session without a second factor may still call when its role requires one
 * (MFA_REQUIRED_ROLES): signing in and out, turning two-step verification on, and seeing the
 * account's sign-in methods (the account page lists them).
 */
const callableWithoutSecondFactor = (path: string) => path.startsWith('auth.') || path === 'sso.identities';

/**
 * What an API key may never call: signing in and out and the account's credentials (but
 * `auth.me`), the keys themselves, and admin work, which is interactive.
 */
const closedToApiKeys = (path: string) =>
  (path.startsWith('auth.') && path !== 'auth.me') ||
  path.startsWith('apiKeys.') ||
  path.startsWith('sso.') ||
  path.startsWith('admin.');

/**
 * A valid, unrevoked access token, and one of `roles` when given. Revocations and role changes
 * come from the session-state store, which answers from the database whenever Redis cannot. An
 * API key was checked as it was read (modules/api-keys: live, its owner active, their role now).
 */
async function authenticate(
  ctx: Context,
  path: string,
  type: ProcedureCall['type'],
  roles: readonly Role[] | undefined,
): Promise<AuthedUser> {
  const { token } = ctx;
  if (!token) throw unauthorized(ctx.tokenInvalid ? 'Invalid or expired access token' : 'Authentication required');
  let role: Role;
  if (token.apiKey) {
    if (closedToApiKeys(path)) throw forbidden('An API key cannot call this procedure: sign in to do this');
    if (token.apiKey.scope === 'read' && type === 'mutation') throw forbidden('This API key is read-only');
    role = token.role;
  } else {
    // Answered from memory on an ordinary call: awaited only when the store has to ask the database.
    const found = ctx.sessionState.lookup(token.sessionId, token.userId);
    const state = found instanceof Promise ? await found : found;
    if (state.revoked) throw unauthorized('Session has been revoked');
    role = state.role ?? token.role;
  }
  if (roles && !roles.includes(role)) throw forbidden(`Requires role ${roles.join(' or ')}`);
  // The token's own claim, so it costs no query. An API key is not held to it: it is not
  // interactive, and it never calls auth.* or admin.* (docs/two-step.md).
  if (
    !token.apiKey &&
    ctx.config.mfaRequiredRoles.includes(role) &&
    !hasSecondFactor(token) &&
    !callableWithoutSecondFactor(path)
  ) {
    throw new AppError(
      'MFA_REQUIRED',
      'Your role requires two-step verification: turn it on on your account page, then sign in again with a code',
    );
  }
  if (token.emailVerified === false && ctx.config.emailVerificationRequired && !callableUnverified(path)) {
    // The token says what was true when it was signed: the link may have been followed since.
    if (!(await isEmailVerified(ctx.db, token.userId))) {
      throw new AppError(
        'EMAIL_NOT_VERIFIED',
        'Confirm your email address first: follow the link we mailed you, or ask for a new one',
      );
    }
  }
  return { id: token.userId, role, sessionId: token.sessionId };
}

function signedInProcedure(roles?: readonly Role[]) {
  return t.procedure.use(({ ctx, path, type, meta, getRawInput, next }) =>
    guard({ ctx, path, type, meta, getRawInput }, async () => {
      const user = await authenticate(ctx, path, type, roles);
      // tRPC merges this into the context; spreading the whole context here would copy it twice.
      return next({ ctx: { user } });
    }),
  );
}

export const authedProcedure = signedInProcedure();

/**
 * The caller of a public procedure that also serves signed-in callers: undefined without a bearer
 * token; with one, checked as a signed-in procedure checks it (an invalid or revoked token is a 401).
 */
export function optionalUser(ctx: Context, path: string, type: ProcedureCall['type']): Promise<AuthedUser | undefined> {
  if (!ctx.token && !ctx.tokenInvalid) return Promise.resolve(undefined);
  return authenticate(ctx, path, type, undefined);
}

export function roleProcedure(...roles: [Role, ...Role[]]) {
  return signedInProcedure(roles);
}

/** Any signed-in role may read; GUEST is read-only, so writes go through `writerProcedure`. */
export const writerProcedure = roleProcedure('USER', 'ADMIN');
export const adminProcedure = roleProcedure('ADMIN');

export type AuthedContext = Context & { user: AuthedUser };

/**
 * A call about one team (the input's `teamId`): signed in, and a member with at least `minRole`,
 * read from the database on every call (modules/teams/teams.service.ts `teamAccess`): 404 for a
 * non-member, 403 below the role. The service gets the access as `ctx.team`, never a role from the
 * input or the token. A global ADMIN acts as OWNER of any team (`globalAdmin: false` refuses that),
 * and each of their reads is audited; their writes audit themselves with `asGlobalAdmin`.
 */
export function teamProcedure(minRole: TeamRole, options: { globalAdmin?: boolean } = {}) {
  const globalAdmin = options.globalAdmin ?? true;
  return signedInProcedure()
    .input(TeamScopedInput)
    .use(async ({ ctx, input, path, type, next }) => {
      const team = await teamAccess(ctx, input.teamId, minRole, { globalAdmin });
      if (team.asGlobalAdmin && type === 'query') await auditAdminRead({ ...ctx, team }, path);
      return next({ ctx: { team } });
    });
}
