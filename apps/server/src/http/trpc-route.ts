// /trpc: the method check, the JSON-body guard, then tRPC's Fastify adapter, or the fast path in
// front of it (./fast-path.ts), registered with the same options either way.
//
// Upgrade checklist. The fast path, the error writer (./errors.ts) and patches/@trpc__server@*.patch
// were verified against @trpc/server TRPC_SERVER_VERIFIED below; trpc-version.once.test.ts fails as
// soon as another version is installed. When it moves:
//  1. The patch: `pnpm install` fails when it no longer applies. Re-measure, then re-create it with
//     `pnpm patch` or drop it (patches/README.md); packages/api/src/trpc-patch.test.ts pins what it
//     must keep.
//  2. The fast path mirrors the adapter (`fastifyRequestHandler` → `resolveResponse`, in
//     dist/resolveResponse-*.mjs): re-read how it classifies a request (batch, `connectionParams`,
//     method override, `trpc-accept`/`application/jsonl`, content-type parsers), memoises the input,
//     builds the request info handed to `createContext`, calls `onError` and `responseMeta`, sets
//     headers (`vary`) and the status (`getHTTPStatusCode`). Carry every change over.
//  3. The internals imported here and in ./errors.ts still exist with the same meaning:
//     `callTRPCProcedure`, `getTRPCErrorShape`, `getTRPCErrorFromUnknown`, `transformTRPCResponse`
//     (`@trpc/server`), `getHTTPStatusCode`, `getHTTPStatusCodeFromError` (`/http`),
//     `TRPC_ERROR_CODES_BY_KEY` (`/rpc`), `getStatusKeyFromCode` (`/unstable-core-do-not-import`).
//  4. Run ./fast-path.test.ts (the fast path against the adapter, answer for answer) and the HTTP
//     suites in both ways (the `+adapter` projects of apps/server/vitest.config.ts).
//  5. `pnpm bench`, with TRPC_FAST_PATH=false as well: the fast path exists for its numbers.
//  6. Move `@trpc/client` and `@trpc/tanstack-react-query` to the same version (one catalog entry).
// Then set TRPC_SERVER_VERIFIED to the new version.
import type { AppRouter } from '@keel/api';
import { appRouter, isLogged } from '@keel/api/server';
import { type FastifyTRPCPluginOptions, fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { type EventStreamLimitOptions, registerEventStreamLimit } from '../event-streams.js';
import type { ContextFactory } from './context.js';
import { sendHostError } from './errors.js';
import { trpcFastPathPlugin } from './fast-path.js';
import { requireJsonBody } from './json-body.js';

/** The @trpc/server version the fast path, the error writer and the patch were verified against. */
export const TRPC_SERVER_VERIFIED = '11.22.1';

const TRPC_PREFIX = '/trpc';
const MAX_BATCH_SIZE = 10;

/** The methods /trpc answers; HEAD and OPTIONS (CORS preflight) are the adapter's and the CORS plugin's. */
export const TRPC_METHODS = new Set(['GET', 'POST', 'HEAD', 'OPTIONS']);

export function refuseTrpcMethod(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  reply.header('allow', 'GET, POST');
  return sendHostError(
    request,
    reply,
    'METHOD_NOT_SUPPORTED',
    `Unsupported ${request.method} request; send queries with GET and mutations with POST`,
  );
}

export interface TrpcRouteOptions {
  /** TRPC_FAST_PATH: single calls through the fast path, the rest through the adapter. */
  fastPath: boolean;
  createContext: ContextFactory;
  /** The cap on live event streams, checked on this scope only. */
  eventStreams: EventStreamLimitOptions;
}

export async function registerTrpcRoute(
  app: FastifyInstance,
  { fastPath, createContext, eventStreams }: TrpcRouteOptions,
) {
  await app.register(async (trpcScope) => {
    // TRACE, PUT, DELETE… are no tRPC call: 405 here, before the adapter fails on them with a 500.
    // One hook with the JSON-body guard: a hook per check would cost each /trpc request a call more.
    trpcScope.addHook('onRequest', (request, reply, done) => {
      if (TRPC_METHODS.has(request.method)) requireJsonBody(request, reply, done);
      else refuseTrpcMethod(request, reply);
    });
    registerEventStreamLimit(trpcScope, eventStreams);
    // Same options either way; the fast path hands everything but single calls to the official adapter.
    await trpcScope.register(fastPath ? trpcFastPathPlugin : fastifyTRPCPlugin, {
      prefix: TRPC_PREFIX,
      trpcOptions: {
        router: appRouter,
        maxBatchSize: MAX_BATCH_SIZE,
        createContext: ({ req, res }) => createContext(req, res),
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
}
