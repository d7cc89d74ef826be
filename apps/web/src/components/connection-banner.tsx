// Says so when the page cannot reach the server, so rows loaded earlier are never taken for a fresh
// result. Offline is the browser's word (TanStack Query's onlineManager, fed by the online/offline
// events; queries pause meanwhile); an unreachable server is the live stream failing to reconnect
// for longer than a routine reconnect takes. Both clear by themselves, and the layout refetches what
// failed once the stream is back.
import { onlineManager } from '@tanstack/react-query';
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { LiveStatus } from '../lib/live-events.js';

/** A reconnect that lasts longer than this is an outage, not a token refresh or a blip. */
const OUTAGE_AFTER_MS = 3_000;

function useOnline(): boolean {
  return useSyncExternalStore(
    (onChange) => onlineManager.subscribe(onChange),
    () => onlineManager.isOnline(),
  );
}

/** Whether `condition` has held for `ms` without a break. */
function useLasting(condition: boolean, ms: number): boolean {
  const [lasting, setLasting] = useState(false);
  useEffect(() => {
    if (!condition) {
      setLasting(false);
      return;
    }
    const timer = setTimeout(() => setLasting(true), ms);
    return () => clearTimeout(timer);
  }, [condition, ms]);
  return condition && lasting;
}

export function ConnectionBanner({ liveStatus }: { liveStatus: LiveStatus }) {
  const online = useOnline();
  const unreachable = useLasting(online && liveStatus === 'reconnecting', OUTAGE_AFTER_MS);
  if (online && !unreachable) return null;
  return (
    <div className="alert alert-info connection-banner" role="status">
      {online ? (
        <>
          <strong>The server cannot be reached.</strong> What you see was loaded earlier and may be out of date; the
          page catches up by itself when the server is back.
        </>
      ) : (
        <>
          <strong>You are offline.</strong> What you see was loaded before the connection dropped and may be out of
          date; it refreshes when you are back online.
        </>
      )}
    </div>
  );
}
