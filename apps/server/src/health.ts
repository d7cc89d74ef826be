// /health/live (the process runs) and /health/ready (its database and Redis answer).
import type { FastifyInstance } from 'fastify';

export interface HealthCheck {
  name: string;
  check(): Promise<void>;
}

const READY_TIMEOUT_MS = 1500;

async function run(check: HealthCheck): Promise<[string, string]> {
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
    return [check.name, error instanceof Error ? `failed: ${error.message}` : 'failed'];
  } finally {
    clearTimeout(timer);
  }
}

export function registerHealthRoutes(app: FastifyInstance, checks: HealthCheck[]): void {
  app.get('/health/live', async () => ({ status: 'ok' }));
  app.get('/health/ready', async (_request, reply) => {
    const results = Object.fromEntries(await Promise.all(checks.map(run)));
    const ready = Object.values(results).every((r) => r === 'ok');
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ok' : 'unavailable', checks: results });
  });
}
