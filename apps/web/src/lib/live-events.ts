// The caller's live events (`events.onEvent`, SSE): kept connected while signed in, reconnecting with backoff.
import type { RouterOutputs } from '@keel/api';
import { useEffect, useRef, useState } from 'react';
import { useSession } from './session-context.js';

/** One event the stream yields (RouterOutputs gives the stream itself for a subscription). */
export type LiveEvent = RouterOutputs['events']['onEvent'] extends AsyncIterable<infer E> ? E : never;
export type LiveStatus = 'off' | 'connecting' | 'live' | 'reconnecting';

const MAX_BACKOFF_MS = 30_000;

/**
 * Subscribes while `enabled`. The server ends the stream when the access token expires or the
 * session is revoked, so an end is not final: resubscribing goes through the authenticated fetch,
 * which refreshes the token first (or finds the session gone, and the app signs out).
 * `onConnected` runs on every (re)connection: events sent while disconnected are lost, so callers
 * refetch what those events would have changed.
 */
export function useLiveEvents(
  enabled: boolean,
  handlers: { onEvent: (event: LiveEvent) => void; onConnected?: () => void },
): LiveStatus {
  const { client } = useSession();
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

    const restart = (mine: number) => {
      if (stopped || mine !== generation) return;
      generation += 1;
      const old = subscription;
      subscription = null;
      old?.unsubscribe();
      setStatus('reconnecting');
      // A stream that ended cleanly (token expiry) reconnects at once; failures back off.
      const delay = failures === 0 ? 100 : Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(failures, 6));
      failures += 1;
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        start();
      }, delay);
    };

    const start = () => {
      const mine = generation;
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
        onError: () => restart(mine),
        onComplete: () => restart(mine),
      });
    };

    setStatus('connecting');
    start();
    return () => {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      subscription?.unsubscribe();
    };
  }, [enabled, client]);

  return status;
}
