// The Fastify host: /trpc, /api, /health/*, /metrics, /openapi.json, /docs, security headers, limits, request ids and error envelopes.
import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import fastifyCookie from '@fastify/cookie';
import fastifyCors from '@fastify/cors';
import type { AppRouter } from '@keel/api';
import {
  type AppDeps,
  appRouter,
  createContextInner,
  INTERNAL_MESSAGE,
  isLogged,
  type RequestInfo,
  type ResponseControl,
} from '@keel/api/server';
import { type FastifyTRPCPluginOptions, fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { registerAuditExport } from './audit-export.js';
import type { ServerConfig } from './config.js';
import { decodedPath, isApiPath, registerDashboard } from './dashboard.js';
import { registerEventStreamLimit } from './event-streams.js';
import { trpcFastPathPlugin } from './fast-path.js';
import { type HealthCheck, registerHealthRoutes } from './health.js';
import type { Metrics } from './metrics.js';
import { observationOf, registerObservability } from './observability.js';
import { registerApiDocs } from './openapi.js';
import { registerRest } from './rest.js';
import { registerSecurityHeaders, securityHeaderOptions } from './security-headers.js';
import { createShutdownState, type ShutdownState } from './shutdown.js';
import type { Tracing } from './tracing.js';

export const REFRESH_COOKIE = 'keel_rt';
/** The refresh cookie only travels to the routes that use it (SPEC §4). */
export const REFRESH_COOKIE_PATHS = ['/trpc/auth.refresh', '/trpc/auth.logout', '/api/auth'];
const BODY_LIMIT_BYTES = 1024 * 1024;
const MAX_BATCH_SIZE = 10;
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

/** tRPC's JSON-RPC numbers for the codes the host itself produces. */
const JSONRPC_CODE: Record<number, number> = {
  400: -32600,
  401: -32001,
  404: -32004,
  405: -32005,
  413: -32013,
  415: -32015,
  429: -32029,
  500: -32603,
  503: -32603,
};
const APP_CODE: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  // As tRPC's own 405 (METHOD_NOT_SUPPORTED) reads to clients.
  405: 'BAD_REQUEST',
  408: 'TIMEOUT',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

/** The SPEC §4 envelope for errors raised outside a procedure (body limit, content type, unknown route). */
export function sendHostError(request: FastifyRequest, reply: FastifyReply, status: number, message: string) {
  const code = APP_CODE[status] ?? 'INTERNAL_ERROR';
  const text = code === 'INTERNAL_ERROR' ? INTERNAL_MESSAGE : message;
  if (isTrpcRequest(request)) {
    return reply.status(status).send({
      error: {
        message: text,
        code: JSONRPC_CODE[status] ?? -32603,
        data: { code, httpStatus: status, path: null, requestId: request.id },
      },
    });
  }
  return reply.status(status).send({
    error: { code, message: text },
    meta: { timestamp: new Date().toISOString(), path: request.url.split('?')[0], requestId: request.id },
  });
}

/** Whether the request is for /trpc as routed (decoded: `/%74rpc/…` is /trpc too). */
function isTrpcRequest(request: FastifyRequest): boolean {
  const route = request.routeOptions.url;
  const path = route ?? decodedPath(request.url);
  return path === '/trpc' || path.startsWith('/trpc/');
}

/** The methods /trpc answers; HEAD and OPTIONS (CORS preflight) are the adapter's and the CORS plugin's. */
const TRPC_METHODS = new Set(['GET', 'POST', 'HEAD', 'OPTIONS']);

function refuseTrpcMethod(request: FastifyRequest, reply: FastifyReply) {
  reply.header('allow', 'GET, POST');
  return sendHostError(
    request,
    reply,
    405,
    `Unsupported ${request.method} request; send queries with GET and mutations with POST`,
  );
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** The media type of a Content-Type header, lower-cased, without parameters. */
function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
}

/**
 * The CSRF guard of /trpc and /api alike: a request that may change state and carries a body must
 * say application/json, which a cross-site form cannot send without a CORS preflight. An `onRequest`
 * hook: when it refuses, `done` is not called and the request goes no further.
 */
export function requireJsonBody(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  if (BODY_METHODS.has(request.method) && mediaType(request.headers['content-type']) !== 'application/json') {
    sendHostError(request, reply, 415, 'Send the body as application/json');
    return;
  }
  done();
}

/** A stored client address is always an IP: what a trusted proxy forwarded when it is one, else the peer's. */
function clientIp(req: FastifyRequest): string {
  if (isIP(req.ip) !== 0) return req.ip;
  return req.socket.remoteAddress ?? '';
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
    // One completion line per request is written by the onResponse hook below.
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

  // Hooks on every request are callback-style: an async hook costs Fastify a promise and a turn
  // of the microtask queue per request.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    (request as FastifyRequest & { startedAt: bigint }).startedAt = process.hrtime.bigint();
    done();
  });
  registerObservability(app, {
    metrics,
    tracing,
    metricsToken: config.METRICS_TOKEN,
    metricsOpenWithoutToken: !production || config.METRICS_PUBLIC,
    unauthorized: (request, reply) => sendHostError(request, reply, 401, 'A valid metrics token is required'),
  });
  // While shutting down, answers close their connection so that keep-alive sockets of requests
  // still in flight do not hold the process open after they are answered, and clients reconnect
  // (through the load balancer, to another instance).
  app.addHook('preClose', async () => {
    shutdown.draining = true;
  });
  // Once the listener is closed, a request arriving on a connection opened earlier is refused
  // before any work: the process is going away, another instance can take it.
  app.addHook('onRequest', (request, reply, done) => {
    if (!shutdown.stopped) return done();
    reply.header('retry-after', '1');
    sendHostError(request, reply, 503, 'The server is shutting down; retry the request');
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    if (isApiPath(request.url)) reply.header('cache-control', 'no-store');
    if (shutdown.draining) reply.header('connection', 'close');
    done(null, payload);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const startedAt = (request as FastifyRequest & { startedAt?: bigint }).startedAt;
    const durationMs = startedAt ? Number(process.hrtime.bigint() - startedAt) / 1e6 : undefined;
    const line = {
      method: request.method,
      url: request.url.split('?')[0],
      status: reply.statusCode,
      durationMs: durationMs === undefined ? undefined : Math.round(durationMs * 100) / 100,
      userId: observationOf(request)?.userId,
      procedure: observationOf(request)?.procedures.join(','),
    };
    if (durationMs !== undefined && durationMs > config.SLOW_REQUEST_MS) request.log.warn(line, 'slow request');
    else request.log.info(line, 'request completed');
    done();
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
    return sendHostError(request, reply, status, message);
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
    return sendHostError(request, reply, 404, `No route for ${request.method} ${request.url.split('?')[0]}`);
  });

  registerHealthRoutes(app, healthChecks, shutdown);
  registerEventStreamLimit(app, {
    streams: deps.events.streams,
    max: deps.config.eventStreamsMax,
    unavailable: (request, reply, message) => sendHostError(request, reply, 503, message),
  });

  await app.register(async (trpcScope) => {
    // TRACE, PUT, DELETE… are no tRPC call: 405 here, before the adapter fails on them with a 500.
    trpcScope.addHook('onRequest', (request, reply, done) => {
      if (TRPC_METHODS.has(request.method)) done();
      else refuseTrpcMethod(request, reply);
    });
    trpcScope.addHook('onRequest', requireJsonBody);
    // Same options either way; the fast path hands everything but single calls to the official adapter.
    await trpcScope.register(config.TRPC_FAST_PATH ? trpcFastPathPlugin : fastifyTRPCPlugin, {
      prefix: '/trpc',
      trpcOptions: {
        router: appRouter,
        maxBatchSize: MAX_BATCH_SIZE,
        createContext: ({ req, res }) => createContextInner(deps, requestInfo(req, res, config)),
        onError({ error, path, req }) {
          // The procedure guard has logged its own unexpected failures; this catches the rest once.
          if (error.code === 'INTERNAL_SERVER_ERROR' && !isLogged(error)) {
            req.log.error({ err: error.cause ?? error, path }, 'tRPC request failed');
          }
        },
        responseMeta({ errors }) {
          const retryAfter = errors
            .map((e) => (e as { retryAfterSeconds?: number }).retryAfterSeconds)
            .find((s): s is number => typeof s === 'number');
          return retryAfter === undefined ? {} : { headers: { 'retry-after': String(retryAfter) } };
        },
      } satisfies FastifyTRPCPluginOptions<AppRouter>['trpcOptions'],
    });
  });
  await registerRest(app, {
    createContext: (req, reply) => createContextInner(deps, requestInfo(req, reply, config)),
    guardBody: requireJsonBody,
  });
  await registerAuditExport(app, {
    createContext: (req, reply) => createContextInner(deps, requestInfo(req, reply, config)),
  });
  await registerApiDocs(app);

  return app;
}

/** What a procedure needs of the HTTP request (tRPC and REST build their context from it alike). */
export function requestInfo(req: FastifyRequest, reply: FastifyReply, config: ServerConfig): RequestInfo {
  const secure = config.NODE_ENV === 'production';
  const response: ResponseControl = {
    setHeader: (name, value) => void reply.header(name, value),
    setRefreshCookie(token, maxAgeSeconds) {
      for (const path of REFRESH_COOKIE_PATHS) {
        reply.setCookie(REFRESH_COOKIE, token, {
          httpOnly: true,
          secure,
          sameSite: 'strict',
          path,
          maxAge: maxAgeSeconds,
        });
      }
    },
    clearRefreshCookie() {
      for (const path of REFRESH_COOKIE_PATHS) {
        reply.clearCookie(REFRESH_COOKIE, { httpOnly: true, secure, sameSite: 'strict', path });
      }
    },
  };
  return {
    requestId: req.id,
    ip: clientIp(req),
    userAgent: req.headers['user-agent'] ?? null,
    authorization: req.headers.authorization,
    refreshCookie: req.cookies[REFRESH_COOKIE],
    response,
  };
}
