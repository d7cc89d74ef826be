// The live-events connection against a fake stream server (pure client logic): when it reconnects,
// and that a stream superseded by another tab pauses instead of taking that tab's place in turn.
import { describe, expect, it } from 'vitest';
import { createLiveConnection, type LiveEvent, type LiveStatus, type StreamHandlers } from './live-connection.js';

const at = '2026-01-01T00:00:00.000Z';
const supersededEvent: LiveEvent = { type: 'stream.superseded', userId: 'u1', at, data: {} };
const receivedEvent: LiveEvent = {
  type: 'credits.received',
  userId: 'u1',
  at,
  data: { transferId: null, fromUserId: 'u2', amount: 5, balance: 5 },
};

/** A server keeping at most `cap` streams of the user: one more supersedes the oldest, as the API does. */
function fakeServer(cap = 20) {
  const open: StreamHandlers[] = [];
  let opened = 0;
  return {
    opened: () => opened,
    open,
    subscribe(handlers: StreamHandlers) {
      opened += 1;
      while (open.length >= cap) {
        const oldest = open.shift() as StreamHandlers;
        oldest.onData(supersededEvent);
        oldest.onComplete();
      }
      open.push(handlers);
      handlers.onStarted();
      return {
        unsubscribe() {
          const index = open.indexOf(handlers);
          if (index >= 0) open.splice(index, 1);
        },
      };
    },
  };
}

/** One tab: its connection, the statuses it went through, its pending timers and refreshes. */
function tab(server: ReturnType<typeof fakeServer>) {
  const statuses: LiveStatus[] = [];
  const received: string[] = [];
  const timers: (() => void)[] = [];
  let refreshes = 0;
  const connection = createLiveConnection({
    subscribe: (handlers) => server.subscribe(handlers),
    currentToken: () => 'token-1',
    async refresh() {
      refreshes += 1;
      return 'token-2';
    },
    onStatus: (status) => statuses.push(status),
    onEvent: (e) => received.push(e.type),
    setTimer(run) {
      timers.push(run);
      return run;
    },
    clearTimer() {},
  });
  return {
    connection,
    statuses,
    received,
    timers,
    status: () => statuses.at(-1),
    refreshes: () => refreshes,
    /** Runs the timers due (reconnections), as time passing would. */
    tick() {
      for (const run of timers.splice(0)) run();
    },
  };
}

/** Lets every pending promise callback run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('live connection', () => {
  it('a stream ended as superseded pauses: no reconnection, no refresh, nothing scheduled', async () => {
    const server = fakeServer(1);
    const first = tab(server);
    first.connection.start();
    expect(first.status()).toBe('live');
    tab(server).connection.start();
    await settle();
    expect(first.status()).toBe('paused');
    expect(first.timers).toEqual([]);
    expect(first.refreshes()).toBe(0);
    expect(server.opened()).toBe(2);
    // The superseded event is the stream's end, not an event for the page.
    expect(first.received).toEqual([]);
  });

  it('two tabs over the cap do not evict each other in a loop; Resume swaps which one is live', async () => {
    const server = fakeServer(1);
    const a = tab(server);
    const b = tab(server);
    a.connection.start();
    b.connection.start();
    await settle();
    a.tick();
    b.tick();
    await settle();
    expect([a.status(), b.status(), server.opened()]).toEqual(['paused', 'live', 2]);

    a.connection.resume();
    await settle();
    a.tick();
    b.tick();
    await settle();
    expect([a.status(), b.status(), server.opened()]).toEqual(['live', 'paused', 3]);
  });

  it('resume does nothing unless paused', () => {
    const server = fakeServer();
    const only = tab(server);
    only.connection.start();
    only.connection.resume();
    expect(server.opened()).toBe(1);
    expect(only.status()).toBe('live');
  });

  it('a stream that ends otherwise (token expired) refreshes and reconnects', async () => {
    const server = fakeServer();
    const only = tab(server);
    only.connection.start();
    (server.open[0] as StreamHandlers).onComplete();
    await settle();
    expect(only.refreshes()).toBe(1);
    expect(only.status()).toBe('reconnecting');
    only.tick();
    expect(server.opened()).toBe(2);
    expect(only.status()).toBe('live');
  });

  it('a failed connection (e.g. 503 from a full server) retries after a backoff', async () => {
    const server = fakeServer();
    const only = tab(server);
    only.connection.start();
    (server.open[0] as StreamHandlers).onError(new Error('Service Unavailable'));
    expect(only.status()).toBe('reconnecting');
    expect(only.timers).toHaveLength(1);
    expect(only.refreshes()).toBe(0);
    only.tick();
    expect(server.opened()).toBe(2);
  });

  it('passes other events on and stops cleanly', () => {
    const server = fakeServer();
    const only = tab(server);
    only.connection.start();
    (server.open[0] as StreamHandlers).onData(receivedEvent);
    only.connection.stop();
    expect(only.received).toEqual(['credits.received']);
    expect(server.open).toEqual([]);
  });
});
