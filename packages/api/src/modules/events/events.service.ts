// A user's live event stream: their events as they happen, until the client leaves, the access
// token expires, the session is revoked, the same user opens too many others or the server shuts down.
import { AppError } from '../../common/errors.js';
import type { AuthedContext } from '../../trpc.js';
import type { LiveEvent } from './events.schema.js';

/** What a stream sends: every live event but `session.revoked`, which only ends streams. */
export type StreamedEvent = Exclude<LiveEvent, { type: 'session.revoked' }>;

/** How long a client refused for a full process waits: streams end as tabs close and tokens expire. */
export const STREAMS_FULL_RETRY_AFTER_SECONDS = 10;

export function streamsFull(): AppError {
  return new AppError('SERVICE_UNAVAILABLE', 'Too many live streams on this server, try again shortly', {
    retryAfterSeconds: STREAMS_FULL_RETRY_AFTER_SECONDS,
  });
}

export async function* streamEvents(
  ctx: AuthedContext,
  signal: AbortSignal | undefined,
): AsyncGenerator<StreamedEvent> {
  let superseded = false;
  const stop = new AbortController();
  const end = () => stop.abort();
  // Taken in the generator's body, which runs only once the stream is read, so that a stream
  // dropped before it starts holds no slot; nothing between here and `try` throws.
  const release = ctx.events.streams.acquire(
    ctx.user.id,
    { perUser: ctx.config.eventStreamsPerUser, max: ctx.config.eventStreamsMax },
    () => {
      superseded = true;
      end();
    },
  );
  if (!release) throw streamsFull();
  const pending: StreamedEvent[] = [];
  let wake: (() => void) | undefined;

  const unsubscribe = ctx.events.subscribe(ctx.user.id, (event) => {
    if (event.type === 'session.revoked') {
      if (event.data.sessionIds.includes(ctx.user.sessionId)) end();
      return;
    }
    pending.push(event);
    wake?.();
  });
  const expiresInMs = (ctx.token?.expiresAt ?? Date.now()) - Date.now();
  const expiry = setTimeout(end, Math.max(0, expiresInMs));
  signal?.addEventListener('abort', end);
  ctx.events.closed.addEventListener('abort', end);
  stop.signal.addEventListener('abort', () => wake?.());
  if (signal?.aborted || ctx.events.closed.aborted) end();

  try {
    while (!stop.signal.aborted) {
      const next = pending.shift();
      if (next) {
        yield next;
        continue;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
    // Said last, so the client can tell this end from the others and stay disconnected.
    if (superseded) yield { type: 'stream.superseded', userId: ctx.user.id, at: new Date().toISOString(), data: {} };
  } finally {
    release();
    unsubscribe();
    clearTimeout(expiry);
    signal?.removeEventListener('abort', end);
    ctx.events.closed.removeEventListener('abort', end);
  }
}
