// Needs a real Redis: runs in the services project only (see tooling/vitest-modes.ts).
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearRedisPrefix, connectTestRedis } from '../testing/index.js';
import { createRateLimiter, type RateLimitDecision, type RateLimitRuleName } from './rate-limit.js';

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
