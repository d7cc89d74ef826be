// Entry point of the production server: configuration, runtime, listen, graceful shutdown.
import { loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { createRuntime } from './runtime.js';
import { shutdownTimes } from './shutdown.js';
import { startupFailureMessage } from './startup-failure.js';

/** Set once the server listens; a signal before that stops the start at once. */
let stop: ((signal: NodeJS.Signals) => Promise<void>) | undefined;
const EXIT_CODE_OF: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };
function onSignal(signal: NodeJS.Signals): void {
  if (stop) void stop(signal);
  else process.exit(EXIT_CODE_OF[signal] ?? 1);
}
// Registered first: `pnpm start` runs this process with SIGINT ignored (so that Ctrl-C reaches the
// server alone, not the shells pnpm starts it through), and only a handler of its own lets it stop.
process.on('SIGTERM', onSignal);
process.on('SIGINT', onSignal);

async function main(): Promise<void> {
  const config = loadConfig();
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
  stop = async (signal) => {
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
}

main().catch((error: unknown) => {
  process.stderr.write(`keel server failed to start: ${startupFailureMessage(error)}\n`);
  process.exit(1);
});
