// The tRPC route on Fastify, with a fast path: a single (non-batched, non-streamed) query or mutation
// is resolved straight from Fastify's request, without the Fetch-API round trip of the official adapter
// (a Request, a Response and a web stream per call: ~150 µs of CPU; docs/performance.md). Everything else —
// batches, subscriptions, streaming, HEAD, method override, unknown paths, odd content types — goes
// to the official `fastifyRequestHandler` unchanged.
//
// Wire identity with the official adapter is the contract (fast-path.test.ts compares them): the same
// procedure call through tRPC's caller machinery (`callTRPCProcedure`: middleware, input and output
// parsers), the same context, `onError` and `responseMeta` hooks, the same error formatter and
// envelope, status codes and headers. One difference, on purpose: the body goes out in one write with
// `Content-Length` instead of `Transfer-Encoding: chunked`. It mirrors the adapter of one @trpc/server
// version: ./trpc-route.ts registers it and holds the checklist for an upgrade.
import type { AnyTRPCRouter, inferRouterContext, TRPCProcedureType } from '@trpc/server';
import {
  callTRPCProcedure,
  getTRPCErrorFromUnknown,
  getTRPCErrorShape,
  TRPCError,
  transformTRPCResponse,
} from '@trpc/server';
import { type FastifyTRPCPluginOptions, fastifyRequestHandler } from '@trpc/server/adapters/fastify';
import { getHTTPStatusCode } from '@trpc/server/http';
import type { TRPCResponse } from '@trpc/server/rpc';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { mediaType } from './json-body.js';

type TrpcOptions<TRouter extends AnyTRPCRouter> = FastifyTRPCPluginOptions<TRouter>['trpcOptions'];
type RequestInfo = Parameters<NonNullable<TrpcOptions<AnyTRPCRouter>['createContext']>>[0]['info'];

/** Procedure paths that need no URL decoding (decoding twice, as the adapter does, changes nothing). */
const PLAIN_PATH = /^[A-Za-z0-9_.]+$/;
/** The one procedure type each method may call without `allowMethodOverride`. */
const TYPE_OF_METHOD: Record<string, TRPCProcedureType | undefined> = { GET: 'query', POST: 'mutation' };

/** tRPC's `application/json` test: the media type before any parameter, case-insensitive. */
function isJson(contentType: string | undefined): boolean {
  return contentType !== undefined && mediaType(contentType) === 'application/json';
}

function wantsStream(req: FastifyRequest): boolean {
  const { accept } = req.headers;
  return (
    req.headers['trpc-accept'] !== undefined || (typeof accept === 'string' && accept.includes('application/jsonl'))
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return !!value && !Array.isArray(value) && typeof value === 'object';
}

function isAsyncIterable(value: unknown): boolean {
  return isObject(value) && Symbol.asyncIterator in value;
}

function isPromiseLike(value: unknown): boolean {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** The adapter's refusal of stream-like results outside a streaming request, in the same words. */
function isDataStream(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (isAsyncIterable(value)) return true;
  const values = Object.values(value);
  return values.some(isPromiseLike) || values.some(isAsyncIterable);
}

/** Reads the input once, as the adapter's memo does: a parse failure is a BAD_REQUEST with the parser's message. */
function inputReader(read: () => unknown) {
  let state: { value: unknown } | undefined;
  return {
    async read(): Promise<unknown> {
      if (state) return state.value;
      try {
        state = { value: read() };
      } catch (cause) {
        if (cause instanceof TRPCError) throw cause;
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message: cause instanceof Error ? cause.message : 'Invalid input',
          cause,
        });
      }
      return state.value;
    },
    result: () => state?.value,
  };
}

export interface FastPathCall {
  path: string;
  type: TRPCProcedureType;
  read: () => unknown;
}

/**
 * The call a request makes when it is one the fast path answers exactly as the adapter would, else
 * `undefined` (the adapter takes it).
 */
export function fastPathCall(router: AnyTRPCRouter, req: FastifyRequest, path: string): FastPathCall | undefined {
  const type = TYPE_OF_METHOD[req.method];
  if (!type || !PLAIN_PATH.test(path) || wantsStream(req)) return undefined;
  const procedure = router._def.procedures[path] as { _def?: { type?: unknown } } | undefined;
  if (procedure?._def?.type !== type) return undefined;
  const queryAt = req.url.indexOf('?');
  const search = new URLSearchParams(queryAt === -1 ? '' : req.url.slice(queryAt + 1));
  if (search.has('batch') || search.has('connectionParams')) return undefined;
  if (type === 'query') {
    const contentType = req.headers['content-type'];
    if (contentType !== undefined && !isJson(contentType)) return undefined;
    const input = search.get('input');
    return { path, type, read: () => (input ? JSON.parse(input) : undefined) };
  }
  if (!isJson(req.headers['content-type']) || typeof req.body !== 'string') return undefined;
  // The Fetch API's body reader drops a leading byte-order mark before JSON.parse.
  const body = req.body.charCodeAt(0) === 0xfeff ? req.body.slice(1) : req.body;
  return { path, type, read: () => JSON.parse(body) };
}

async function answer<TRouter extends AnyTRPCRouter>(
  options: TrpcOptions<TRouter>,
  req: FastifyRequest,
  reply: FastifyReply,
  call: FastPathCall,
): Promise<FastifyReply> {
  const { router } = options;
  const config = router._def._config;
  const { path, type } = call;
  const input = inputReader(call.read);
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableEnded) controller.abort();
  });
  const procedureCall = { path, getRawInput: input.read, result: input.result, procedure: null, batchIndex: 0 };
  let url: URL | null | undefined;
  const info: RequestInfo = {
    accept: null,
    type,
    isBatchCall: false,
    calls: [procedureCall],
    connectionParams: null,
    signal: controller.signal,
    get url() {
      url ??= new URL(req.url, `${req.protocol}://${req.headers.host ?? 'localhost'}`);
      return url;
    },
  };
  procedureCall.procedure = router._def.procedures[path];

  const onError = (error: TRPCError, ctx: unknown, errorPath: string | undefined, errorInput: unknown) =>
    options.onError?.({
      error,
      path: errorPath,
      input: errorInput,
      ctx: ctx as inferRouterContext<TRouter>,
      type,
      req,
    });

  let ctx: unknown;
  let status: number;
  let body: string;
  let errors: TRPCError[] = [];
  let json: TRPCResponse | TRPCResponse[];
  try {
    let data: unknown;
    let error: TRPCError | undefined;
    try {
      ctx = await options.createContext?.({ req, res: reply, info });
    } catch (cause) {
      error = getTRPCErrorFromUnknown(cause);
      ctx = undefined;
    }
    try {
      if (error) throw error;
      data = await callTRPCProcedure({
        router,
        path,
        getRawInput: input.read,
        ctx,
        type,
        signal: controller.signal,
        batchIndex: 0,
      });
    } catch (cause) {
      error = getTRPCErrorFromUnknown(cause);
      onError(error, ctx, path, input.result());
    }
    if (!error && isDataStream(data)) {
      throw new TRPCError({
        code: 'UNSUPPORTED_MEDIA_TYPE',
        message: 'Cannot use stream-like response in non-streaming request - use httpBatchStreamLink',
      });
    }
    const envelope: TRPCResponse = error
      ? { error: getTRPCErrorShape({ config, ctx, error, input: input.result(), path, type }) }
      : { result: { data } };
    errors = error ? [error] : [];
    json = [envelope];
    status = getHTTPStatusCode(envelope);
    body = JSON.stringify(transformTRPCResponse(config, envelope));
  } catch (cause) {
    // What the adapter answers when the response itself cannot be made.
    const error = getTRPCErrorFromUnknown(cause);
    onError(error, ctx, undefined, undefined);
    const envelope: TRPCResponse = {
      error: getTRPCErrorShape({ config, ctx, error, input: undefined, path: undefined, type }),
    };
    errors = [error];
    json = envelope;
    status = getHTTPStatusCode(envelope);
    body = JSON.stringify(transformTRPCResponse(config, envelope));
  }

  const meta = options.responseMeta?.({
    ctx: ctx as inferRouterContext<TRouter>,
    info,
    paths: [path],
    data: Array.isArray(json) ? json : [json],
    errors,
    eagerGeneration: false,
    type,
  });
  if (meta?.headers) {
    // The adapter's Headers semantics (set, append, multi-value joins), then Fastify's copy of them.
    const headers = new Headers([
      ['vary', 'trpc-accept, accept'],
      ['content-type', 'application/json'],
    ]);
    if (meta.headers instanceof Headers) {
      for (const [key, value] of meta.headers.entries()) headers.append(key, value);
    } else {
      for (const [key, value] of Object.entries(meta.headers)) {
        if (Array.isArray(value)) for (const v of value) headers.append(key, v);
        else if (typeof value === 'string') headers.set(key, value);
      }
    }
    for (const [key, value] of headers) reply.header(key, value);
  } else {
    reply.header('vary', 'trpc-accept, accept');
    reply.header('content-type', 'application/json');
  }
  reply.code(meta?.status || status);
  // A Buffer keeps Fastify from appending `; charset=utf-8`, which the adapter's answers lack.
  return reply.send(Buffer.from(body));
}

/**
 * A drop-in for `fastifyTRPCPlugin` (same options, same content-type parsers, one `/:path` route):
 * the fast path for what it can answer exactly, the official handler for the rest.
 */
export function trpcFastPathPlugin<TRouter extends AnyTRPCRouter>(
  fastify: FastifyInstance,
  opts: FastifyTRPCPluginOptions<TRouter>,
  done: (err?: Error) => void,
): void {
  if (opts.useWSS) {
    done(new Error('trpcFastPathPlugin does not serve WebSockets; use fastifyTRPCPlugin'));
    return;
  }
  const { trpcOptions } = opts;
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, parsed) => parsed(null, body));
  fastify.removeContentTypeParser('multipart/form-data');
  fastify.addContentTypeParser('multipart/form-data', {}, (_req, body, parsed) => parsed(null, body));
  fastify.all<{ Params: { path: string } }>('/:path', async (req, reply) => {
    const { path } = req.params;
    const call = fastPathCall(trpcOptions.router, req, path);
    if (call) return answer(trpcOptions, req, reply, call);
    await fastifyRequestHandler({ ...trpcOptions, req, res: reply, path });
    return reply;
  });
  done();
}
