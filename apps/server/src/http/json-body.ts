// The CSRF guard of /trpc and /api alike: a request that may change state and carries a body must
// say application/json, which a cross-site form cannot send without a CORS preflight.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendHostError } from './errors.js';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** The media type of a Content-Type header, lower-cased, without parameters. */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
}

/**
 * An `onRequest` hook, registered by the /trpc and /api scopes: when it refuses (415), `done` is
 * not called and the request goes no further.
 */
export function requireJsonBody(request: FastifyRequest, reply: FastifyReply, done: () => void): void {
  if (BODY_METHODS.has(request.method) && mediaType(request.headers['content-type']) !== 'application/json') {
    sendHostError(request, reply, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json');
    return;
  }
  done();
}
