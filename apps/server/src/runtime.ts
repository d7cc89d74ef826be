// Composition: builds every dependency once from the configuration, and closes them in order.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  APP_QUEUES,
  type AppDeps,
  type AppQueues,
  appJobHandlers,
  createApiKeyVerifier,
  createMemoryEventBus,
  createMemorySessionState,
  createPasswordHasher,
  createRateLimiter,
  createRedisEventBus,
  createRedisSessionState,
  createSessionRecord,
  createTokenService,
  ensureAdmin,
  startJobs,
} from '@keel/api/server';
import { type Database, migrateToLatest, openDatabase } from '@keel/db';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { buildApp } from './app.js';
import type { ServerConfig } from './config.js';
import { DEFAULT_WEB_DIST } from './dashboard.js';
import type { HealthCheck } from './health.js';
import { apiConfigOf, mailerOf } from './mail.js';
import { createMetrics } from './metrics.js';
import { createShutdownState, drainConnections, shutdownTimes, stopAccepting, trackConnections } from './shutdown.js';
import { createTracing, tracingEnabled } from './tracing.js';

export interface Runtime {
  app: FastifyInstance;
  deps: AppDeps;
  database: Database;
  redis: Redis | undefined;
  /**
   * The graceful shutdown: readiness answers 503 at once, the listener keeps accepting for
   * `delayMs`, then stops; live streams end, every request received is answered, and Redis, the
   * database and tracing close.
   */
  close(options?: { delayMs?: number }): Promise<void>;
}

export async function connectRedis(url: string, logger: Logger): Promise<Redis> {
  const redis = new Redis(url, {
    // A dead Redis must fail a command fast, not queue it and hang the request.
    enableOfflineQueue: false,
    commandTimeout: 500,
    // Commands issued in the same tick (the rate limit and session check of concurrent requests)
    // share one write and one read: a round trip per command cost ~25 µs of CPU (docs/performance.md).
    enableAutoPipelining: true,
    maxRetriesPerRequest: 1,
    lazyConnect: true,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  let lastWarning = 0;
  redis.on('error', (error) => {
    // ioredis reports every reconnect attempt; one line per 10 s is enough.
    if (Date.now() - lastWarning > 10_000) {
      lastWarning = Date.now();
      logger.warn({ err: error }, 'redis connection error');
    }
  });
  try {
    await redis.connect();
  } catch (error) {
    logger.warn({ err: error }, 'redis unavailable at start; retrying in the background');
  }
  return redis;
}

/** A warning logger for a condition that repeats on every request while it lasts: one line per 10 s. */
function throttledWarning(logger: Logger): (message: string, error: unknown) => void {
  let last = 0;
  return (message, error) => {
    if (Date.now() - last < 10_000) return;
    last = Date.now();
    logger.warn({ err: error }, message);
  };
}

export interface RuntimeOverrides {
  /** An already-open database (tests bring their own); the runtime still migrates and closes it. */
  database?: Database;
  /** Turns tracing on with this exporter (tests read spans from memory). */
  spanExporter?: SpanExporter;
}

export async function createRuntime(
  config: ServerConfig,
  logger: Logger,
  overrides: RuntimeOverrides = {},
): Promise<Runtime> {
  const tracingOptions = { exporter: overrides.spanExporter };
  const database =
    overrides.database ??
    (await openDatabase({
      url: config.DATABASE_URL,
      pgliteDir: join(config.DATA_DIR, 'pglite'),
      poolMax: config.DATABASE_POOL_MAX,
      statementTimeoutMs: config.STATEMENT_TIMEOUT_MS,
      // Statements are published for tracing's spans only.
      publishQueries: tracingEnabled(config, tracingOptions),
    }));
  logger.info({ database: database.kind }, 'migrating database');
  await migrateToLatest(database.db);

  let redis: Redis | undefined;
  if (config.REDIS_URL) {
    redis = await connectRedis(config.REDIS_URL, logger);
  } else {
    logger.warn(
      'REDIS_URL is not set: rate limits, revocations and live events stay in this process (single instance only)',
    );
  }
  const prefix = config.REDIS_KEY_PREFIX;
  const apiConfig = apiConfigOf(config);
  const mailer = mailerOf(config, apiConfig, logger);
  const jobs = await startJobs<AppQueues>({ database, queues: APP_QUEUES, logger, maintain: config.JOBS_WORKER });
  const events = redis
    ? await createRedisEventBus({ redis, prefix, onError: (err) => logger.warn({ err }, 'event bus error') })
    : createMemoryEventBus();

  const metrics = createMetrics({
    hashQueue: () => deps.hasher.stats(),
    pool: () => database.poolStats(),
    eventStreams: () => events.streams.stats(),
    jobsWaiting: () => jobs.waiting(),
  });
  const tracing = createTracing(config, tracingOptions);
  if (tracing) logger.info({ endpoint: config.OTEL_EXPORTER_OTLP_ENDPOINT }, 'tracing on');

  const durableSessionState = redis
    ? createRedisSessionState({
        redis,
        prefix,
        ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
        record: createSessionRecord(database.db),
        onDegraded: throttledWarning(logger),
      })
    : undefined;
  const sessionState = durableSessionState ?? createMemorySessionState(config.ACCESS_TOKEN_TTL_SECONDS);
  const rateLimitStoreWarning = throttledWarning(logger);
  const deps: AppDeps = {
    db: database.db,
    config: apiConfig,
    logger,
    hasher: createPasswordHasher({
      memoryCost: config.ARGON2_MEMORY_COST,
      timeCost: config.ARGON2_TIME_COST,
      parallelism: config.ARGON2_PARALLELISM,
      concurrency: config.HASH_CONCURRENCY,
      maxQueue: config.HASH_QUEUE_MAX,
    }),
    tokens: await createTokenService({
      secret: config.JWT_ACCESS_SECRET,
      previousSecret: config.JWT_ACCESS_SECRET_PREVIOUS,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    }),
    sessionState,
    rateLimiter: createRateLimiter({
      redis,
      prefix,
      multiplier: config.RATE_LIMIT_MULTIPLIER,
      onStoreFailure: (err) => {
        metrics.rateLimitStoreFailure();
        rateLimitStoreWarning('rate-limit store failed; counted in this process meanwhile', err);
      },
      onDecision: metrics.rateLimitDecision,
    }),
    events,
    jobs,
    apiKeys: createApiKeyVerifier({ db: database.db, logger }),
  };
  if (config.JOBS_WORKER) {
    await jobs.work(appJobHandlers({ db: database.db, mailer, config: apiConfig, logger }), metrics.jobOutcome);
  }
  logger.info({ mail: mailer.destination, worker: config.JOBS_WORKER }, 'jobs started');

  if (config.ADMIN_EMAIL && config.ADMIN_PASSWORD) {
    const created = await ensureAdmin(deps, config.ADMIN_EMAIL, config.ADMIN_PASSWORD);
    if (created) logger.info({ email: created.email }, 'bootstrap admin created');
  }

  const healthChecks: HealthCheck[] = [{ name: 'database', check: () => database.ping() }];
  if (redis) {
    const client = redis;
    healthChecks.push({ name: 'redis', check: async () => void (await client.ping()) });
  }
  const shutdown = createShutdownState();
  const app = await buildApp({
    config,
    deps,
    healthChecks,
    webDistDir: config.WEB_DIST_DIR ?? DEFAULT_WEB_DIST,
    metrics,
    tracing,
    shutdown,
  });
  const connections = trackConnections(app.server);

  return {
    app,
    deps,
    database,
    redis,
    async close({ delayMs = 0 } = {}) {
      shutdown.draining = true;
      // A load balancer polling /health/ready stops routing here while requests are still served.
      if (delayMs > 0) await sleep(delayMs);
      const drainDeadline = Date.now() + shutdownTimes(delayMs).drainMs;
      await stopAccepting(app.server);
      shutdown.stopped = true;
      // Live event streams never finish on their own: end them so the drain can.
      await events.close();
      await drainConnections(app.server, connections, drainDeadline, logger);
      // Every connection has ended: Fastify's own close only runs its onClose hooks now.
      await app.close();
      // Running jobs finish (or are retried by another worker later) before the database goes.
      await jobs.stop();
      mailer.close();
      durableSessionState?.close();
      redis?.disconnect();
      await database.close();
      await tracing?.shutdown();
    },
  };
}
