// /health/live (the process runs) and /health/ready (its database and Redis answer, and it is not shutting down).
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { ShutdownState } from './shutdown.js';

export interface HealthCheck {
  name: string;
  check(): Promise<void>;
}

const READY_TIMEOUT_MS = 1500;

/** `ok` or `failed`: a probe's answer names the dependency, never its driver's words (host names, users). */
async function run(check: HealthCheck, log: FastifyBaseLogger): Promise<[string, string]> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check.check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), READY_TIMEOUT_MS);
      }),
    ]);
    return [check.name, 'ok'];
  } catch (error) {
    log.warn({ err: error, check: check.name }, 'readiness check failed');
    return [check.name, 'failed'];
  } finally {
    clearTimeout(timer);
  }
}

export function registerHealthRoutes(
  app: FastifyInstance,
  checks: HealthCheck[],
  shutdown: Pick<ShutdownState, 'draining'> = { draining: false },
): void {
  app.get('/health/live', async () => ({ status: 'ok' }));
  app.get('/health/ready', async (request, reply) => {
    // From the shutdown signal on, whatever the dependencies say: the load balancer stops routing
    // here while the requests it already sent are still answered.
    if (shutdown.draining) return reply.status(503).send({ status: 'shutting down' });
    const results = Object.fromEntries(await Promise.all(checks.map((check) => run(check, request.log))));
    const ready = Object.values(results).every((r) => r === 'ok');
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ok' : 'unavailable', checks: results });
  });
}
