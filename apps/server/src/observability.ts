// What the host records of each request: its trace span, HTTP metrics, and once the response is
// sent, what its procedures wrote into the request's observation (RequestObservation of
// packages/api/src/context.ts): per-procedure metrics and the one completion log line.
import { type ProcedureCall, type ProcedureTracer, type RequestObservation, toPublicError } from '@keel/api/server';
import { context } from '@opentelemetry/api';
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pathOf } from './dashboard.js';
import { sendHostError } from './http/errors.js';
import { type Metrics, registerMetricsRoute, type Transport } from './metrics.js';
import type { ProcedureOutcome, Tracing } from './tracing.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Created with the request's procedure context (http/context.ts); null on routes without procedures. */
    observation: RequestObservation | null;
  }
}

function transportOf(request: FastifyRequest): Transport {
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

/** What the guard hands each call to when tracing is on: the call runs inside its own span. */
export function procedureTracer(tracing: Tracing | undefined): ProcedureTracer | undefined {
  return tracing && ((call, run) => tracing.traceProcedure(call, run, outcomeOf));
}

/** `auth.me,credits.balance`: the procedures of a request in call order, without an array per request. */
function procedurePaths(calls: readonly ProcedureCall[]): string | undefined {
  const first = calls[0];
  if (!first) return undefined;
  let paths = first.path;
  for (let i = 1; i < calls.length; i++) paths += `,${calls[i]?.path}`;
  return paths;
}

function observeProcedures(metrics: Metrics, request: FastifyRequest, calls: readonly ProcedureCall[]): void {
  const transport = transportOf(request);
  for (const call of calls) {
    // A call still running has no result to count (it cannot be, once tRPC has answered).
    if (call.seconds === undefined) continue;
    metrics.observeProcedure({
      procedure: call.path,
      type: call.type,
      transport,
      statusCode: call.error ? getHTTPStatusCodeFromError(call.error) : 200,
      seconds: call.seconds,
    });
  }
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
  /** SLOW_REQUEST_MS: a request that took longer is logged at warn. */
  slowRequestMs: number;
}

const refuseMetrics = (request: FastifyRequest, reply: FastifyReply) =>
  sendHostError(request, reply, 'UNAUTHORIZED', 'A valid metrics token is required');

/** Request hooks (spans, metrics, the completion log line) and GET /metrics. */
export function registerObservability(app: FastifyInstance, options: ObservabilityOptions): void {
  const { metrics, tracing, slowRequestMs } = options;
  app.decorateRequest('observation', null);
  if (tracing) {
    app.addHook('onRequest', async (request) => tracing.startRequest(request));
    app.addHook('onRequestAbort', async (request) => tracing.endRequest(request, 'aborted'));
    // Callback style on purpose: the route handler runs inside `done`, so it and everything it
    // awaits see the request's span as current (procedure spans become its children).
    app.addHook('preHandler', (request, _reply, done) => context.with(tracing.requestContext(request), done));
  }
  app.addHook('onResponse', (request, reply, done) => {
    const durationMs = reply.elapsedTime;
    const { observation } = request;
    metrics.observeHttp(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, durationMs / 1000);
    if (observation) observeProcedures(metrics, request, observation.calls);
    tracing?.endRequest(request, reply.statusCode);
    const line = {
      method: request.method,
      url: pathOf(request.url),
      status: reply.statusCode,
      durationMs: Math.round(durationMs * 100) / 100,
      userId: observation?.userId,
      procedure: observation ? procedurePaths(observation.calls) : undefined,
    };
    if (durationMs > slowRequestMs) request.log.warn(line, 'slow request');
    else request.log.info(line, 'request completed');
    done();
  });
  if (options.metricsToken || options.metricsOpenWithoutToken) {
    registerMetricsRoute(app, metrics, options.metricsToken, refuseMetrics);
    return;
  }
  // Process and per-user numbers are not for the internet; the server still starts, closed.
  app.log.warn('METRICS_TOKEN is not set: /metrics answers 401 (set it, or METRICS_PUBLIC=true to open the route)');
  app.get('/metrics', (request, reply) => {
    reply.header('www-authenticate', 'Bearer realm="metrics"');
    return refuseMetrics(request, reply);
  });
}
