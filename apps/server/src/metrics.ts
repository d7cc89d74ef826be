// Prometheus metrics at /metrics: requests and latency by procedure, rate-limit rejections,
// argon2 queue, pg pool, live event streams, process and event loop.
import { timingSafeEqual } from 'node:crypto';
import type { JobOutcome, LiveStreamStats, RateLimitDecision, RateLimitRuleName } from '@keel/api/server';
import type { PoolStats } from '@keel/db';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from '@prometheus-io/client';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Seconds: from a cached read (1 ms) to a slow request (SLOW_REQUEST_MS default is 1 s) and beyond. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export type Transport = 'trpc' | 'rest';

export interface ProcedureSample {
  procedure: string;
  type: string;
  transport: Transport;
  statusCode: number;
  seconds: number;
}

export interface MetricsSources {
  /** argon2 work in flight and waiting (the bounded hashing queue: `HASH_CONCURRENCY` / `HASH_QUEUE_MAX`). */
  hashQueue(): { inFlight: number; queued: number };
  pool(): PoolStats;
  /** `events.onEvent` streams open now, and those superseded or refused since start. */
  eventStreams(): LiveStreamStats;
  /** Jobs waiting per queue (one query of the job tables per scrape). */
  jobsWaiting(): Promise<Record<string, number>>;
}

export interface Metrics {
  /** One call of a procedure: a tRPC call (each call of a batch) or a REST request. */
  observeProcedure(sample: ProcedureSample): void;
  /** One HTTP request, whatever it was for (`route` is the route pattern, never the raw URL). */
  observeHttp(method: string, route: string, statusCode: number, seconds: number): void;
  rateLimitDecision(rule: RateLimitRuleName, decision: RateLimitDecision): void;
  rateLimitStoreFailure(): void;
  /** A job this process worked, as it ended. */
  jobOutcome(outcome: JobOutcome): void;
  render(): Promise<{ contentType: string; body: string }>;
}

// Process metrics are per process, not per server: one registry, created on first use, so that
// several servers in one process (tests) do not each start an event-loop monitor.
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export function createMetrics(sources: MetricsSources): Metrics {
  const registry = new Registry();
  const registers = [registry];
  const procedureLabels = ['procedure', 'type', 'transport', 'status_code'] as const;

  const procedureCalls = new Counter({
    name: 'keel_procedure_calls_total',
    help: 'Procedure calls by procedure, type (query/mutation), transport (trpc/rest) and HTTP status code',
    labelNames: procedureLabels,
    registers,
  });
  const procedureDuration = new Histogram({
    name: 'keel_procedure_duration_seconds',
    help: 'Procedure latency (middleware, validation and handler) by procedure, type, transport and status code',
    labelNames: procedureLabels,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const httpRequests = new Counter({
    name: 'keel_http_requests_total',
    help: 'HTTP requests by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    registers,
  });
  const httpDuration = new Histogram({
    name: 'keel_http_request_duration_seconds',
    help: 'HTTP request latency by method, route pattern and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const rateLimitRejections = new Counter({
    name: 'keel_rate_limit_rejections_total',
    help: 'Calls refused with 429 by rate-limit rule',
    labelNames: ['rule'] as const,
    registers,
  });
  const rateLimitStoreFailures = new Counter({
    name: 'keel_rate_limit_store_failures_total',
    help: 'Rate-limit decisions the in-memory limiter took because Redis failed',
    registers,
  });
  new Gauge({
    name: 'keel_argon2_queue_depth',
    help: 'Password hashes waiting for a slot of the bounded argon2 queue',
    registers,
    collect() {
      this.set(sources.hashQueue().queued);
    },
  });
  new Gauge({
    name: 'keel_argon2_in_flight',
    help: 'Password hashes running now',
    registers,
    collect() {
      this.set(sources.hashQueue().inFlight);
    },
  });
  const pool = (name: string, help: string, read: (stats: PoolStats) => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        this.set(read(sources.pool()));
      },
    });
  pool('keel_db_pool_connections_total', 'Database pool connections open', (s) => s.total);
  pool('keel_db_pool_connections_idle', 'Database pool connections idle', (s) => s.idle);
  pool('keel_db_pool_requests_waiting', 'Queries waiting for a pool connection', (s) => s.waiting);
  new Gauge({
    name: 'keel_event_streams_open',
    help: 'Live event streams (events.onEvent) open in this process',
    registers,
    collect() {
      this.set(sources.eventStreams().open);
    },
  });
  // The stream registry counts; these counters catch up with it at each scrape.
  const streamCounter = (name: string, help: string, read: (stats: LiveStreamStats) => number) => {
    let reported = 0;
    return new Counter({
      name,
      help,
      registers,
      collect() {
        const total = read(sources.eventStreams());
        if (total > reported) this.inc(total - reported);
        reported = total;
      },
    });
  };
  streamCounter(
    'keel_event_streams_superseded_total',
    'Live event streams ended because their user opened more than EVENT_STREAMS_PER_USER',
    (s) => s.superseded,
  );
  streamCounter(
    'keel_event_streams_refused_total',
    'Live event streams refused with 503 because the process held EVENT_STREAMS_MAX',
    (s) => s.refused,
  );

  const jobOutcomes = new Counter({
    name: 'keel_jobs_total',
    help: 'Background jobs this process worked, by queue and outcome (completed, or failed: retried or dead-lettered)',
    labelNames: ['queue', 'outcome'] as const,
    registers,
  });
  new Gauge({
    name: 'keel_jobs_waiting',
    help: 'Background jobs waiting to be worked, by queue (all instances)',
    labelNames: ['queue'] as const,
    registers,
    async collect() {
      // A scrape during a database outage still answers, without this gauge.
      const waiting = await sources.jobsWaiting().catch(() => ({}));
      for (const [queue, count] of Object.entries(waiting)) this.set({ queue }, count);
    },
  });

  return {
    jobOutcome({ queue, outcome }) {
      jobOutcomes.inc({ queue, outcome });
    },
    observeProcedure({ procedure, type, transport, statusCode, seconds }) {
      const labels = { procedure, type, transport, status_code: String(statusCode) };
      procedureCalls.inc(labels);
      procedureDuration.observe(labels, seconds);
    },
    observeHttp(method, route, statusCode, seconds) {
      const labels = { method, route, status_code: String(statusCode) };
      httpRequests.inc(labels);
      httpDuration.observe(labels, seconds);
    },
    rateLimitDecision(rule, decision) {
      if (!decision.allowed) rateLimitRejections.inc({ rule });
    },
    rateLimitStoreFailure() {
      rateLimitStoreFailures.inc();
    },
    async render() {
      const own = await registry.metrics();
      const process = await processMetrics().metrics();
      return { contentType: registry.contentType, body: `${own}\n${process}` };
    },
  };
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** GET /metrics; with a token configured, only for `Authorization: Bearer <token>`. */
export function registerMetricsRoute(
  app: FastifyInstance,
  metrics: Metrics,
  token: string | undefined,
  /** Answers 401 in the host's envelope. */
  refuse: (request: FastifyRequest, reply: FastifyReply) => unknown,
): void {
  app.get('/metrics', async (request, reply) => {
    if (token) {
      const header = request.headers.authorization ?? '';
      const given = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
      if (!sameToken(given, token)) {
        reply.header('www-authenticate', 'Bearer realm="metrics"');
        return refuse(request, reply);
      }
    }
    const { contentType, body } = await metrics.render();
    return reply.type(contentType).send(body);
  });
}
