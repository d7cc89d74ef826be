// pino for the whole process: JSON lines, secrets redacted, pretty only on a TTY in development.
import pino, { type DestinationStream, type Logger } from 'pino';

/** Keys (compared case-insensitively) whose values never reach a log line, at any depth. */
const SECRET_KEYS = new Set([
  'authorization',
  'cookie',
  'set-cookie',
  'password',
  'currentpassword',
  'newpassword',
  'refreshtoken',
  'accesstoken',
  'token',
]);
const CENSOR = '[redacted]';
// Deeper than anything the API logs (an error's input's field is three levels down).
const MAX_DEPTH = 8;

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * A copy of `value` with the value of every secret key censored, at any depth of plain objects
 * and arrays; `value` itself is never changed, and is returned as is when it holds no secret.
 * Errors are left to pino's error serializer. This replaces pino's `redact` paths: the wildcard
 * paths needed to cover nested objects cost ~14 µs per line, this walk ~1 µs for a request's
 * completion line (docs/performance.md).
 */
function redactSecrets<T>(value: T, depth = 0): T {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const redacted = redactSecrets(value[i], depth + 1);
      if (redacted !== value[i]) {
        copy ??= value.slice();
        copy[i] = redacted;
      }
    }
    return (copy ?? value) as T;
  }
  if (!isPlainObject(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const original = value[key];
    const redacted =
      original !== undefined && SECRET_KEYS.has(key.toLowerCase()) ? CENSOR : redactSecrets(original, depth + 1);
    if (redacted !== original) {
      copy ??= { ...value };
      copy[key] = redacted;
    }
  }
  return (copy ?? value) as T;
}

export interface LoggerOptions {
  /** Human-readable lines (pino-pretty): development on a terminal only. */
  pretty?: boolean;
  destination?: DestinationStream;
}

export function createLogger(level: string, options: LoggerOptions = {}): Logger {
  const base = {
    level,
    base: { service: 'keel' },
    formatters: { log: (object: Record<string, unknown>) => redactSecrets(object) },
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
