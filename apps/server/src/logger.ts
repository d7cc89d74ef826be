// pino for the whole process: JSON lines, secrets redacted, pretty only on a TTY in development.
import pino, { type DestinationStream, type Logger } from 'pino';

/** Paths whose values never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'authorization',
  'cookie',
  'password',
  'currentPassword',
  'newPassword',
  'refreshToken',
  'accessToken',
  'token',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.refreshToken',
  '*.accessToken',
  '*.token',
  '*.authorization',
  '*.cookie',
  'input.password',
  'input.refreshToken',
  // One level deeper (an error's input, another object's headers): pino has no recursive wildcard.
  '*.headers.authorization',
  '*.headers.cookie',
  '*.headers["set-cookie"]',
  '*.*.password',
  '*.*.currentPassword',
  '*.*.newPassword',
  '*.*.refreshToken',
  '*.*.accessToken',
];

export interface LoggerOptions {
  /** Human-readable lines (pino-pretty): development on a terminal only. */
  pretty?: boolean;
  destination?: DestinationStream;
}

export function createLogger(level: string, options: LoggerOptions = {}): Logger {
  const base = {
    level,
    base: { service: 'keel' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (options.pretty) return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true } } });
  // stdout in 4 KiB batches (flushed every 250 ms and on exit) instead of one write per line: a
  // synchronous write per request cost ~30 µs of CPU under load (docs/performance.md).
  return pino(
    base,
    options.destination ?? pino.destination({ dest: 1, sync: false, minLength: 4096, periodicFlush: 250 }),
  );
}
