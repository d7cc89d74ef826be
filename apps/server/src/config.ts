// The only module that reads process.env: parse it once, and keep the development JWT secret under DATA_DIR.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { ApiEnvSchema, envBool, envInt, envOptional, parseEnv } from '@keel/api/server';
import { z } from 'zod';

/** The nearest directory above `from` holding pnpm-workspace.yaml; the working directory if none does. */
export function repositoryRoot(from: string = import.meta.dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    if (dirname(dir) === dir) return process.cwd();
  }
}

/**
 * A relative DATA_DIR is taken from here, whatever the working directory: `pnpm start` (repository
 * root), `pnpm dev`, `pnpm db:seed` and `pnpm db:migrate` (apps/server) share one database.
 */
const REPOSITORY_ROOT = repositoryRoot();

/**
 * Whose X-Forwarded-For is believed: nobody (`false`), every hop (`true`, unsafe: any client picks
 * its own address), the nearest N hops, or the listed proxy addresses/CIDRs.
 */
export type TrustProxy = boolean | number | string[];

/** proxy-addr's names for address ranges, accepted in a TRUST_PROXY list. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/** An address, `address/prefix`, `IPv4/netmask` or a range name, as Fastify's proxy-addr compiles them. */
function isProxyAddress(entry: string): boolean {
  if (PROXY_RANGE_NAMES.has(entry)) return true;
  const [address = '', range, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (range === undefined) return true;
  if (/^\d{1,3}$/.test(range)) return Number(range) <= (family === 4 ? 32 : 128);
  return family === 4 && isIP(range) === 4;
}

const MAX_PROXY_HOPS = 32;
const trustProxy = z
  .string()
  .trim()
  .transform((value, ctx): TrustProxy => {
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false' || lower === '') return false;
    if (/^\d+$/.test(value)) {
      const hops = Number(value);
      if (hops <= MAX_PROXY_HOPS) return hops === 0 ? false : hops;
    } else {
      const entries = value.split(',').map((entry) => entry.trim());
      const invalid = entries.filter((entry) => !isProxyAddress(entry));
      if (invalid.length === 0) return entries;
      const shown = invalid.map((entry) => JSON.stringify(entry)).join(', ');
      ctx.addIssue({ code: 'custom', message: `not a proxy address or CIDR: ${shown}` });
      return z.NEVER;
    }
    ctx.addIssue({
      code: 'custom',
      message: `expected false, true, a hop count up to ${MAX_PROXY_HOPS}, or proxy addresses/CIDRs separated by commas`,
    });
    return z.NEVER;
  });

/** The API layer's variables and the host's own: listening, connections, HTTP, logs, metrics, tracing. */
export const ServerEnvSchema = ApiEnvSchema.safeExtend({
  PORT: envInt(0, 65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_URL: envOptional(z.string().url()),
  DATABASE_POOL_MAX: envInt(1, 500).default(10),
  DATA_DIR: z
    .string()
    .min(1)
    .default('.data')
    .transform((dir) => resolve(REPOSITORY_ROOT, dir)),
  STATEMENT_TIMEOUT_MS: envInt(100, 600_000).default(10_000),
  REQUEST_TIMEOUT_MS: envInt(1_000, 600_000).default(30_000),
  REDIS_URL: envOptional(z.string().url()),
  REDIS_KEY_PREFIX: z.string().default('keel:'),
  CORS_ORIGINS: envOptional(z.string()),
  TRUST_PROXY: trustProxy.default(false),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  METRICS_TOKEN: envOptional(z.string().min(1)),
  // In production /metrics needs METRICS_TOKEN unless this opens it (e.g. a scraper on a private network).
  METRICS_PUBLIC: envBool.default(false),
  // OTLP/HTTP base URL (traces go to `<endpoint>/v1/traces`); unset means tracing is off.
  OTEL_EXPORTER_OTLP_ENDPOINT: envOptional(z.string().url()),
  OTEL_SERVICE_NAME: z.string().min(1).default('keel'),
  SLOW_REQUEST_MS: envInt(1, 600_000).default(1_000),
  // Single tRPC queries and mutations skip the Fetch-API layer of the adapter (apps/server/src/http/fast-path.ts).
  TRPC_FAST_PATH: envBool.default(true),
  WEB_DIST_DIR: envOptional(z.string()),
  // How long a stopping process keeps serving, /health/ready already 503, before it stops
  // accepting: a load balancer needs a few probes to stop routing to it. Unset: 5 s in production, 0 otherwise.
  SHUTDOWN_DELAY_MS: envOptional(envInt(0, 60_000)),
  // Mail over SMTP (`smtp://user:pass@host:587`, `smtps://…`); unset, mail is written to DATA_DIR/outbox.
  SMTP_URL: envOptional(z.string().url()),
  // This process works background jobs (mail, clean-up); false for an HTTP-only instance beside `pnpm worker`.
  JOBS_WORKER: envBool.default(true),
});

const PRODUCTION_SHUTDOWN_DELAY_MS = 5_000;

export interface ServerConfig extends z.infer<typeof ServerEnvSchema> {
  SHUTDOWN_DELAY_MS: number;
  JWT_ACCESS_SECRET: string;
  /** Where JWT_ACCESS_SECRET came from, for the start-up log. */
  jwtSecretSource: 'environment' | 'generated' | 'data-dir';
}

/** Reads and validates the environment; throws a ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ServerConfig {
  const values = parseEnv(ServerEnvSchema, env);
  const production = values.NODE_ENV === 'production';
  const parsed = {
    ...values,
    SHUTDOWN_DELAY_MS: values.SHUTDOWN_DELAY_MS ?? (production ? PRODUCTION_SHUTDOWN_DELAY_MS : 0),
  };
  if (parsed.JWT_ACCESS_SECRET)
    return { ...parsed, JWT_ACCESS_SECRET: parsed.JWT_ACCESS_SECRET, jwtSecretSource: 'environment' };
  // Development only (production refuses to start without the variable): one secret, generated
  // once, so tokens survive restarts.
  const file = join(parsed.DATA_DIR, 'jwt-secret');
  if (existsSync(file)) {
    return { ...parsed, JWT_ACCESS_SECRET: readFileSync(file, 'utf8').trim(), jwtSecretSource: 'data-dir' };
  }
  mkdirSync(parsed.DATA_DIR, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return { ...parsed, JWT_ACCESS_SECRET: secret, jwtSecretSource: 'generated' };
}
