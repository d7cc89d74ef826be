// Needs a real Redis: runs in the services project only (see tooling/vitest-modes.ts).
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearRedisPrefix, connectTestRedis, until } from '../testing/index.js';
import {
  createRateLimiter,
  LOCAL_FIRST_SETTLE_MS,
  localFirstBatch,
  RATE_LIMIT_RULES,
  type RateLimitDecision,
  type RateLimitRuleName,
} from './rate-limit.js';

let redis: Redis | undefined;
const prefixes: string[] = [];

beforeAll(async () => {
  redis = await connectTestRedis();
});
afterAll(async () => {
  if (redis) {
    for (const prefix of prefixes) await clearRedisPrefix(redis, prefix);
    redis.disconnect();
  }
});

function freshPrefix(): string {
  const prefix = `keel-test:rl:${randomBytes(4).toString('hex')}:`;
  prefixes.push(prefix);
  return prefix;
}

async function consumeTimes(limiter: ReturnType<typeof createRateLimiter>, rule: RateLimitRuleName, n: number) {
  const decisions: RateLimitDecision[] = [];
  for (let i = 0; i < n; i++) decisions.push(await limiter.consume(rule, 'key'));
  return decisions;
}

describe('rate limiter shared through Redis', () => {
  /** Two server instances' limiters on one Redis and one prefix. */
  function twoInstances() {
    const prefix = freshPrefix();
    const instance = () => createRateLimiter({ redis, prefix, multiplier: 1 });
    return [instance(), instance()] as const;
  }

  it('two server instances on one Redis share one count', async () => {
    const [instanceA, instanceB] = twoInstances();
    await consumeTimes(instanceA, 'login', 3);
    await consumeTimes(instanceB, 'login', 2);
    expect((await instanceA.consume('login', 'key')).allowed).toBe(false);
    expect((await instanceB.consume('login', 'key')).allowed).toBe(false);
  });

  it.each(['login', 'login_account', 'auth', 'refresh'] as const)(
    'the %s rule is exact across instances: spent on one, the very next call on the other is refused',
    async (rule) => {
      const [instanceA, instanceB] = twoInstances();
      const { points } = RATE_LIMIT_RULES[rule];
      const spent = await consumeTimes(instanceA, rule, points);
      expect(spent.every((decision) => decision.allowed)).toBe(true);
      expect(await instanceB.consume(rule, 'key')).toMatchObject({ allowed: false, remaining: 0 });
    },
  );

  it('a refund on one instance gives the point back on the other', async () => {
    const [instanceA, instanceB] = twoInstances();
    await consumeTimes(instanceA, 'login_account', 20);
    await instanceB.refund('login_account', 'key');
    expect(await instanceA.consume('login_account', 'key')).toMatchObject({ allowed: true, remaining: 0 });
  });

  it('a reset on one instance forgives the count on the other', async () => {
    const [instanceA, instanceB] = twoInstances();
    await consumeTimes(instanceA, 'login', 5);
    await instanceB.reset('login', 'key');
    expect(await instanceA.consume('login', 'key')).toMatchObject({ allowed: true, remaining: 4 });
  });
});

describe('local-first counting of the default rule', () => {
  const limit = RATE_LIMIT_RULES.default.points;
  const batch = localFirstBatch(limit);
  const storedCount = async (prefix: string, key: string) =>
    Number((await redis?.get(`${prefix}rl:default:${key}`)) ?? 0);

  it('counts calls in process and adds them to the shared count in Redis within the settle interval', async () => {
    const prefix = freshPrefix();
    const limiter = createRateLimiter({ redis, prefix, multiplier: 1 });
    // The first call of the window asks Redis; the next few are only counted here.
    await limiter.consume('default', 'user:a');
    const fewerThanABatch = batch - 2;
    for (let i = 0; i < fewerThanABatch; i++) await limiter.consume('default', 'user:a');
    expect(await storedCount(prefix, 'user:a')).toBe(1);
    const settled = await until(
      () => storedCount(prefix, 'user:a'),
      (count) => count === 1 + fewerThanABatch,
      LOCAL_FIRST_SETTLE_MS * 20,
    );
    expect(settled).toBe(1 + fewerThanABatch);
    expect(await limiter.consume('default', 'user:a')).toMatchObject({
      allowed: true,
      remaining: limit - 2 - fewerThanABatch,
    });
  });

  it('refuses at once the first call of a key another instance has spent', async () => {
    const prefix = freshPrefix();
    const [spender, other] = [0, 1].map(() => createRateLimiter({ redis, prefix, multiplier: 1 }));
    if (!spender || !other) throw new Error('two limiters');
    let admitted = 0;
    while ((await spender.consume('default', 'user:b')).allowed) admitted += 1;
    expect(admitted).toBe(limit);
    await until(
      () => storedCount(prefix, 'user:b'),
      (count) => count >= limit,
      LOCAL_FIRST_SETTLE_MS * 20,
    );
    expect(await other.consume('default', 'user:b')).toMatchObject({ allowed: false, remaining: 0 });
  });

  it('across instances admits the limit, and at most one batch per other instance more', async () => {
    const prefix = freshPrefix();
    const instances = [0, 1, 2].map(() => createRateLimiter({ redis, prefix, multiplier: 1 }));
    const admitted = await Promise.all(
      instances.map(async (limiter) => {
        let count = 0;
        // Each instance serves calls until it refuses, interleaved with the others on the event loop.
        for (let refused = 0; refused < 3; ) {
          if ((await limiter.consume('default', 'user:c')).allowed) count += 1;
          else {
            refused += 1;
            await new Promise((resolve) => setTimeout(resolve, LOCAL_FIRST_SETTLE_MS));
          }
        }
        return count;
      }),
    );
    const total = admitted.reduce((sum, n) => sum + n, 0);
    expect(total).toBeGreaterThanOrEqual(limit);
    expect(total).toBeLessThanOrEqual(limit + (instances.length - 1) * batch);
  });
});
