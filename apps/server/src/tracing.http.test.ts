// Tracing with an in-memory exporter: the request span, a procedure span under it and SQL spans
// under that, for tRPC and REST alike; an incoming traceparent is continued.
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, trpcCall } from './testing/server.js';
import { tracesUrl } from './tracing.js';

const exporter = new InMemorySpanExporter();
let server: TestServer;
let token: string;
let userId: string;

beforeAll(async () => {
  server = await startTestServer({}, { spanExporter: exporter });
  const res = await trpcCall(server.url, 'auth.register', 'mutation', {
    email: `traced-${Date.now()}@example.com`,
    password: 'Passw0rd!',
    name: 'T',
  });
  token = res.body.result.data.accessToken;
  userId = res.body.result.data.user.id;
});
afterAll(async () => {
  await server?.close();
});

const idOf = (span: ReadableSpan) => span.spanContext().spanId;
const parentOf = (span: ReadableSpan) => span.parentSpanContext?.spanId;

/** The request's span ends in onResponse, just after the client has its answer: poll for it. */
async function requestSpan(requestId: string): Promise<ReadableSpan> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const span = exporter.getFinishedSpans().find((s) => s.attributes['keel.request_id'] === requestId);
    if (span) return span;
    if (Date.now() > deadline) throw new Error(`no span for request ${requestId}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function childrenOf(parent: ReadableSpan): ReadableSpan[] {
  return exporter.getFinishedSpans().filter((s) => parentOf(s) === idOf(parent));
}

describe('tracing', () => {
  it('links request → procedure → SQL spans for a tRPC call', async () => {
    const res = await trpcCall(
      server.url,
      'projects.create',
      'mutation',
      { name: 'Traced' },
      {
        token,
        headers: { 'x-request-id': 'trace-trpc-1' },
      },
    );
    expect(res.status).toBe(200);
    const request = await requestSpan('trace-trpc-1');
    expect(request.name).toBe('POST /trpc/:path');
    expect(request.attributes['http.response.status_code']).toBe(200);

    const [procedure, ...others] = childrenOf(request);
    expect(others).toEqual([]);
    expect(procedure?.name).toBe('projects.create');
    expect(procedure?.attributes).toMatchObject({
      'rpc.method': 'projects.create',
      'keel.procedure.type': 'mutation',
      'user.id': userId,
      'keel.outcome': 'ok',
      'keel.status_code': 200,
    });

    const statements = childrenOf(procedure as ReadableSpan);
    expect(statements.length).toBeGreaterThan(0);
    const insert = statements.find((s) => String(s.attributes['db.query.text']).startsWith('insert into "projects"'));
    expect(insert?.name).toBe('insert');
    expect(insert?.attributes['db.system.name']).toBe('postgresql');
    // Bound parameters: the statement text never holds the values.
    expect(String(insert?.attributes['db.query.text'])).not.toContain('Traced');
    for (const span of [procedure, ...statements]) {
      expect(span?.spanContext().traceId).toBe(request.spanContext().traceId);
    }
  });

  it('gives each call of a batch its own procedure span and records a failure as its outcome', async () => {
    const res = await fetch(`${server.url}/trpc/credits.balance,projects.get?batch=1`, {
      headers: {
        authorization: `Bearer ${token}`,
        'x-request-id': 'trace-batch-1',
        'content-type': 'application/json',
      },
    });
    expect(res.status).toBe(207);
    const request = await requestSpan('trace-batch-1');
    const procedures = childrenOf(request);
    expect(procedures.map((s) => s.name).sort()).toEqual(['credits.balance', 'projects.get']);
    const failed = procedures.find((s) => s.name === 'projects.get');
    expect(failed?.attributes).toMatchObject({ 'keel.outcome': 'VALIDATION_ERROR', 'keel.status_code': 400 });
    const balance = procedures.find((s) => s.name === 'credits.balance') as ReadableSpan;
    expect(childrenOf(balance).some((s) => s.name === 'select')).toBe(true);
  });

  it('traces REST calls the same way and continues an incoming traceparent', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await fetch(`${server.url}/api/projects?limit=5`, {
      headers: {
        authorization: `Bearer ${token}`,
        'x-request-id': 'trace-rest-1',
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
      },
    });
    expect(res.status).toBe(200);
    const request = await requestSpan('trace-rest-1');
    expect(request.name).toBe('GET /api/projects');
    expect(request.spanContext().traceId).toBe(traceId);
    expect(parentOf(request)).toBe('00f067aa0ba902b7');
    const [procedure] = childrenOf(request);
    expect(procedure?.name).toBe('projects.list');
    expect(childrenOf(procedure as ReadableSpan).length).toBeGreaterThan(0);
  });

  it('sends traces to <endpoint>/v1/traces', () => {
    expect(tracesUrl('http://127.0.0.1:4318')).toBe('http://127.0.0.1:4318/v1/traces');
    expect(tracesUrl('http://collector:4318/otlp/')).toBe('http://collector:4318/otlp/v1/traces');
  });
});
