// The connection logic behind the live-events badge, free of React so it can be tested: reconnect
// with backoff, refresh a spent token, and stay paused after the server superseded the stream.
import type { RouterOutputs } from '@keel/api';
import { errorCode } from './errors.js';

/**
 * One event the stream yields (RouterOutputs gives the stream itself for a subscription): a member
 * of the API's `LiveEvent` union, told apart by `type`.
 */
export type LiveEvent = RouterOutputs['events']['onEvent'] extends AsyncIterable<infer E> ? E : never;
/** The events the app acts on: all but `stream.superseded`, which this connection handles itself. */
export type LiveUpdate = Exclude<LiveEvent, { type: 'stream.superseded' }>;
/** `paused`: this tab's stream was superseded by a newer one of the same user; it waits for `resume()`. */
export type LiveStatus = 'off' | 'connecting' | 'live' | 'reconnecting' | 'paused';

export interface StreamHandlers {
  onStarted(): void;
  onData(event: LiveEvent): void;
  onError(error: unknown): void;
  onComplete(): void;
}

export interface LiveConnectionOptions {
  /** Opens one stream (`client.events.onEvent.subscribe`). */
  subscribe(handlers: StreamHandlers): { unsubscribe(): void };
  /** The access token this tab holds now. */
  currentToken(): string | null;
  /** The refresh coordinator's: the fresh token, null when the session is over; rejects on network failure. */
  refresh(): Promise<string | null>;
  onStatus(status: LiveStatus): void;
  onEvent(event: LiveUpdate): void;
  /** Runs on every (re)connection: events sent while disconnected are lost. */
  onConnected?(): void;
  setTimer?(run: () => void, ms: number): unknown;
  clearTimer?(timer: unknown): void;
}

export interface LiveConnection {
  start(): void;
  /** Opens a stream again after a pause (which supersedes the user's oldest stream elsewhere). */
  resume(): void;
  stop(): void;
}

const MAX_BACKOFF_MS = 30_000;

/**
 * The server ends the stream when the access token expires or the session is revoked, and refuses
 * a stale token inside the stream (an SSE answer is a 200 whatever happens, so the authenticated
 * fetch never sees a 401 here). Either way the token this stream started with is presumed spent:
 * refresh (through the coordinator, shared with every other request and tab) and resubscribe; a
 * refused refresh means the session is over and the app signs out. One end is different: a stream
 * whose last event is `stream.superseded` was ended because the user opened too many elsewhere, and
 * reconnecting would end another tab's stream, which would reconnect in turn — so it pauses.
 */
export function createLiveConnection(options: LiveConnectionOptions): LiveConnection {
  const setTimer = options.setTimer ?? ((run, ms) => setTimeout(run, ms));
  const clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>));
  let stopped = false;
  let failures = 0;
  let generation = 0;
  let status: LiveStatus = 'off';
  let retryTimer: unknown;
  let subscription: { unsubscribe(): void } | null = null;

  const setStatus = (next: LiveStatus) => {
    status = next;
    options.onStatus(next);
  };
  /** Ends the current stream; its late callbacks are ignored from now on. */
  const drop = () => {
    generation += 1;
    const old = subscription;
    subscription = null;
    old?.unsubscribe();
  };

  const restart = (mine: number, delayMs: number) => {
    if (stopped || mine !== generation) return;
    drop();
    setStatus('reconnecting');
    failures += 1;
    retryTimer = setTimer(() => {
      retryTimer = undefined;
      open();
    }, delayMs);
  };
  const backoff = () => Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(failures, 6));

  /** The stream's token is spent: get the next one (unless someone already did), then reconnect. */
  const renewThenRestart = async (mine: number, startedWith: string | null) => {
    const now = options.currentToken();
    let fresh: string | null | undefined = now;
    if (!now || now === startedWith) fresh = await options.refresh().catch(() => undefined);
    if (stopped || mine !== generation) return;
    if (fresh === null) {
      // The session is gone; the sign-in page replaces this layout.
      setStatus('off');
      return;
    }
    // A failed refresh (network) backs off; a fresh token reconnects at once, unless this keeps happening.
    restart(mine, fresh === undefined || failures > 2 ? backoff() : 0);
  };

  const pause = (mine: number) => {
    if (stopped || mine !== generation) return;
    drop();
    setStatus('paused');
  };

  const open = () => {
    const mine = generation;
    const startedWith = options.currentToken();
    let superseded = false;
    subscription = options.subscribe({
      onStarted() {
        if (mine !== generation) return;
        failures = 0;
        setStatus('live');
        options.onConnected?.();
      },
      onData(event) {
        if (mine !== generation) return;
        switch (event.type) {
          case 'stream.superseded':
            superseded = true;
            // The stream ends right after; pausing now also covers a link that reports the end late.
            pause(mine);
            return;
          default:
            options.onEvent(event);
        }
      },
      onError(error) {
        if (mine !== generation || superseded) return;
        if (errorCode(error) === 'UNAUTHORIZED') void renewThenRestart(mine, startedWith);
        else restart(mine, backoff());
      },
      onComplete() {
        if (mine === generation && !superseded) void renewThenRestart(mine, startedWith);
      },
    });
  };

  return {
    start() {
      setStatus('connecting');
      open();
    },
    resume() {
      if (stopped || status !== 'paused') return;
      failures = 0;
      setStatus('connecting');
      open();
    },
    stop() {
      stopped = true;
      if (retryTimer !== undefined) clearTimer(retryTimer);
      drop();
    },
  };
}
