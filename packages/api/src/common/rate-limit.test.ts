import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearRedisPrefix, connectTestRedis, testRedisUrl } from '../testing/index.js';
import { unreachableRedis } from '../testing/unreachable.js';
import {
  createRateLimiter,
  RATE_LIMIT_RULES,
  type RateLimitDecision,
  type RateLimiterOptions,
  type RateLimitRuleName,
} from './rate-limit.js';

let redis: Redis | undefined;
let down: Redis;
const prefixes: string[] = [];

beforeAll(async () => {
  redis = await connectTestRedis();
  down = unreachableRedis();
});
afterAll(async () => {
  if (redis) {
    for (const prefix of prefixes) await clearRedisPrefix(redis, prefix);
    redis.disconnect();
  }
  down.disconnect();
});

function freshPrefix(): string {
  const prefix = `keel-test:rl:${randomBytes(4).toString('hex')}:`;
  prefixes.push(prefix);
  return prefix;
}

/** The store a limiter uses: in process, or the real Redis when the suite runs on services. */
const stores: ['memory' | 'redis', () => Redis | undefined][] = [['memory', () => undefined]];
if (testRedisUrl) stores.push(['redis', () => redis]);

function limiterOn(store: () => Redis | undefined, options: Partial<RateLimiterOptions> = {}) {
  return createRateLimiter({ redis: store(), prefix: freshPrefix(), multiplier: 1, ...options });
}

async function consumeTimes(limiter: ReturnType<typeof createRateLimiter>, rule: RateLimitRuleName, n: number) {
  const decisions: RateLimitDecision[] = [];
  for (let i = 0; i < n; i++) decisions.push(await limiter.consume(rule, 'key'));
  return decisions;
}

describe('rate limits: rules counted per key, Redis or memory', () => {
  it.each([
    ['login', 5, 15 * 60],
    ['login_account', 20, 15 * 60],
    ['auth', 50, 15 * 60],
    ['refresh', 150, 5 * 60],
    ['mfa', 30, 15 * 60],
    ['mfa_account', 10, 15 * 60],
    ['default', 1000, 60 * 60],
  ] as const)('the %s rule allows %i calls per %i seconds', (rule, points, seconds) => {
    expect(RATE_LIMIT_RULES[rule]).toMatchObject({ points, durationSeconds: seconds });
  });
});

describe.each(stores)('rate limiter on %s', (_name, store) => {
  it.each(['login', 'login_account', 'auth', 'refresh', 'mfa', 'mfa_account', 'default'] as const)(
    'the %s rule allows exactly its limit, counting down, then refuses until the window resets',
    async (rule) => {
      const { points, durationSeconds } = RATE_LIMIT_RULES[rule];
      const limiter = limiterOn(store);
      const allowed = await consumeTimes(limiter, rule, points);
      expect(allowed.every((decision) => decision.allowed && decision.limit === points)).toBe(true);
      expect(allowed.map((decision) => decision.remaining).slice(-3)).toEqual([2, 1, 0]);
      const refused = await limiter.consume(rule, 'key');
      expect(refused).toMatchObject({ allowed: false, limit: points, remaining: 0 });
      expect(refused.resetSeconds).toBeGreaterThanOrEqual(1);
      expect(refused.resetSeconds).toBeLessThanOrEqual(durationSeconds);
    },
  );

  it('the multiplier scales every limit', async () => {
    const limiter = limiterOn(store, { multiplier: 3 });
    expect((await limiter.consume('login', 'key')).limit).toBe(15);
    expect((await limiter.consume('default', 'key')).limit).toBe(3000);
  });

  it('a tiny multiplier still leaves every limit at one call, never zero', async () => {
    const limiter = limiterOn(store, { multiplier: 0.0001 });
    const [first, second] = await consumeTimes(limiter, 'default', 2);
    expect(first).toMatchObject({ allowed: true, limit: 1, remaining: 0 });
    expect(second).toMatchObject({ allowed: false, limit: 1 });
  });

  it('counts each key on its own', async () => {
    const limiter = limiterOn(store);
    await consumeTimes(limiter, 'login', 5);
    expect((await limiter.consume('login', 'key')).allowed).toBe(false);
    expect(await limiter.consume('login', 'other-key')).toMatchObject({ allowed: true, remaining: 4 });
  });

  it('counts each rule on its own for the same key', async () => {
    const limiter = limiterOn(store);
    await consumeTimes(limiter, 'login', 6);
    expect(await limiter.consume('auth', 'key')).toMatchObject({ allowed: true, remaining: 49 });
  });

  it('a reset forgives the calls counted so far', async () => {
    const limiter = limiterOn(store);
    await consumeTimes(limiter, 'login', 5);
    await limiter.reset('login', 'key');
    expect(await limiter.consume('login', 'key')).toMatchObject({ allowed: true, remaining: 4 });
  });

  it('a refund gives back one counted call', async () => {
    const limiter = limiterOn(store);
    await consumeTimes(limiter, 'login', 5);
    await limiter.refund('login', 'key');
    expect(await limiter.consume('login', 'key')).toMatchObject({ allowed: true, remaining: 0 });
    expect((await limiter.consume('login', 'key')).allowed).toBe(false);
  });

  it('a refund after a reset or for an unknown key never grants more than the limit', async () => {
    const limiter = limiterOn(store);
    await limiter.consume('login', 'key');
    await limiter.reset('login', 'key');
    await limiter.refund('login', 'key');
    await limiter.refund('login', 'never-counted');
    const decisions = await consumeTimes(limiter, 'login', 6);
    expect(decisions.map((decision) => decision.allowed)).toEqual([true, true, true, true, true, false]);
    expect(await limiter.consume('login', 'never-counted')).toMatchObject({ allowed: true, remaining: 4 });
  });

  it('reports every decision, allowed or refused, to the host', async () => {
    const seen: [RateLimitRuleName, boolean][] = [];
    const limiter = limiterOn(store, {
      multiplier: 0.0001,
      onDecision: (rule, decision) => seen.push([rule, decision.allowed]),
    });
    await consumeTimes(limiter, 'refresh', 2);
    expect(seen).toEqual([
      ['refresh', true],
      ['refresh', false],
    ]);
  });
});

describe('rate limiter while Redis is down', () => {
  /** A limiter on the unreachable Redis, and every store failure it reports. */
  function limiterOnDownRedis() {
    const failures: unknown[] = [];
    const limiter = createRateLimiter({
      redis: down,
      prefix: freshPrefix(),
      multiplier: 1,
      onStoreFailure: (error) => failures.push(error),
    });
    return { limiter, failures };
  }

  it('keeps serving from the in-memory limiter and reports the store failure', async () => {
    const { limiter, failures } = limiterOnDownRedis();
    const decision = await limiter.consume('default', 'key');
    expect(decision).toMatchObject({ allowed: true, limit: 1000, remaining: 999 });
    expect(failures).toHaveLength(1);
    expect(failures[0]).toBeInstanceOf(Error);
  });

  it('still enforces the limit in memory', async () => {
    const { limiter } = limiterOnDownRedis();
    const decisions = await consumeTimes(limiter, 'login', 6);
    expect(decisions.map((decision) => decision.allowed)).toEqual([true, true, true, true, true, false]);
  });

  it('a refund gives the point back in memory and reports that Redis could not take it', async () => {
    const { limiter, failures } = limiterOnDownRedis();
    await consumeTimes(limiter, 'login', 5);
    failures.length = 0;
    await expect(limiter.refund('login', 'key')).resolves.toBeUndefined();
    expect(failures).toHaveLength(1);
    expect((await limiter.consume('login', 'key')).allowed).toBe(true);
    expect((await limiter.consume('login', 'key')).allowed).toBe(false);
  });

  it('a reset still forgives the in-memory count and reports that Redis could not be reset', async () => {
    const { limiter, failures } = limiterOnDownRedis();
    await consumeTimes(limiter, 'login', 5);
    failures.length = 0;
    await expect(limiter.reset('login', 'key')).resolves.toBeUndefined();
    expect(failures).toHaveLength(1);
    expect((await limiter.consume('login', 'key')).allowed).toBe(true);
  });
});
