// /health/ready names the dependency that failed, never the driver's words (they go to the log).
import { captureLogger } from '@keel/api/testing';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerHealthRoutes } from './health.js';

const DRIVER_TEXT = 'password authentication failed for user "keel" (connect to 10.1.2.3:5432)';

let app: FastifyInstance;
let url: string;
const { logger, logs } = captureLogger();

beforeAll(async () => {
  app = Fastify({ loggerInstance: logger as FastifyBaseLogger });
  registerHealthRoutes(app, [
    {
      name: 'database',
      check: async () => {
        throw new Error(DRIVER_TEXT);
      },
    },
    { name: 'redis', check: async () => {} },
  ]);
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app?.close();
});

describe('/health/ready with a failing dependency', () => {
  it('answers 503 naming the failed check, with no driver text', async () => {
    const res = await fetch(`${url}/health/ready`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'unavailable', checks: { database: 'failed', redis: 'ok' } });
  });

  it('logs the real error at warn, naming the check', async () => {
    await fetch(`${url}/health/ready`);
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 40,
        check: 'database',
        err: expect.objectContaining({ message: DRIVER_TEXT }),
      }),
    );
  });
});
