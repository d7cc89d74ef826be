// Entry point of the production server: configuration, runtime, listen, graceful shutdown.
import { ConfigError } from '@keel/api/server';
import { loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { createRuntime } from './runtime.js';
import { shutdownTimes } from './shutdown.js';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger(config.LOG_LEVEL, { pretty: config.NODE_ENV === 'development' && process.stdout.isTTY });
  if (config.jwtSecretSource !== 'environment') {
    logger.warn(
      { dataDir: config.DATA_DIR },
      'JWT_ACCESS_SECRET is not set: using a development secret kept under DATA_DIR',
    );
  }
  const runtime = await createRuntime(config, logger);
  const address = await runtime.app.listen({ port: config.PORT, host: config.HOST });
  logger.info({ address, database: runtime.database.kind, redis: Boolean(runtime.redis) }, 'keel server listening');

  let stopping = false;
  const stop = async (signal: string) => {
    // A second signal (a second Ctrl-C, a supervisor repeating itself) must not cut the drain short.
    if (stopping) return;
    stopping = true;
    const delayMs = config.SHUTDOWN_DELAY_MS;
    logger.info({ signal, delayMs }, 'shutting down: not ready, serving until the delay ends, then draining');
    const force = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, shutdownTimes(delayMs).forceExitMs);
    force.unref();
    try {
      await runtime.close({ delayMs });
      logger.info('shutdown complete');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  process.stderr.write(
    `keel server failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
