// GET /metrics: per-procedure latency and counts (each call of a batch, REST too), limiter, argon2,
// pool, process and event-loop metrics, background jobs; and the METRICS_TOKEN guard.
import { createServer } from 'node:net';
import { until } from '@keel/api/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, trpcCall } from './testing/server.js';

const PASSWORD = 'Passw0rd!';
let server: TestServer;
let guarded: TestServer;
let counter = 0;
const email = () => `metrics${++counter}-${Date.now()}@example.com`;

async function register(target: TestServer) {
  const res = await trpcCall(target.url, 'auth.register', 'mutation', {
    email: email(),
    password: PASSWORD,
    name: 'M',
  });
  expect(res.status).toBe(200);
  return res.body.result.data as { accessToken: string; user: { id: string } };
}

/** A local port nothing listens on: an SMTP server that is down. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function scrape(target: TestServer, token?: string): Promise<string> {
  const res = await fetch(`${target.url}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return res.text();
}

/** The value of one series, by metric name and exact labels (in any order). */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-z_:]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] as string, m[2] as string]),
    );
    if (
      Object.entries(labels).every(([k, v]) => found[k] === v) &&
      Object.keys(found).length === Object.keys(labels).length
    ) {
      return Number(match[3]);
    }
  }
  return undefined;
}

beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_MULTIPLIER: '1' });
  guarded = await startTestServer({ METRICS_TOKEN: 'metrics-secret-token' });
});
afterAll(async () => {
  await server?.close();
  await guarded?.close();
});

describe('/metrics', () => {
  it('shows the latency histogram and the counter with a projects.list series after one call', async () => {
    const user = await register(server);
    const list = await trpcCall(server.url, 'projects.list', 'query', {}, { token: user.accessToken });
    expect(list.status).toBe(200);
    const text = await scrape(server);
    const labels = { procedure: 'projects.list', type: 'query', transport: 'trpc', status_code: '200' };
    expect(text).toContain('# TYPE keel_procedure_duration_seconds histogram');
    expect(sample(text, 'keel_procedure_duration_seconds_count', labels)).toBe(1);
    expect(sample(text, 'keel_procedure_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(1);
    expect(sample(text, 'keel_procedure_calls_total', labels)).toBe(1);
    expect(
      sample(text, 'keel_http_requests_total', { method: 'GET', route: '/trpc/:path', status_code: '200' }),
    ).toBeGreaterThan(0);
  });

  it('counts each call of a tRPC batch with its own status, and REST calls as rest', async () => {
    const user = await register(server);
    const batch = await fetch(`${server.url}/trpc/credits.balance,auth.nope,users.search?batch=1&input={}`, {
      headers: { authorization: `Bearer ${user.accessToken}` },
    });
    expect(batch.status).toBe(207);
    const rest = await fetch(`${server.url}/api/credits/balance`, {
      headers: { authorization: `Bearer ${user.accessToken}` },
    });
    expect(rest.status).toBe(200);
    const text = await scrape(server);
    const calls = (procedure: string, transport: string, status: string) =>
      sample(text, 'keel_procedure_calls_total', { procedure, type: 'query', transport, status_code: status });
    expect(calls('credits.balance', 'trpc', '200')).toBeGreaterThanOrEqual(1);
    // users.search's input misses `query`: this call alone is a 400.
    expect(calls('users.search', 'trpc', '400')).toBeGreaterThanOrEqual(1);
    expect(calls('credits.balance', 'rest', '200')).toBeGreaterThanOrEqual(1);
  });

  it('counts rate-limit rejections by rule', async () => {
    const address = email();
    for (let i = 0; i < 6; i++) {
      await trpcCall(server.url, 'auth.login', 'mutation', { email: address, password: 'Wrong-pass1' });
    }
    const text = await scrape(server);
    expect(sample(text, 'keel_rate_limit_rejections_total', { rule: 'login' })).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, 'keel_procedure_calls_total', {
        procedure: 'auth.login',
        type: 'mutation',
        transport: 'trpc',
        status_code: '429',
      }),
    ).toBeGreaterThanOrEqual(1);
  });

  it('reports the argon2 queue, the pool, and process and event-loop metrics', async () => {
    const text = await scrape(server);
    for (const name of [
      'keel_argon2_queue_depth',
      'keel_argon2_in_flight',
      'keel_db_pool_connections_total',
      'keel_db_pool_connections_idle',
      'keel_db_pool_requests_waiting',
      'keel_rate_limit_store_failures_total',
      'process_cpu_user_seconds_total',
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'nodejs_heap_size_used_bytes',
    ]) {
      expect(text, name).toMatch(new RegExp(`^${name} \\d`, 'm'));
    }
  });

  it('counts the jobs this process worked by queue and outcome', async () => {
    // Signing up sends the verification mail as a job (to the outbox here: no SMTP_URL).
    const res = await trpcCall(guarded.url, 'auth.register', 'mutation', {
      email: email(),
      password: PASSWORD,
      name: 'J',
    });
    expect(res.status).toBe(200);
    const completed = await until(
      async () =>
        sample(await scrape(guarded, 'metrics-secret-token'), 'keel_jobs_total', {
          queue: 'account.verification',
          outcome: 'completed',
        }),
      (value) => (value ?? 0) >= 1,
      30_000,
    );
    expect(completed).toBeGreaterThanOrEqual(1);
  });

  it('counts a mail the SMTP server did not take as a failed job', async () => {
    const failing = await startTestServer({ SMTP_URL: `smtp://127.0.0.1:${await closedPort()}` });
    try {
      expect((await register(failing)).user.id).toBeTruthy();
      const failed = await until(
        async () =>
          sample(await scrape(failing), 'keel_jobs_total', { queue: 'account.verification', outcome: 'failed' }),
        (value) => (value ?? 0) >= 1,
        30_000,
      );
      expect(failed).toBeGreaterThanOrEqual(1);
    } finally {
      await failing.close();
    }
  });

  it('shows the jobs waiting per queue, also when no process works them', async () => {
    const sender = await startTestServer({ JOBS_WORKER: 'false' });
    try {
      await register(sender);
      const text = await scrape(sender);
      expect(sample(text, 'keel_jobs_waiting', { queue: 'account.verification' })).toBe(1);
      expect(sample(text, 'keel_jobs_waiting', { queue: 'account.password_reset' })).toBe(0);
      expect(text).not.toMatch(/^keel_jobs_total\{/m);
    } finally {
      await sender.close();
    }
  });

  it('requires the bearer token when METRICS_TOKEN is set', async () => {
    const anonymous = await fetch(`${guarded.url}/metrics`);
    expect(anonymous.status).toBe(401);
    const body = (await anonymous.json()) as { error: { code: string }; meta: { requestId: string } };
    expect(body.error.code).toBe('UNAUTHORIZED');
    expect(body.meta.requestId).toBe(anonymous.headers.get('x-request-id'));
    const wrong = await fetch(`${guarded.url}/metrics`, { headers: { authorization: 'Bearer metrics-secret-tokex' } });
    expect(wrong.status).toBe(401);
    expect(await scrape(guarded, 'metrics-secret-token')).toContain('keel_procedure_calls_total');
    expect((await fetch(`${server.url}/metrics`)).status).toBe(200);
  });
});
