// The caller's live events (`events.onEvent`, SSE): kept connected while signed in, reconnecting with backoff.
import type { RouterOutputs } from '@keel/api';
import { useEffect, useRef, useState } from 'react';
import { errorCode } from './errors.js';
import { useSession } from './session-context.js';

/** One event the stream yields (RouterOutputs gives the stream itself for a subscription). */
export type LiveEvent = RouterOutputs['events']['onEvent'] extends AsyncIterable<infer E> ? E : never;
export type LiveStatus = 'off' | 'connecting' | 'live' | 'reconnecting';

const MAX_BACKOFF_MS = 30_000;

/**
 * Subscribes while `enabled`. The server ends the stream when the access token expires or the
 * session is revoked, and refuses a stale token inside the stream (an SSE answer is a 200 whatever
 * happens, so the authenticated fetch never sees a 401 here). Either way the token this stream
 * started with is presumed spent: refresh (through the coordinator, shared with every other
 * request and tab) and resubscribe; a refused refresh means the session is over and the app signs out.
 * `onConnected` runs on every (re)connection: events sent while disconnected are lost, so callers
 * refetch what those events would have changed.
 */
export function useLiveEvents(
  enabled: boolean,
  handlers: { onEvent: (event: LiveEvent) => void; onConnected?: () => void },
): LiveStatus {
  const { client, store, coordinator } = useSession();
  const latest = useRef(handlers);
  latest.current = handlers;
  const [status, setStatus] = useState<LiveStatus>('off');

  useEffect(() => {
    if (!enabled) {
      setStatus('off');
      return;
    }
    let stopped = false;
    let failures = 0;
    let generation = 0;
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    let subscription: { unsubscribe(): void } | null = null;

    const restart = (mine: number, delayMs: number) => {
      if (stopped || mine !== generation) return;
      generation += 1;
      const old = subscription;
      subscription = null;
      old?.unsubscribe();
      setStatus('reconnecting');
      failures += 1;
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        start();
      }, delayMs);
    };
    const backoff = () => Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(failures, 6));

    /** The stream's token is spent: get the next one (unless someone already did), then reconnect. */
    const renewThenRestart = async (mine: number, startedWith: string | null) => {
      const now = store.token();
      let fresh: string | null | undefined = now;
      if (!now || now === startedWith) fresh = await coordinator.refresh().catch(() => undefined);
      if (stopped || mine !== generation) return;
      if (fresh === null) {
        // The session is gone; the sign-in page replaces this layout.
        setStatus('off');
        return;
      }
      // A failed refresh (network) backs off; a fresh token reconnects at once, unless this keeps happening.
      restart(mine, fresh === undefined || failures > 2 ? backoff() : 0);
    };

    const start = () => {
      const mine = generation;
      const startedWith = store.token();
      subscription = client.events.onEvent.subscribe(undefined, {
        onStarted() {
          if (mine !== generation) return;
          failures = 0;
          setStatus('live');
          latest.current.onConnected?.();
        },
        onData(event) {
          if (mine === generation) latest.current.onEvent(event);
        },
        onError(error) {
          if (mine !== generation) return;
          if (errorCode(error) === 'UNAUTHORIZED') void renewThenRestart(mine, startedWith);
          else restart(mine, backoff());
        },
        onComplete() {
          if (mine === generation) void renewThenRestart(mine, startedWith);
        },
      });
    };

    setStatus('connecting');
    start();
    return () => {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      subscription?.unsubscribe();
    };
  }, [enabled, client, store, coordinator]);

  return status;
}
