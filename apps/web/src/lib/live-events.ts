// The caller's live events (`events.onEvent`, SSE) as a React hook: kept connected while signed in
// (src/lib/live-connection.ts decides when to reconnect, refresh or pause).
import { useCallback, useEffect, useRef, useState } from 'react';
import { createLiveConnection, type LiveConnection, type LiveStatus, type LiveUpdate } from './live-connection.js';
import { useSession } from './session-context.js';

export type { LiveEvent, LiveStatus, LiveUpdate } from './live-connection.js';

/**
 * Subscribes while `enabled`. `onConnected` runs on every (re)connection: events sent while
 * disconnected are lost, so callers refetch what those events would have changed. `resume` opens
 * the stream again after it was paused (superseded by a newer stream of the same user).
 */
export function useLiveEvents(
  enabled: boolean,
  handlers: { onEvent: (event: LiveUpdate) => void; onConnected?: () => void },
): { status: LiveStatus; resume: () => void } {
  const { client, store, coordinator } = useSession();
  const latest = useRef(handlers);
  latest.current = handlers;
  const [status, setStatus] = useState<LiveStatus>('off');
  const connection = useRef<LiveConnection | null>(null);

  useEffect(() => {
    if (!enabled) {
      setStatus('off');
      return;
    }
    const current = createLiveConnection({
      subscribe: (streamHandlers) => client.events.onEvent.subscribe(undefined, streamHandlers),
      currentToken: store.token,
      refresh: () => coordinator.refresh(),
      onStatus: setStatus,
      onEvent: (event) => latest.current.onEvent(event),
      onConnected: () => latest.current.onConnected?.(),
    });
    connection.current = current;
    current.start();
    return () => {
      current.stop();
      if (connection.current === current) connection.current = null;
    };
  }, [enabled, client, store, coordinator]);

  const resume = useCallback(() => connection.current?.resume(), []);
  return { status, resume };
}
