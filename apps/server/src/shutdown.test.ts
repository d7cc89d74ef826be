// Graceful shutdown of the server process as a load balancer and its clients see it: readiness
// drops first, nothing already sent is reset, live streams end cleanly, and the process exits 0.
import { connect } from 'node:net';
import { until } from '@keel/api/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { shutdownTimes } from './shutdown.js';
import { type ChildServer, startIsolatedChildServer, trpcCall } from './testing/server.js';

const PASSWORD = 'Passw0rd!';
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function childServer(extra: Record<string, string> = {}): Promise<ChildServer> {
  return startIsolatedChildServer({ LOG_LEVEL: 'info', ...extra }, (step) => cleanups.push(step));
}

async function registeredToken(url: string): Promise<string> {
  const email = `shutdown-${Math.random().toString(36).slice(2)}@example.com`;
  const res = await trpcCall(url, 'auth.register', 'mutation', { email, password: PASSWORD, name: 'S' });
  expect(res.status).toBe(200);
  return (res.body.result.data as { accessToken: string }).accessToken;
}

/** What one raw connection received: a complete HTTP response, or how it failed. */
type RawOutcome = RawResponse | { failure: string };

interface RawResponse {
  status: number;
  connection: string | undefined;
  body: string;
}

/** Reads `raw` as one HTTP/1.1 response; `undefined` while it is incomplete. */
function completeResponse(raw: Buffer): RawResponse | undefined {
  const text = raw.toString('latin1');
  const headEnd = text.indexOf('\r\n\r\n');
  if (headEnd < 0) return undefined;
  const [statusLine = '', ...headerLines] = text.slice(0, headEnd).split('\r\n');
  const headers = new Map(
    headerLines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()] as const;
    }),
  );
  const body = text.slice(headEnd + 4);
  const length = headers.get('content-length');
  const complete =
    length !== undefined
      ? body.length >= Number(length)
      : headers.get('transfer-encoding') === 'chunked' && body.includes('0\r\n\r\n');
  if (!complete) return undefined;
  return { status: Number(statusLine.split(' ')[1]), connection: headers.get('connection'), body };
}

interface RawConnection {
  /** Writes `text`; resolves once every byte has been handed to the kernel. */
  send(text: string): Promise<void>;
  outcome: Promise<RawOutcome>;
}

/** A fresh TCP connection to the server, written to by hand, read until the server closes it. */
async function rawConnection(url: string): Promise<RawConnection> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const outcome = new Promise<RawOutcome>((resolve) => {
    let failure: string | undefined;
    socket.on('error', (error: NodeJS.ErrnoException) => {
      failure = error.code ?? error.message;
    });
    socket.on('close', () => {
      const response = completeResponse(Buffer.concat(chunks));
      // A complete response followed by a reset still reached the client; anything less did not.
      resolve(response ?? { failure: failure ?? (chunks.length === 0 ? 'closed empty' : 'closed mid-response') });
    });
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const send = (text: string) => new Promise<void>((resolve) => socket.write(text, () => resolve()));
  return { send, outcome };
}

interface SseStream {
  /** Resolves with how the stream ended: `end` when the server finished the response. */
  ended: Promise<string>;
  frames: string[];
}

async function openEventStream(url: string, token: string): Promise<SseStream> {
  const response = await fetch(`${url}/trpc/events.onEvent`, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
  });
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const frames: string[] = [];
  const ended = (async () => {
    const decoder = new TextDecoder();
    try {
      for await (const chunk of response.body ?? []) {
        for (const line of decoder.decode(chunk, { stream: true }).split('\n')) {
          if (line.startsWith('event:')) frames.push(line.slice('event:'.length).trim());
        }
      }
      return 'end';
    } catch (error) {
      return `error: ${error instanceof Error ? `${error.message} ${String(error.cause ?? '')}` : String(error)}`;
    }
  })();
  return { ended, frames };
}

describe('graceful shutdown', () => {
  it('answers every request fully sent before SIGTERM on 30 fresh connections, resets none, and exits 0', async () => {
    const server = await childServer();
    const token = await registeredToken(server.url);
    const { host } = new URL(server.url);
    // A process too busy to accept: the kernel completes the handshakes and takes the requests,
    // and the signal is already pending when the process runs again (the hardest case of
    // "SIGTERM 0-50 ms after the requests were written").
    server.child.kill('SIGSTOP');
    const connections = await Promise.all(Array.from({ length: 30 }, () => rawConnection(server.url)));
    await Promise.all(
      connections.map((connection, i) =>
        connection.send(
          i % 2 === 0
            ? `GET /health/live HTTP/1.1\r\nHost: ${host}\r\n\r\n`
            : `GET /trpc/auth.me HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${token}\r\n\r\n`,
        ),
      ),
    );
    server.child.kill('SIGTERM');
    server.child.kill('SIGCONT');

    const outcomes = await Promise.all(connections.map((c) => c.outcome));
    const seen = outcomes.map((o) => ('status' in o ? String(o.status) : o.failure));
    const unanswered = seen.filter((s) => s !== '200' && s !== '503');
    expect({ unanswered: unanswered.length, first: unanswered[0] }).toEqual({ unanswered: 0, first: undefined });
    expect(seen).toContain('200');
    const code = await server.exited;
    expect({ code, output: code === 0 ? '' : server.output() }).toEqual({ code: 0, output: '' });
    expect(server.output()).toContain('shutdown complete');
  });

  it('during SHUTDOWN_DELAY_MS: ready answers 503, live and the API still 200, every answer closes its connection; then live streams end cleanly and it exits 0', async () => {
    const server = await childServer({ SHUTDOWN_DELAY_MS: '1000' });
    const token = await registeredToken(server.url);
    const stream = await openEventStream(server.url, token);
    await until(() => stream.frames.includes('connected'));

    server.child.kill('SIGTERM');
    const ready = await until(
      () => fetch(`${server.url}/health/ready`),
      (res) => res.status === 503,
    );
    expect(await ready.json()).toMatchObject({ status: 'shutting down' });
    expect(ready.headers.get('connection')).toBe('close');
    // Still accepting new connections and serving them: the load balancer is told, not refused.
    const live = await fetch(`${server.url}/health/live`);
    expect(live.status).toBe(200);
    expect(live.headers.get('connection')).toBe('close');
    const me = await trpcCall(server.url, 'auth.me', 'query', undefined, { token });
    expect(me.status).toBe(200);
    expect(me.headers.get('connection')).toBe('close');

    expect(await stream.ended).toBe('end');
    const code = await server.exited;
    expect({ code, output: code === 0 ? '' : server.output() }).toEqual({ code: 0, output: '' });
    expect(server.output()).toContain('shutdown complete');
  });

  it('answers 503 in the error envelope, closing the connection, to a request completed after the listener closed', async () => {
    const server = await childServer();
    const { host } = new URL(server.url);
    // A request still arriving: its head is not finished when the signal comes.
    const connection = await rawConnection(server.url);
    await connection.send(`GET /health/live HTTP/1.1\r\nHost: ${host}\r\n`);
    server.child.kill('SIGTERM');
    // New connections are refused once the listener is closed; the open one stays.
    await until(() =>
      fetch(`${server.url}/health/live`).then(
        () => false,
        () => true,
      ),
    );
    await connection.send('\r\n');

    const outcome = await connection.outcome;
    expect(outcome).toMatchObject({ status: 503, connection: 'close' });
    expect(JSON.parse((outcome as RawResponse).body)).toMatchObject({
      error: { code: 'SERVICE_UNAVAILABLE', message: 'The server is shutting down; retry the request' },
    });
    expect(await server.exited).toBe(0);
  });
});

describe('SHUTDOWN_DELAY_MS', () => {
  const base = { JWT_ACCESS_SECRET: 'x'.repeat(48) };

  it('defaults to 5 s in production and 0 otherwise, and the process is gone within 15 s of the signal with it', () => {
    const production = loadConfig({ ...base, NODE_ENV: 'production' }).SHUTDOWN_DELAY_MS;
    expect(production).toBe(5_000);
    expect(loadConfig({ ...base, NODE_ENV: 'development' }).SHUTDOWN_DELAY_MS).toBe(0);
    expect(loadConfig({ ...base, NODE_ENV: 'production', SHUTDOWN_DELAY_MS: '0' }).SHUTDOWN_DELAY_MS).toBe(0);
    expect(shutdownTimes(production).forceExitMs).toBeLessThan(15_000);
  });

  it('refuses a value that is not a whole number of milliseconds, naming it beside the other bad variables', () => {
    expect(() => loadConfig({ ...base, SHUTDOWN_DELAY_MS: '-1', PORT: 'x' })).toThrow(/PORT[\s\S]*SHUTDOWN_DELAY_MS/);
    expect(() => loadConfig({ ...base, SHUTDOWN_DELAY_MS: 'soon' })).toThrow(/SHUTDOWN_DELAY_MS/);
  });
});
