// Test dependencies: the real database and Redis (when configured), cheap argon2, captured logs.
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pino, { type Logger } from 'pino';
import { createMemoryEventBus, createRedisEventBus, type EventBus } from '../common/events.js';
import { createPasswordHasher, type PasswordHasher } from '../common/hash.js';
import { startJobs } from '../common/jobs.js';
import { createRateLimiter } from '../common/rate-limit.js';
import { createMemorySessionState, createRedisSessionState } from '../common/session-state.js';
import { createTokenService } from '../common/tokens.js';
import type { ApiConfig } from '../config.js';
import { type AppDeps, createContextInner, type RequestInfo, type ResponseControl } from '../context.js';
import { APP_QUEUES, type AppQueues } from '../jobs.js';
import { createApiKeyVerifier } from '../modules/api-keys/api-keys.service.js';
import { createSessionRecord } from '../modules/auth/session-record.js';
import { appRouter } from '../root.js';
import { createCallerFactory } from '../trpc.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { testRedisUrl } from './env.js';

export const TEST_SECRET = 'test-secret-test-secret-test-secret-0123456789';

/** Where the links of test mails point (PUBLIC_URL); the dashboard never runs there. */
export const TEST_PUBLIC_URL = 'http://dashboard.keel.test';

/** argon2id at a test cost; one test checks the production parameters on their own. */
export const TEST_HASH_PARAMS = { memoryCost: 1024, timeCost: 1, parallelism: 1 };

export interface TestDeps extends AppDeps {
  database: TestDatabase;
  redis: Redis | undefined;
  redisPrefix: string;
  /** Every log line written through `logger`, parsed. */
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

export interface TestDepsOptions {
  config?: Partial<ApiConfig>;
  hasher?: PasswordHasher;
  rateLimitMultiplier?: number;
  /** Use Redis when configured (default true). */
  redis?: boolean;
  /** Queue policies that differ from the application's (a retry delay of a second, say). */
  queues?: Partial<typeof APP_QUEUES>;
}

export async function connectTestRedis(): Promise<Redis | undefined> {
  if (!testRedisUrl) return undefined;
  const redis = new Redis(testRedisUrl, { enableOfflineQueue: false, commandTimeout: 1000, lazyConnect: true });
  await redis.connect();
  return redis;
}

/** Removes every key under a test's prefix. */
export async function clearRedisPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) await redis.del(...keys);
  } while (cursor !== '0');
}

export function captureLogger(): { logger: Logger; logs: Record<string, unknown>[] } {
  const logs: Record<string, unknown>[] = [];
  const logger = pino(
    { level: 'debug' },
    {
      write(line: string) {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  );
  return { logger, logs };
}

export async function createTestDeps(options: TestDepsOptions = {}): Promise<TestDeps> {
  const database = await createTestDatabase();
  const redis = options.redis === false ? undefined : await connectTestRedis();
  const redisPrefix = `keel-test:${process.pid}:${randomBytes(4).toString('hex')}:`;
  const config: ApiConfig = {
    accessTokenTtlSeconds: 900,
    refreshTokenTtlDays: 7,
    refreshReuseGraceSeconds: 10,
    eventStreamsPerUser: 20,
    eventStreamsMax: 1000,
    searchesPerUser: 2,
    sessionsPerUserMax: 50,
    auditExportMaxRows: 100_000,
    publicUrl: TEST_PUBLIC_URL,
    auditRetentionDays: undefined,
    signupMode: 'open',
    emailVerificationRequired: false,
    signupDomains: [],
    mfaRequiredRoles: [],
    passwordLogin: true,
    ssoSessionMaxHours: 24,
    sessionMaxDays: 30,
    ...options.config,
  };
  const { logger, logs } = captureLogger();
  // Sends only: a test that needs its jobs worked starts the workers (`deps.jobs.work`).
  const jobs = await startJobs<AppQueues>({
    database: database,
    queues: { ...APP_QUEUES, ...options.queues },
    logger,
    maintain: false,
    pollingIntervalSeconds: 0.5,
  });
  const events: EventBus = redis ? await createRedisEventBus({ redis, prefix: redisPrefix }) : createMemoryEventBus();
  const durableSessionState =
    redis &&
    createRedisSessionState({
      redis,
      prefix: redisPrefix,
      ttlSeconds: config.accessTokenTtlSeconds,
      record: createSessionRecord(database.db),
    });
  return {
    db: database.db,
    database,
    redis,
    redisPrefix,
    logs,
    config,
    logger,
    hasher: options.hasher ?? createPasswordHasher({ ...TEST_HASH_PARAMS, concurrency: 4, maxQueue: 1000 }),
    tokens: await createTokenService({
      secret: TEST_SECRET,
      issuer: 'keel',
      audience: 'keel-api',
      accessTtlSeconds: config.accessTokenTtlSeconds,
    }),
    sessionState: durableSessionState ?? createMemorySessionState(config.accessTokenTtlSeconds),
    rateLimiter: createRateLimiter({ redis, prefix: redisPrefix, multiplier: options.rateLimitMultiplier ?? 1000 }),
    events,
    jobs,
    apiKeys: createApiKeyVerifier({ db: database.db, logger }),
    async close() {
      await jobs.stop(2_000);
      durableSessionState?.close();
      await events.close();
      if (redis) {
        await clearRedisPrefix(redis, redisPrefix);
        redis.disconnect();
      }
      await database.destroy();
    },
  };
}

/** A response sink that remembers what procedures set. */
export function recordingResponse(): ResponseControl & {
  headers: Record<string, string>;
  refreshCookie: string | null | undefined;
  /** The lifetime the last refresh cookie was set with. */
  refreshCookieMaxAgeSeconds: number | undefined;
  mfaCookieCleared: boolean;
} {
  const sink = {
    headers: {} as Record<string, string>,
    refreshCookie: undefined as string | null | undefined,
    refreshCookieMaxAgeSeconds: undefined as number | undefined,
    mfaCookieCleared: false,
    setHeader(name: string, value: string) {
      sink.headers[name.toLowerCase()] = value;
    },
    setRefreshCookie(token: string, maxAgeSeconds: number) {
      sink.refreshCookie = token;
      sink.refreshCookieMaxAgeSeconds = maxAgeSeconds;
    },
    clearRefreshCookie() {
      sink.refreshCookie = null;
    },
    clearMfaCookie() {
      sink.mfaCookieCleared = true;
    },
  };
  return sink;
}

const createCaller = createCallerFactory(appRouter);

export interface CallerOptions extends Partial<Omit<RequestInfo, 'authorization'>> {
  accessToken?: string;
  /** Reaches procedures as tRPC's adapter hands it over: aborting it ends subscriptions. */
  signal?: AbortSignal;
}

/** A server-side caller with a fresh context, as if one HTTP request came in. */
export async function callerFor(deps: AppDeps, options: CallerOptions = {}) {
  const { accessToken, signal, ...request } = options;
  const response = request.response ?? recordingResponse();
  const ctx = await createContextInner(deps, {
    requestId: request.requestId ?? `req-${randomBytes(4).toString('hex')}`,
    ip: request.ip ?? '127.0.0.1',
    userAgent: request.userAgent ?? 'vitest',
    authorization: accessToken ? `Bearer ${accessToken}` : undefined,
    refreshCookie: request.refreshCookie,
    mfaCookie: request.mfaCookie,
    response,
    observation: request.observation,
  });
  return createCaller(ctx, signal ? { signal } : {});
}
