// Rate limits per procedure rule (the README's table): rate-limiter-flexible on Redis when configured, the same limiter in
// memory otherwise, and the in-memory one as insurance when Redis fails. The generous `default` rule
// counts in process first and settles with Redis in batches (local-first counting, below).
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { ResponseControl } from '../context.js';
import { AppError } from './errors.js';

export type RateLimitRuleName =
  | 'login'
  | 'login_account'
  | 'auth'
  | 'refresh'
  | 'mail'
  | 'mail_ip'
  | 'mfa'
  | 'mfa_account'
  | 'default';

export interface RateLimitRule {
  points: number;
  durationSeconds: number;
  /**
   * Counted in process and settled with Redis in batches instead of a round trip per call: for a
   * generous rule, where a few calls over the limit across instances do no harm (`LocalFirstCounter`).
   */
  localFirst?: boolean;
}

export const RATE_LIMIT_RULES: Record<RateLimitRuleName, RateLimitRule> = {
  /** Sign-ins per address + email. */
  login: { points: 5, durationSeconds: 15 * 60 },
  /** Sign-ins per email from any address (an address the account signed in from is let through). */
  login_account: { points: 20, durationSeconds: 15 * 60 },
  auth: { points: 50, durationSeconds: 15 * 60 },
  refresh: { points: 150, durationSeconds: 5 * 60 },
  /** Mails asked for one address (a reset's email, or the caller's own for a resend): no mailbox flooded. */
  mail: { points: 5, durationSeconds: 60 * 60 },
  /** Mails asked for from one client address, whatever the targets. */
  mail_ip: { points: 20, durationSeconds: 60 * 60 },
  /** Second-factor attempts (auth.mfa.verify) per client address. */
  mfa: { points: 30, durationSeconds: 15 * 60 },
  /**
   * Wrong second-factor codes per account, counted by the service (modules/auth) whatever the
   * address or the challenge: a right code forgives them.
   */
  mfa_account: { points: 10, durationSeconds: 15 * 60 },
  default: { points: 1000, durationSeconds: 60 * 60, localFirst: true },
};

/** How often the local-first counts are settled with Redis. */
export const LOCAL_FIRST_SETTLE_MS = 100;

/** The calls one instance may count for a key before settling it: 1 % of the limit, 1 to 100. */
export function localFirstBatch(limit: number): number {
  return Math.min(100, Math.max(1, Math.floor(limit / 100)));
}

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets. */
  resetSeconds: number;
}

export interface RateLimiter {
  consume(rule: RateLimitRuleName, key: string): Promise<RateLimitDecision>;
  reset(rule: RateLimitRuleName, key: string): Promise<void>;
  /** Gives back one point `consume` took, for a call that turned out not to count. */
  refund(rule: RateLimitRuleName, key: string): Promise<void>;
}

export interface RateLimiterOptions {
  redis?: Redis | undefined;
  prefix: string;
  multiplier: number;
  /** Called when Redis fails and the in-memory limiter answers instead. */
  onStoreFailure?: (error: unknown) => void;
  /** Called with every decision (the host counts rejections); must not throw. */
  onDecision?: (rule: RateLimitRuleName, decision: RateLimitDecision) => void;
}

interface RuleLimiters {
  limit: number;
  primary: RateLimiterRedis | RateLimiterMemory;
  insurance: RateLimiterMemory;
  local?: LocalFirstCounter;
}

interface LocalCount {
  /** Whether Redis has been asked in this window (answered or failed: either way, later calls decide here). */
  known: boolean;
  /** The key's count in Redis at the last settlement, this instance's settled calls included. */
  settled: number;
  /** Calls counted here and not yet added in Redis. */
  unsent: number;
  /** When the window ends, as Redis said at the last settlement. */
  resetAt: number;
  settling?: Promise<void>;
}

/**
 * Counts a rule's calls in process and adds them to the shared count in Redis every
 * `LOCAL_FIRST_SETTLE_MS` or every `localFirstBatch(limit)` calls of a key, whichever comes first.
 * A key's first call in a window waits for Redis, so a key spent on another instance is refused at
 * once. Between settlements, each of N instances admits only while the shared count it last saw plus
 * its own unsent calls is under the limit, and holds at most a batch unsent (a call that would make
 * more waits for the settlement in flight), so a window admits at most the limit plus what the other
 * N − 1 instances hold unsent: (N − 1) × batch (docs/performance.md). While Redis fails, calls are
 * decided here against the last shared count, and sent when Redis answers again.
 */
class LocalFirstCounter {
  private readonly counts = new Map<string, LocalCount>();
  private readonly timer: NodeJS.Timeout;
  private readonly batch: number;

  constructor(
    private readonly store: RateLimiterRedis,
    private readonly limit: number,
    private readonly durationMs: number,
    private readonly onStoreFailure: ((error: unknown) => void) | undefined,
  ) {
    this.batch = localFirstBatch(limit);
    this.timer = setInterval(() => this.settleAll(), LOCAL_FIRST_SETTLE_MS);
    this.timer.unref();
  }

  async consume(key: string): Promise<RateLimitDecision> {
    const count = this.current(key);
    if (!count.known) {
      // The key's first call in this window here asks Redis, so that a key spent on another
      // instance is refused at once; calls that arrive meanwhile wait for the same answer.
      if (!count.settling) {
        count.unsent += 1;
        await this.settle(key, count);
        return this.decision(count, count.settled <= this.limit);
      }
      await count.settling;
    }
    // A full batch waits for the settlement in flight: no instance holds more than a batch unsent.
    while (count.unsent >= this.batch && count.settling) await count.settling;
    const allowed = count.settled + count.unsent < this.limit;
    if (allowed) {
      count.unsent += 1;
      if (count.unsent >= this.batch) void this.settle(key, count);
    }
    return this.decision(count, allowed);
  }

  /** The key's count in the current window; a window that has ended starts afresh. */
  private current(key: string): LocalCount {
    const existing = this.counts.get(key);
    if (existing && existing.resetAt > Date.now()) return existing;
    const count: LocalCount = { known: false, settled: 0, unsent: 0, resetAt: Date.now() + this.durationMs };
    this.counts.set(key, count);
    return count;
  }

  private decision(count: LocalCount, allowed: boolean): RateLimitDecision {
    return {
      allowed,
      limit: this.limit,
      remaining: Math.max(0, this.limit - count.settled - count.unsent),
      resetSeconds: Math.max(1, Math.ceil((count.resetAt - Date.now()) / 1000)),
    };
  }

  /** Adds the unsent calls of `key` to Redis and learns the shared count. */
  private settle(key: string, count: LocalCount): Promise<void> {
    if (count.settling) return count.settling;
    const sending = count.unsent;
    if (sending === 0) return Promise.resolve();
    count.settling = this.store
      .penalty(key, sending)
      .then(
        (res) => {
          count.known = true;
          count.unsent -= sending;
          count.settled = res.consumedPoints;
          count.resetAt = Date.now() + res.msBeforeNext;
        },
        (error: unknown) => {
          // Kept unsent, and decided here meanwhile; the next settlement sends it.
          count.known = true;
          this.onStoreFailure?.(error);
        },
      )
      .finally(() => {
        count.settling = undefined;
      });
    return count.settling;
  }

  private settleAll(): void {
    const now = Date.now();
    for (const [key, count] of this.counts) {
      if (count.resetAt <= now) this.counts.delete(key);
      else if (count.unsent > 0) void this.settle(key, count);
    }
  }

  async delete(key: string): Promise<void> {
    this.counts.delete(key);
    await this.store.delete(key);
  }

  /** Takes one call back from those not yet sent to Redis; false when there is none (Redis has them all). */
  takeBackUnsent(key: string): boolean {
    const count = this.counts.get(key);
    if (!count || count.unsent === 0) return false;
    count.unsent -= 1;
    return true;
  }
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const limiters = new Map<RateLimitRuleName, RuleLimiters>();
  for (const [name, rule] of Object.entries(RATE_LIMIT_RULES) as [RateLimitRuleName, RateLimitRule][]) {
    const points = Math.max(1, Math.round(rule.points * options.multiplier));
    const base = { points, duration: rule.durationSeconds, keyPrefix: `${options.prefix}rl:${name}` };
    const insurance = new RateLimiterMemory(base);
    const primary = options.redis ? new RateLimiterRedis({ ...base, storeClient: options.redis }) : insurance;
    // In memory every count is already in process.
    const local =
      rule.localFirst && primary instanceof RateLimiterRedis
        ? new LocalFirstCounter(primary, points, rule.durationSeconds * 1000, options.onStoreFailure)
        : undefined;
    limiters.set(name, { limit: points, primary, insurance, local });
  }

  const get = (rule: RateLimitRuleName) => limiters.get(rule) as RuleLimiters;

  function decision(limit: number, res: RateLimiterRes, allowed: boolean): RateLimitDecision {
    return {
      allowed,
      limit,
      remaining: Math.max(0, res.remainingPoints),
      resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
    };
  }

  async function consumeWith(
    limiter: RateLimiterRedis | RateLimiterMemory,
    limit: number,
    key: string,
  ): Promise<RateLimitDecision> {
    try {
      return decision(limit, await limiter.consume(key), true);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return decision(limit, rejection, false);
      throw rejection;
    }
  }

  /**
   * One point back. A key that has meanwhile been reset or has expired would go below zero and
   * grant an extra call, so it is removed instead (the same as a fresh window).
   */
  async function refundWith(limiter: RateLimiterRedis | RateLimiterMemory, key: string): Promise<void> {
    const res = await limiter.reward(key, 1);
    if (res.consumedPoints < 0) await limiter.delete(key);
  }

  return {
    async consume(rule, key) {
      const { primary, insurance, limit, local } = get(rule);
      let result: RateLimitDecision;
      try {
        result = local ? await local.consume(key) : await consumeWith(primary, limit, key);
      } catch (error) {
        if (primary === insurance) throw error;
        options.onStoreFailure?.(error);
        result = await consumeWith(insurance, limit, key);
      }
      options.onDecision?.(rule, result);
      return result;
    },
    async reset(rule, key) {
      const { primary, insurance, local } = get(rule);
      await insurance.delete(key);
      if (primary !== insurance) {
        try {
          await (local ?? primary).delete(key);
        } catch (error) {
          options.onStoreFailure?.(error);
        }
      }
    },
    async refund(rule, key) {
      const { primary, insurance, local } = get(rule);
      if (local?.takeBackUnsent(key)) return;
      try {
        await refundWith(primary, key);
      } catch (error) {
        if (primary === insurance) throw error;
        // The point was taken where `consume` could count it: in memory while Redis failed.
        options.onStoreFailure?.(error);
        await refundWith(insurance, key);
      }
    },
  };
}

/** Tells the client where it stands against a rule: `X-RateLimit-Limit`, `-Remaining`, `-Reset`. */
export function setLimitHeaders(response: ResponseControl, decision: RateLimitDecision): void {
  response.setHeader('X-RateLimit-Limit', String(decision.limit));
  response.setHeader('X-RateLimit-Remaining', String(decision.remaining));
  response.setHeader('X-RateLimit-Reset', String(decision.resetSeconds));
}

/** The answer to a call over a limit: its headers, `Retry-After`, and 429 `RATE_LIMITED`. */
export function refuseOverLimit(
  response: ResponseControl,
  decision: RateLimitDecision,
  message = 'Too many requests, try again later',
): never {
  setLimitHeaders(response, decision);
  response.setHeader('Retry-After', String(decision.resetSeconds));
  throw new AppError('RATE_LIMITED', message, { retryAfterSeconds: decision.resetSeconds });
}

/**
 * Counts one call against `rule` under `key`, for a limit a procedure's own rules cannot key (a
 * count per account found by the service, an HTTP route outside tRPC); 429 beyond it.
 */
export async function enforceRateLimit(
  ctx: { rateLimiter: RateLimiter; response: ResponseControl },
  rule: RateLimitRuleName,
  key: string,
  message?: string,
): Promise<void> {
  const decision = await ctx.rateLimiter.consume(rule, key);
  if (!decision.allowed) refuseOverLimit(ctx.response, decision, message);
}
