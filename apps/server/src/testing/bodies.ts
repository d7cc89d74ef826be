// Typed readers of the JSON the host answers, for HTTP tests: a test names the answer it expects,
// and its assertions check that the answer has that shape.
import type { TrpcEnvelope } from '@keel/api/testing';
import { expect } from 'vitest';

export type { TrpcEnvelope };

/** The REST envelope of an error (`sendError` in src/http/errors.ts). */
export interface RestErrorBody {
  error: { code: string; message: string; details?: { field: string; message: string }[] };
  meta: { timestamp: string; path: string; requestId: string };
}

/** The REST error envelope, exactly: no other keys, the request id of the x-request-id header. */
export function expectRestEnvelope(
  res: { status: number; headers: Headers; body: RestErrorBody },
  status: number,
  code: string,
  path: string,
) {
  const { body } = res;
  expect(res.status).toBe(status);
  expect(Object.keys(body).sort()).toEqual(['error', 'meta']);
  expect(body.error.code).toBe(code);
  expect(typeof body.error.message).toBe('string');
  for (const key of Object.keys(body.error)) expect(['code', 'message', 'details']).toContain(key);
  expect(Object.keys(body.meta).sort()).toEqual(['path', 'requestId', 'timestamp']);
  expect(body.meta.path).toBe(path);
  expect(new Date(body.meta.timestamp).toISOString()).toBe(body.meta.timestamp);
  expect(body.meta.requestId).toBe(res.headers.get('x-request-id'));
  expect(body.meta.requestId).toBeTruthy();
}

/** /health/live and /health/ready. */
export interface HealthBody {
  status: string;
  checks: Record<string, string>;
}

/**
 * The body of `response` parsed as JSON, typed as the answer `T` the test expects; an answer that is
 * not JSON fails with its status and the start of its body, not with a bare parser error.
 */
export async function readJson<T>(response: Response): Promise<T> {
  const text = await response.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`${response.url} answered ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`);
  }
}
