// Rate limits per procedure rule (the README's table): rate-limiter-flexible on Redis when configured, the same limiter in
// memory otherwise, and the in-memory one as insurance when Redis fails.
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

export type RateLimitRuleName = 'login' | 'login_account' | 'auth' | 'refresh' | 'default';

export interface RateLimitRule {
  points: number;
  durationSeconds: number;
}

export const RATE_LIMIT_RULES: Record<RateLimitRuleName, RateLimitRule> = {
  /** Sign-ins per address + email. */
  login: { points: 5, durationSeconds: 15 * 60 },
  /** Sign-ins per email from any address (an address the account signed in from is let through). */
  login_account: { points: 20, durationSeconds: 15 * 60 },
  auth: { points: 50, durationSeconds: 15 * 60 },
  refresh: { points: 150, durationSeconds: 5 * 60 },
  default: { points: 1000, durationSeconds: 60 * 60 },
};

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
}

export function createRateLimiter(options: RateLimiterOptions): RateLimiter {
  const limiters = new Map<RateLimitRuleName, RuleLimiters>();
  for (const [name, rule] of Object.entries(RATE_LIMIT_RULES) as [RateLimitRuleName, RateLimitRule][]) {
    const points = Math.max(1, Math.round(rule.points * options.multiplier));
    const base = { points, duration: rule.durationSeconds, keyPrefix: `${options.prefix}rl:${name}` };
    const insurance = new RateLimiterMemory(base);
    const primary = options.redis ? new RateLimiterRedis({ ...base, storeClient: options.redis }) : insurance;
    limiters.set(name, { limit: points, primary, insurance });
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
      const { primary, insurance, limit } = get(rule);
      let result: RateLimitDecision;
      try {
        result = await consumeWith(primary, limit, key);
      } catch (error) {
        if (primary === insurance) throw error;
        options.onStoreFailure?.(error);
        result = await consumeWith(insurance, limit, key);
      }
      options.onDecision?.(rule, result);
      return result;
    },
    async reset(rule, key) {
      const { primary, insurance } = get(rule);
      await insurance.delete(key);
      if (primary !== insurance) {
        try {
          await primary.delete(key);
        } catch (error) {
          options.onStoreFailure?.(error);
        }
      }
    },
    async refund(rule, key) {
      const { primary, insurance } = get(rule);
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
