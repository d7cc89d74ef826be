// Ties each procedure call to its HTTP request for tracing, metrics and the completion log line,
// without threading the request through the API layer: an AsyncLocalStorage around each handler.
import { AsyncLocalStorage } from 'node:async_hooks';
import { type ProcedureObserver, toPublicError } from '@keel/api/server';
import { context } from '@opentelemetry/api';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type Metrics, registerMetricsRoute, type Transport } from './metrics.js';
import type { ProcedureOutcome, Tracing } from './tracing.js';

/** What the procedures of one request did, for its completion log line. */
export interface RequestObservation {
  /** Procedure paths in call order (a tRPC batch has several). */
  procedures: string[];
  userId: string | undefined;
}

const currentRequest = new AsyncLocalStorage<FastifyRequest>();
const observations = new WeakMap<FastifyRequest, RequestObservation>();

export function observationOf(request: FastifyRequest): RequestObservation | undefined {
  return observations.get(request);
}

function transportOf(request: FastifyRequest | undefined): Transport {
  if (!request) return 'internal';
  // The route, not the raw URL: `/%61pi/projects` is a REST call too.
  return request.routeOptions.url?.startsWith('/api/') ? 'rest' : 'trpc';
}

/** The HTTP status and application code a procedure result stands for (each call of a batch has its own). */
export function outcomeOf(result: { ok: boolean; error?: unknown }): ProcedureOutcome {
  if (result.ok) return { statusCode: 200 };
  const error =
    result.error instanceof TRPCError
      ? result.error
      : new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause: result.error });
  return { statusCode: getHTTPStatusCodeFromError(error), errorCode: toPublicError(error).code };
}

export function createProcedureObserver(metrics: Metrics, tracing: Tracing | undefined): ProcedureObserver {
  return async (call, run) => {
    const request = currentRequest.getStore();
    let seen: RequestObservation | undefined;
    if (request) {
      seen = observations.get(request) ?? { procedures: [], userId: undefined };
      observations.set(request, seen);
      seen.procedures.push(call.path);
      seen.userId ??= call.userId;
    }
    const started = performance.now();
    const result = tracing ? await tracing.traceProcedure(call, run, outcomeOf) : await run();
    // Sign-in procedures have no token yet but answer with the user: that is who the line is about.
    if (seen && !seen.userId && result.ok) {
      const user = (result as { data?: { user?: { id?: unknown } } }).data?.user;
      if (typeof user?.id === 'string') seen.userId = user.id;
    }
    metrics.observeProcedure({
      procedure: call.path,
      type: call.type,
      transport: transportOf(request),
      statusCode: outcomeOf(result).statusCode,
      seconds: (performance.now() - started) / 1000,
    });
    return result;
  };
}

export interface ObservabilityOptions {
  metrics: Metrics;
  tracing: Tracing | undefined;
  metricsToken: string | undefined;
  /**
   * Whether /metrics may answer without a token when none is set: in development, or in production
   * with METRICS_PUBLIC=true. Otherwise it is closed (every scrape 401) until METRICS_TOKEN is set.
   */
  metricsOpenWithoutToken: boolean;
  /** Answers 401 in the host's error envelope. */
  unauthorized: (request: FastifyRequest, reply: FastifyReply) => unknown;
}

/** Request hooks (spans, HTTP metrics, the request scope) and GET /metrics. */
export function registerObservability(app: FastifyInstance, options: ObservabilityOptions): void {
  const { metrics, tracing } = options;
  if (tracing) {
    app.addHook('onRequest', async (request) => tracing.startRequest(request));
    app.addHook('onRequestAbort', async (request) => tracing.endRequest(request, 'aborted'));
  }
  // Callback style on purpose: the route handler runs inside `done`, so it and everything it
  // awaits see this request (and its span) as current.
  app.addHook('preHandler', (request, _reply, done) => {
    if (tracing) currentRequest.run(request, () => context.with(tracing.requestContext(request), done));
    else currentRequest.run(request, done);
  });
  app.addHook('onResponse', (request, reply, done) => {
    metrics.observeHttp(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    tracing?.endRequest(request, reply.statusCode);
    done();
  });
  if (options.metricsToken || options.metricsOpenWithoutToken) {
    registerMetricsRoute(app, metrics, options.metricsToken, options.unauthorized);
    return;
  }
  // Process and per-user numbers are not for the internet; the server still starts, closed.
  app.log.warn('METRICS_TOKEN is not set: /metrics answers 401 (set it, or METRICS_PUBLIC=true to open the route)');
  app.get('/metrics', (request, reply) => {
    reply.header('www-authenticate', 'Bearer realm="metrics"');
    return options.unauthorized(request, reply);
  });
}
