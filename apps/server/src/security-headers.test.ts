// The precomputed security headers against @fastify/helmet with the same options.
import fastifyHelmet from '@fastify/helmet';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { registerSecurityHeaders, securityHeaderOptions } from './security-headers.js';

const options = securityHeaderOptions;

async function headersOf(register: (app: ReturnType<typeof Fastify>) => Promise<void> | void) {
  const app = Fastify();
  await register(app);
  app.get('/', async () => ({ ok: true }));
  const res = await app.inject({ method: 'GET', url: '/' });
  await app.close();
  const { date: _date, 'content-length': _length, connection: _connection, ...rest } = res.headers;
  return rest;
}

describe('precomputed security headers', () => {
  it.each([true, false])('match @fastify/helmet with the same options (production: %s)', async (production) => {
    const plugin = await headersOf((app) => app.register(fastifyHelmet, options(production)));
    const precomputed = await headersOf((app) => registerSecurityHeaders(app, options(production)));
    expect(precomputed).toEqual(plugin);
    expect(precomputed['content-security-policy']).toContain("default-src 'self'");
    expect(Boolean(precomputed['strict-transport-security'])).toBe(production);
  });
});
