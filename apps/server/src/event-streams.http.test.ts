// Caps on live event streams over real SSE connections: a user's stream over EVENT_STREAMS_PER_USER
// ends their oldest with `stream.superseded`; over EVENT_STREAMS_MAX the process answers 503.
import { until } from '@keel/api/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, trpcCall } from './testing/server.js';

const PASSWORD = 'Passw0rd!';
let server: TestServer;
const open: SseStream[] = [];

beforeAll(async () => {
  server = await startTestServer({ EVENT_STREAMS_PER_USER: '2', EVENT_STREAMS_MAX: '3' });
});
afterAll(async () => {
  for (const stream of open) stream.close();
  await server?.close();
});

async function register(): Promise<string> {
  const email = `streams-${Math.random().toString(36).slice(2)}@example.com`;
  const res = await trpcCall(server.url, 'auth.register', 'mutation', { email, password: PASSWORD, name: 'S' });
  expect(res.status).toBe(200);
  return (res.body.result.data as { accessToken: string }).accessToken;
}

interface SseStream {
  response: Response;
  /** Every `event:` name and `data:` payload received so far, in order. */
  frames: { event: string; data: string }[];
  /** Resolves when the server ends the response. */
  ended: Promise<void>;
  close(): void;
}

/** Opens `events.onEvent` as a browser's EventSource would, with the bearer token, and reads it in the background. */
async function openStream(token: string): Promise<SseStream> {
  const controller = new AbortController();
  const response = await fetch(`${server.url}/trpc/events.onEvent`, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    signal: controller.signal,
  });
  const frames: SseStream['frames'] = [];
  const ended = (async () => {
    if (!response.body || !response.headers.get('content-type')?.includes('text/event-stream')) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const field = (name: string) =>
            block
              .split('\n')
              .filter((line) => line.startsWith(`${name}:`))
              .map((line) => line.slice(name.length + 1).trim())
              .join('\n');
          frames.push({ event: field('event') || 'message', data: field('data') });
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // Aborted by close().
    }
  })();
  const stream = { response, frames, ended, close: () => controller.abort() };
  open.push(stream);
  return stream;
}

const connected = (stream: SseStream) => until(() => stream.frames.some((f) => f.event === 'connected'));

async function openGauge(): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith('keel_event_streams_open '));
  return Number(line?.split(' ')[1]);
}

async function counter(name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1]);
}

describe('live event stream caps over HTTP', () => {
  it('supersedes the oldest stream of a user over the cap, refuses over the process cap with 503, and counts both', async () => {
    const alice = await register();
    const bob = await register();
    const first = await openStream(alice);
    await connected(first);
    const second = await openStream(alice);
    await connected(second);
    await until(openGauge, (n) => n === 2);

    // Alice's third stream: her first ends with the superseded event, the second stays.
    const third = await openStream(alice);
    await connected(third);
    await first.ended;
    const messages = first.frames
      .filter((f) => f.event === 'message')
      .map((f) => JSON.parse(f.data) as { type: string });
    expect(messages.map((m) => m.type)).toEqual(['stream.superseded']);
    expect(second.frames.some((f) => f.data.includes('stream.superseded'))).toBe(false);
    expect(await counter('keel_event_streams_superseded_total')).toBe(1);
    await until(openGauge, (n) => n === 2);

    // Bob fills the process (3); his next stream is refused before it starts.
    const bobs = await openStream(bob);
    await connected(bobs);
    await until(openGauge, (n) => n === 3);
    const refused = await openStream(bob);
    expect(refused.response.status).toBe(503);
    expect(Number(refused.response.headers.get('retry-after'))).toBeGreaterThan(0);
    const body = (await refused.response.json()) as { error: { message: string; data: Record<string, unknown> } };
    expect(body.error.data).toMatchObject({ code: 'SERVICE_UNAVAILABLE', httpStatus: 503 });
    expect(body.error.message).toMatch(/live streams/);
    expect(await counter('keel_event_streams_refused_total')).toBe(1);
    expect(await openGauge()).toBe(3);

    // A stream that ends frees its slot.
    bobs.close();
    await until(openGauge, (n) => n === 2);
    const again = await openStream(bob);
    expect(again.response.status).toBe(200);
    await connected(again);
    await until(openGauge, (n) => n === 3);
  });
});
