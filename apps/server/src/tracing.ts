// OpenTelemetry tracing, off unless OTEL_EXPORTER_OTLP_ENDPOINT is set: a span per HTTP request,
// a child per procedure call, and a grandchild per SQL statement.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ProcedureCall } from '@keel/api/server';
import { QUERY_CHANNEL, type QueryEvent } from '@keel/db';
import {
  type Context,
  context,
  defaultTextMapGetter,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import {
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_RPC_METHOD,
  ATTR_RPC_SYSTEM_NAME,
  ATTR_SERVICE_NAME,
  ATTR_URL_PATH,
  DB_SYSTEM_NAME_VALUE_POSTGRESQL,
} from '@opentelemetry/semantic-conventions';
import type { FastifyRequest } from 'fastify';
import { pathOf } from './dashboard.js';

export interface TracingConfig {
  OTEL_EXPORTER_OTLP_ENDPOINT?: string | undefined;
  OTEL_SERVICE_NAME: string;
}

export interface TracingOptions {
  /** Export here instead of OTLP, span by span (tests pass an InMemorySpanExporter). */
  exporter?: SpanExporter;
}

/** What a procedure call ended with, for its span. */
export interface ProcedureOutcome {
  statusCode: number;
  /** The application's error code (docs/architecture.md#error-codes), when the call failed. */
  errorCode?: string;
}

export interface Tracing {
  /** onRequest: opens the request's span (continuing an incoming `traceparent`). */
  startRequest(request: FastifyRequest): void;
  /** The context the rest of the request runs in, so procedure spans become its children. */
  requestContext(request: FastifyRequest): Context;
  /** onResponse (or onRequestAbort): names the span after the route and closes it. */
  endRequest(request: FastifyRequest, statusCode: number | 'aborted'): void;
  /** Runs one procedure call inside its own span; SQL statements run inside become its children. */
  traceProcedure<T>(call: ProcedureCall, run: () => Promise<T>, outcome: (result: T) => ProcedureOutcome): Promise<T>;
  /** Flushes what is buffered and stops exporting. */
  shutdown(): Promise<void>;
}

// The context manager is process-wide; installing it twice would only log an error.
let contextManagerInstalled = false;
function installContextManager(): void {
  if (contextManagerInstalled) return;
  contextManagerInstalled = context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

/** `<endpoint>/v1/traces`, as the OTLP specification derives it from OTEL_EXPORTER_OTLP_ENDPOINT. */
export function tracesUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v1/traces`;
}

/** `select`, `insert`…: the statement's first keyword, a low-cardinality span name. */
function operationOf(sql: string): string {
  return /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase() ?? 'query';
}

/** Where spans go: the exporter a test hands over, the configured OTLP endpoint, or nowhere. */
function spanDestination(
  config: TracingConfig,
  options: TracingOptions,
): { exporter: SpanExporter } | { url: string } | undefined {
  if (options.exporter) return { exporter: options.exporter };
  if (config.OTEL_EXPORTER_OTLP_ENDPOINT) return { url: tracesUrl(config.OTEL_EXPORTER_OTLP_ENDPOINT) };
  return undefined;
}

/** Whether `createTracing` will trace (the host decides from it whether SQL statements are published). */
export function tracingEnabled(config: TracingConfig, options: TracingOptions = {}): boolean {
  return spanDestination(config, options) !== undefined;
}

export function createTracing(config: TracingConfig, options: TracingOptions = {}): Tracing | undefined {
  const destination = spanDestination(config, options);
  if (!destination) return undefined;
  const processor: SpanProcessor =
    'exporter' in destination
      ? new SimpleSpanProcessor({ exporter: destination.exporter })
      : new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: destination.url }) });

  installContextManager();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: config.OTEL_SERVICE_NAME }),
    spanProcessors: [processor],
  });
  const tracer = provider.getTracer('keel');
  const propagator = new W3CTraceContextPropagator();
  const requestSpans = new WeakMap<FastifyRequest, Span>();
  // SQL spans only hang under spans of this tracer (another server in the same process has its own).
  const ownSpans = new WeakSet<Span>();

  const onQuery = (message: unknown) => {
    const parentContext = context.active();
    const parent = trace.getSpan(parentContext);
    if (!parent || !ownSpans.has(parent)) return;
    const event = message as QueryEvent;
    const end = Date.now();
    const operation = operationOf(event.sql);
    const span = tracer.startSpan(
      operation,
      {
        kind: SpanKind.CLIENT,
        startTime: end - event.durationMs,
        attributes: {
          [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_VALUE_POSTGRESQL,
          [ATTR_DB_OPERATION_NAME]: operation,
          // Compiled by Kysely with bound parameters: placeholders, never values.
          [ATTR_DB_QUERY_TEXT]: event.sql,
        },
      },
      parentContext,
    );
    if (event.error !== undefined) {
      const code = (event.error as { code?: unknown }).code;
      span.setAttribute(ATTR_ERROR_TYPE, typeof code === 'string' ? code : 'error');
      span.setStatus({ code: SpanStatusCode.ERROR, message: (event.error as Error).message });
    }
    span.end(end);
  };
  subscribe(QUERY_CHANNEL, onQuery);

  return {
    startRequest(request) {
      const parent = propagator.extract(ROOT_CONTEXT, request.headers, defaultTextMapGetter);
      const span = tracer.startSpan(
        request.method,
        {
          kind: SpanKind.SERVER,
          attributes: {
            [ATTR_HTTP_REQUEST_METHOD]: request.method,
            [ATTR_URL_PATH]: pathOf(request.url),
            'keel.request_id': request.id,
          },
        },
        parent,
      );
      ownSpans.add(span);
      requestSpans.set(request, span);
    },
    requestContext(request) {
      const span = requestSpans.get(request);
      return span ? trace.setSpan(context.active(), span) : context.active();
    },
    endRequest(request, statusCode) {
      const span = requestSpans.get(request);
      if (!span) return;
      requestSpans.delete(request);
      const route = request.routeOptions.url;
      if (route) {
        span.updateName(`${request.method} ${route}`);
        span.setAttribute(ATTR_HTTP_ROUTE, route);
      }
      if (statusCode === 'aborted') {
        span.setAttribute(ATTR_ERROR_TYPE, 'aborted');
        span.setStatus({ code: SpanStatusCode.ERROR, message: 'client closed the request' });
      } else {
        span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, statusCode);
        if (statusCode >= 500) {
          span.setAttribute(ATTR_ERROR_TYPE, String(statusCode));
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
      }
      span.end();
    },
    async traceProcedure(call, run, outcome) {
      const span = tracer.startSpan(
        call.path,
        {
          kind: SpanKind.INTERNAL,
          attributes: {
            [ATTR_RPC_SYSTEM_NAME]: 'trpc',
            [ATTR_RPC_METHOD]: call.path,
            'keel.procedure.type': call.type,
            ...(call.userId ? { 'user.id': call.userId } : {}),
          },
        },
        context.active(),
      );
      ownSpans.add(span);
      try {
        const result = await context.with(trace.setSpan(context.active(), span), run);
        const { statusCode, errorCode } = outcome(result);
        span.setAttribute('keel.status_code', statusCode);
        span.setAttribute('keel.outcome', errorCode ?? 'ok');
        if (errorCode) span.setAttribute(ATTR_ERROR_TYPE, errorCode);
        if (statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: errorCode });
        return result;
      } catch (error) {
        span.setAttribute('keel.outcome', 'INTERNAL_ERROR');
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw error;
      } finally {
        span.end();
      }
    },
    async shutdown() {
      unsubscribe(QUERY_CHANNEL, onQuery);
      await provider.shutdown();
    },
  };
}
