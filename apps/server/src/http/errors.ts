// The one writer of the error envelopes the host answers itself: refusals before any procedure
// (unknown route, method, body, shutdown, metrics token), Fastify's own failures, and a procedure's
// failure on a plain route (/api, the audit export). tRPC answers its own errors on /trpc; this
// writes the same envelope there, with the codes and statuses of tRPC's tables
// (docs/architecture.md#error-codes), so no status or JSON-RPC number is copied by hand.
import { INTERNAL_MESSAGE, isLogged, toPublicError } from '@keel/api/server';
import { type TRPC_ERROR_CODE_KEY, TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import { getStatusKeyFromCode } from '@trpc/server/unstable-core-do-not-import';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { decodedPath, pathOf } from '../dashboard.js';

/** Whether the request is for /trpc as routed (decoded: `/%74rpc/…` is /trpc too). */
export function isTrpcRequest(request: FastifyRequest): boolean {
  const path = request.routeOptions.url ?? decodedPath(request.url);
  return path === '/trpc' || path.startsWith('/trpc/');
}

/**
 * Answers `error` in the envelope of the surface the request is for: tRPC's on /trpc (as the error
 * formatter of packages/api/src/trpc.ts shapes it), the REST one `{error, meta}` everywhere else.
 * `status` is tRPC's for the error's code unless the host keeps one tRPC has no code for.
 */
export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  error: TRPCError,
  status: number = getHTTPStatusCodeFromError(error),
): FastifyReply {
  const { code, message, details, retryAfterSeconds } = toPublicError(error);
  const text = code === 'INTERNAL_ERROR' ? INTERNAL_MESSAGE : message;
  if (retryAfterSeconds !== undefined) reply.header('retry-after', String(retryAfterSeconds));
  if (isTrpcRequest(request)) {
    return reply.status(status).send({
      error: {
        message: text,
        code: TRPC_ERROR_CODES_BY_KEY[error.code],
        data: {
          code,
          httpStatus: status,
          path: null,
          requestId: request.id,
          ...(details ? { details } : {}),
          ...(retryAfterSeconds !== undefined ? { retryAfter: retryAfterSeconds } : {}),
        },
      },
    });
  }
  return reply.status(status).send({
    error: { code, message: text, ...(details ? { details } : {}) },
    meta: { timestamp: new Date().toISOString(), path: pathOf(request.url), requestId: request.id },
  });
}

/** A refusal of the host's own, by tRPC code (`UNSUPPORTED_MEDIA_TYPE`, `SERVICE_UNAVAILABLE`…). */
export function sendHostError(
  request: FastifyRequest,
  reply: FastifyReply,
  code: TRPC_ERROR_CODE_KEY,
  message: string,
): FastifyReply {
  return sendError(request, reply, new TRPCError({ code, message }));
}

/**
 * A failure Fastify reports with an HTTP status (body limit, content type, malformed JSON): tRPC's
 * code for that status; a status tRPC has no code for keeps its number and reads as INTERNAL_ERROR.
 */
export function sendStatusError(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  message: string,
): FastifyReply {
  const code = getStatusKeyFromCode(status as Parameters<typeof getStatusKeyFromCode>[0]);
  return sendError(request, reply, new TRPCError({ code, message }), status);
}

/**
 * A procedure's failure on a plain Fastify route: logged once when unexpected (the procedure guard
 * has logged the failures that came out of a procedure), then answered.
 */
export function sendProcedureError(request: FastifyRequest, reply: FastifyReply, cause: unknown): FastifyReply {
  const error = cause instanceof TRPCError ? cause : new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause });
  if (!isLogged(error) && toPublicError(error).code === 'INTERNAL_ERROR') {
    request.log.error({ err: error.cause ?? error }, 'REST request failed');
  }
  return sendError(request, reply, error);
}
