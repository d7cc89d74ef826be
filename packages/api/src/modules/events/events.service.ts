// A user's live event stream: their events as they happen, until the client leaves, the access
// token expires, the session is revoked or the server shuts down.
import type { AppEvent } from '../../common/events.js';
import type { AuthedContext } from '../../trpc.js';
import { type LiveEvent, SESSION_REVOKED_EVENT } from './events.schema.js';

export async function* streamEvents(ctx: AuthedContext, signal: AbortSignal | undefined): AsyncGenerator<LiveEvent> {
  const stop = new AbortController();
  const end = () => stop.abort();
  const pending: AppEvent[] = [];
  let wake: (() => void) | undefined;

  const unsubscribe = ctx.events.subscribe(ctx.user.id, (event) => {
    if (event.type === SESSION_REVOKED_EVENT) {
      const revoked = (event.data.sessionIds as string[] | undefined) ?? [];
      if (revoked.includes(ctx.user.sessionId)) end();
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
  } finally {
    unsubscribe();
    clearTimeout(expiry);
    signal?.removeEventListener('abort', end);
    ctx.events.closed.removeEventListener('abort', end);
  }
}
