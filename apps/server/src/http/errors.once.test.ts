// The host's error envelopes: tRPC's on /trpc, the REST one elsewhere, with the statuses, JSON-RPC
// numbers and application codes of tRPC's tables for every status the host answers itself.
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendStatusError } from './errors.js';

let app: FastifyInstance;

beforeAll(async () => {
  app = Fastify();
  const refuse = (request: Parameters<typeof sendStatusError>[0], reply: Parameters<typeof sendStatusError>[1]) =>
    sendStatusError(request, reply, Number((request.query as { status: string }).status), 'Refused here');
  app.get('/trpc/:path', refuse);
  app.get('/api/things', refuse);
  await app.ready();
});
afterAll(async () => {
  await app.close();
});

describe('the host error envelope', () => {
  it.each([
    [400, -32600, 'BAD_REQUEST'],
    [401, -32001, 'UNAUTHORIZED'],
    [403, -32003, 'FORBIDDEN'],
    [404, -32004, 'NOT_FOUND'],
    [405, -32005, 'BAD_REQUEST'],
    [408, -32008, 'TIMEOUT'],
    [409, -32009, 'CONFLICT'],
    [413, -32013, 'PAYLOAD_TOO_LARGE'],
    [415, -32015, 'UNSUPPORTED_MEDIA_TYPE'],
    [429, -32029, 'RATE_LIMITED'],
    [503, -32603, 'SERVICE_UNAVAILABLE'],
  ])('answers %i on /trpc with JSON-RPC %i and %s, as tRPC does', async (status, jsonRpc, code) => {
    const res = await app.inject({ url: `/trpc/x.y?status=${status}`, headers: { 'x-request-id': 'r-1' } });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toEqual({
      error: {
        message: 'Refused here',
        code: jsonRpc,
        data: { code, httpStatus: status, path: null, requestId: expect.any(String) },
      },
    });
  });

  it('answers elsewhere in the REST envelope', async () => {
    const res = await app.inject({ url: '/api/things?status=409' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({
      error: { code: 'CONFLICT', message: 'Refused here' },
      meta: { timestamp: expect.any(String), path: '/api/things', requestId: expect.any(String) },
    });
  });

  it('keeps a status tRPC has no code for, as an internal error that says nothing more', async () => {
    const res = await app.inject({ url: '/api/things?status=416' });
    expect(res.statusCode).toBe(416);
    expect(res.json().error).toEqual({ code: 'INTERNAL_ERROR', message: 'Internal server error' });
  });
});
