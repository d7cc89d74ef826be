// Graceful shutdown of the HTTP server: readiness drops first, the listener keeps accepting for
// SHUTDOWN_DELAY_MS, then it stops accepting without resetting anything a client already sent.
import type { Server } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';

/** From the signal to the forced exit, when SHUTDOWN_DELAY_MS leaves the drain at least its minimum. */
const SHUTDOWN_GRACE_MS = 14_500;
/** The least time the requests still open get once the delay is over, however long the delay. */
const SHUTDOWN_DRAIN_MIN_MS = 8_000;
/** What closing Redis, the database and the trace exporter may take after the drain. */
const SHUTDOWN_CLOSE_MS = 1_500;
/** How long the connections waiting in the listener's accept queue may take to be accepted. */
const ACCEPT_QUEUE_MS = 1_000;
/** How often idle connections are looked for while draining. */
const SWEEP_INTERVAL_MS = 50;
/** A connection that has sent nothing for this long after being accepted is closed while draining. */
const SILENT_CONNECTION_MS = 1_000;

export interface ShutdownTimes {
  /** From the end of the delay: accepting what is queued, then answering every open request. */
  drainMs: number;
  /** From the signal to the forced exit: 14.5 s for any delay up to 5 s (the production default). */
  forceExitMs: number;
}

export function shutdownTimes(delayMs: number): ShutdownTimes {
  const drainMs = Math.max(SHUTDOWN_DRAIN_MIN_MS, SHUTDOWN_GRACE_MS - SHUTDOWN_CLOSE_MS - delayMs);
  return { drainMs, forceExitMs: delayMs + drainMs + SHUTDOWN_CLOSE_MS };
}

/** Where the process is in a shutdown; the host's hooks and /health/ready read it. */
export interface ShutdownState {
  /** From the signal on: /health/ready answers 503 and every answer closes its connection. */
  draining: boolean;
  /** Once the listener is closed: a request still arriving on an open connection is answered 503. */
  stopped: boolean;
}

export function createShutdownState(): ShutdownState {
  return { draining: false, stopped: false };
}

/** The server's open connections and when each was accepted. */
export type Connections = Map<Socket, number>;

export function trackConnections(server: Server): Connections {
  const connections: Connections = new Map();
  server.on('connection', (socket: Socket) => {
    connections.set(socket, Date.now());
    socket.once('close', () => connections.delete(socket));
  });
  return connections;
}

/**
 * Resolves in the check phase of the next turn of the event loop. Called from a check phase, one
 * poll of the sockets lies in between: whatever had arrived by then has been accepted or read.
 */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Closes the listening socket once the event loop has accepted every connection the kernel holds
 * for it: closing it resets the connections still in its accept queue, written requests included,
 * and the loop takes only one connection from the queue per turn.
 * Only the listening socket: `http.Server#close()` also destroys the connections it counts as idle,
 * and whether a connection accepted but not yet read counts as one differs between Node versions
 * (nodejs/node#63470); `drainConnections` closes idle ones only after their bytes have been read.
 */
export async function stopAccepting(server: Server): Promise<void> {
  if (!server.listening) return;
  let accepted = 0;
  const count = () => {
    accepted += 1;
  };
  server.on('connection', count);
  // A flood of new connections must not keep the listener open for ever.
  const deadline = Date.now() + ACCEPT_QUEUE_MS;
  try {
    await nextTurn();
    for (;;) {
      const before = accepted;
      await nextTurn();
      if (accepted === before || Date.now() >= deadline) break;
    }
  } finally {
    server.off('connection', count);
  }
  NetServer.prototype.close.call(server);
}

/**
 * Waits until every connection has ended: those with a request get their answer (sent with
 * `Connection: close`); idle keep-alive connections, and connections that have sent nothing since
 * they were accepted, are closed, each time right after the event loop has read what arrived, so that
 * a request already sent is never mistaken for idleness. What is still open at `deadline` (a
 * `Date.now()` value) is closed, with a warning that says how many connections that was.
 */
export async function drainConnections(
  server: Server,
  connections: Connections,
  deadline: number,
  logger: Logger,
): Promise<void> {
  for (;;) {
    await nextTurn();
    await nextTurn();
    server.closeIdleConnections();
    const now = Date.now();
    for (const [socket, acceptedAt] of connections) {
      if (socket.bytesRead === 0 && now - acceptedAt >= SILENT_CONNECTION_MS) socket.destroy();
    }
    if (connections.size === 0) return;
    if (now >= deadline) {
      logger.warn({ connections: connections.size }, 'shutdown: closing connections still open after the drain');
      server.closeAllConnections();
      for (const socket of connections.keys()) socket.destroy();
      return;
    }
    await sleep(SWEEP_INTERVAL_MS);
  }
}
