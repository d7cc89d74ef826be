// The Fastify host: /trpc, /api, /health/*, /metrics, /openapi.json, /docs, security headers, limits, request ids and error envelopes.
import { randomUUID } from 'node:crypto';
import fastifyCookie from '@fastify/cookie';
import fastifyCors from '@fastify/cors';
import { type AppDeps, INTERNAL_MESSAGE } from '@keel/api/server';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { registerAuditExport } from './audit-export.js';
import type { ServerConfig } from './config.js';
import { isApiPath, isApiRoute, pathOf, registerDashboard } from './dashboard.js';
import { type HealthCheck, registerHealthRoutes } from './health.js';
import { contextFactory } from './http/context.js';
import { isTrpcRequest, sendHostError, sendStatusError } from './http/errors.js';
import { refuseTrpcMethod, registerTrpcRoute, TRPC_METHODS } from './http/trpc-route.js';
import type { Metrics } from './metrics.js';
import { procedureTracer, registerObservability } from './observability.js';
import { registerOidc } from './oidc.js';
import { registerApiDocs } from './openapi.js';
import { registerRest } from './rest.js';
import { registerSecurityHeaders, securityHeaderOptions } from './security-headers.js';
import { createShutdownState, type ShutdownState } from './shutdown.js';
import type { Tracing } from './tracing.js';

const BODY_LIMIT_BYTES = 1024 * 1024;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export interface AppOptions {
  config: ServerConfig;
  deps: AppDeps;
  healthChecks: HealthCheck[];
  /** Directory of the built dashboard; served at / when it exists. */
  webDistDir?: string;
  metrics: Metrics;
  /** Present when tracing is on (OTEL_EXPORTER_OTLP_ENDPOINT). */
  tracing?: Tracing | undefined;
  /** Set by the runtime's graceful shutdown; a fresh one when the caller never shuts down that way. */
  shutdown?: ShutdownState;
}

/**
 * TRUST_PROXY in Fastify's terms. A hop count becomes proxy-addr's hop rule as a function: Fastify
 * 5.12 treats a bare number as "trust nobody", which behind a proxy would make every client one.
 */
export function fastifyTrustProxy(trust: ServerConfig['TRUST_PROXY']): boolean | string[] | TrustFunction {
  if (typeof trust !== 'number') return trust;
  return (_address, hop) => hop < trust;
}

type TrustFunction = (address: string, hop: number) => boolean;

/**
 * Whether an answer is the API's (never cached). A matched route's pattern is already decoded; only
 * a request no route matched (a 404, the CORS preflight's `*`) has its URL decoded.
 */
function isApiAnswer(request: FastifyRequest): boolean {
  const route = request.routeOptions.url;
  return route === undefined || route === '*' ? isApiPath(request.url) : isApiRoute(route);
}

function corsOrigins(config: ServerConfig): string[] {
  if (config.CORS_ORIGINS)
    return config.CORS_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter(Boolean);
  if (config.NODE_ENV === 'production') return [];
  return ['http://localhost:5173', 'http://127.0.0.1:5173'];
}

export async function buildApp({
  config,
  deps,
  healthChecks,
  webDistDir,
  metrics,
  tracing,
  shutdown = createShutdownState(),
}: AppOptions): Promise<FastifyInstance> {
  const production = config.NODE_ENV === 'production';
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // One completion line per request is written by the onResponse hook of observability.ts.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: fastifyTrustProxy(config.TRUST_PROXY),
    requestTimeout: config.REQUEST_TIMEOUT_MS,
    routerOptions: { maxParamLength: 5000 },
    // Keep-alive connections that sit idle must not hold up `app.close()`. The runtime's shutdown
    // (shutdown.ts) has already ended every connection, without resetting any, when it gets there.
    forceCloseConnections: 'idle',
  });

  registerObservability(app, {
    metrics,
    tracing,
    metricsToken: config.METRICS_TOKEN,
    metricsOpenWithoutToken: !production || config.METRICS_PUBLIC,
    slowRequestMs: config.SLOW_REQUEST_MS,
  });
  // While shutting down, answers close their connection so that keep-alive sockets of requests
  // still in flight do not hold the process open after they are answered, and clients reconnect
  // (through the load balancer, to another instance).
  app.addHook('preClose', async () => {
    shutdown.draining = true;
  });
  // Hooks on every request are callback-style: an async hook costs Fastify a promise and a turn
  // of the microtask queue per request. One hook for what every request needs, not one per concern.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    if (!shutdown.stopped) return done();
    // Once the listener is closed, a request arriving on a connection opened earlier is refused
    // before any work: the process is going away, another instance can take it.
    reply.header('retry-after', '1');
    sendHostError(request, reply, 'SERVICE_UNAVAILABLE', 'The server is shutting down; retry the request');
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    if (isApiAnswer(request)) reply.header('cache-control', 'no-store');
    if (shutdown.draining) reply.header('connection', 'close');
    done(null, payload);
  });
  // helmet's headers, computed once instead of on every request as @fastify/helmet does.
  registerSecurityHeaders(app, securityHeaderOptions(production));
  await app.register(fastifyCors, {
    origin: corsOrigins(config),
    credentials: true,
    exposedHeaders: ['x-request-id', 'retry-after'],
  });
  await app.register(fastifyCookie);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'unhandled error');
    const message =
      error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? `Request body is larger than ${BODY_LIMIT_BYTES} bytes`
        : error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
          ? 'Unsupported content type; send application/json'
          : status < 500
            ? error.message
            : INTERNAL_MESSAGE;
    return sendStatusError(request, reply, status, message);
  });
  const dashboard = webDistDir ? await registerDashboard(app, webDistDir) : false;
  app.setNotFoundHandler((request, reply) => {
    // A browser opening a client-side route of the dashboard (/projects, /admin/users?…) gets its
    // index.html; API clients and unknown paths fetched without Accept: text/html keep the 404 envelope.
    const wantsPage = (request.headers.accept ?? '').includes('text/html');
    if (dashboard && wantsPage && (request.method === 'GET' || request.method === 'HEAD') && !isApiPath(request.url)) {
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    }
    // Methods the router does not know (PROPFIND, SEARCH…) never reach the /trpc scope's hook.
    if (isTrpcRequest(request) && !TRPC_METHODS.has(request.method)) return refuseTrpcMethod(request, reply);
    return sendHostError(request, reply, 'NOT_FOUND', `No route for ${request.method} ${pathOf(request.url)}`);
  });

  registerHealthRoutes(app, healthChecks, shutdown);

  const createContext = contextFactory(deps, config, procedureTracer(tracing));
  await registerTrpcRoute(app, {
    fastPath: config.TRPC_FAST_PATH,
    createContext,
    eventStreams: { streams: deps.events.streams, max: deps.config.eventStreamsMax },
  });
  await registerRest(app, { createContext });
  await registerAuditExport(app, { createContext });
  // Single sign-on, when OIDC_* is set (the configuration requires PUBLIC_URL with it in production).
  if (deps.config.sso && deps.config.publicUrl) {
    await registerOidc(app, { config, publicUrl: deps.config.publicUrl, createContext });
  }
  await registerApiDocs(app);

  return app;
}
