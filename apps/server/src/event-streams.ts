// The process-wide cap on live event streams, answered at the HTTP layer: tRPC answers every
// subscription with a 200 event stream and reports a refusal inside it, so a 503 must come first.
import { type LiveStreams, streamsFull } from '@keel/api/server';
import type { FastifyInstance } from 'fastify';
import { sendHostError } from './http/errors.js';

/** The route both tRPC plugins (the adapter and the fast path) register under /trpc. */
const TRPC_ROUTE = '/trpc/:path';
const STREAM_PROCEDURE = 'events.onEvent';

export interface EventStreamLimitOptions {
  streams: LiveStreams;
  /** EVENT_STREAMS_MAX. */
  max: number;
}

/**
 * Refuses a new `events.onEvent` stream with 503 and `Retry-After` while the process holds `max`.
 * The procedure checks again when it takes its slot (streams racing past this check are refused
 * inside the stream), so the cap holds either way; this check gives clients the status code.
 * Registered on the /trpc scope (http/trpc-route.ts), so no other request pays for it.
 */
export function registerEventStreamLimit(trpcScope: FastifyInstance, { streams, max }: EventStreamLimitOptions) {
  trpcScope.addHook('onRequest', (request, reply, done) => {
    if (
      streams.count() >= max &&
      request.method === 'GET' &&
      request.routeOptions.url === TRPC_ROUTE &&
      (request.params as { path?: unknown }).path === STREAM_PROCEDURE
    ) {
      streams.countRefusal();
      const refusal = streamsFull();
      reply.header('retry-after', String(refusal.retryAfterSeconds));
      // Answered here: `done` is not called, so the request goes no further.
      sendHostError(request, reply, 'SERVICE_UNAVAILABLE', refusal.message);
      return;
    }
    done();
  });
}
