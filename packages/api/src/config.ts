// Configuration of SPEC §3, parsed once by zod from an environment the host passes in.
import { isIP } from 'node:net';
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v);

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

export const ConfigSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: int(0, 65535).default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    DATABASE_URL: z.preprocess(emptyToUndefined, z.string().url().optional()),
    DATABASE_POOL_MAX: int(1, 500).default(10),
    DATA_DIR: z.string().min(1).default('.data'),
    STATEMENT_TIMEOUT_MS: int(100, 600_000).default(10_000),
    REQUEST_TIMEOUT_MS: int(1_000, 600_000).default(30_000),
    REDIS_URL: z.preprocess(emptyToUndefined, z.string().url().optional()),
    REDIS_KEY_PREFIX: z.string().default('keel:'),
    JWT_ACCESS_SECRET: z.preprocess(emptyToUndefined, z.string().min(32, 'must be at least 32 bytes').optional()),
    JWT_ACCESS_SECRET_PREVIOUS: z.preprocess(
      emptyToUndefined,
      z.string().min(32, 'must be at least 32 bytes').optional(),
    ),
    JWT_ISSUER: z.string().min(1).default('keel'),
    JWT_AUDIENCE: z.string().min(1).default('keel-api'),
    ACCESS_TOKEN_TTL_SECONDS: int(1, 86_400).default(900),
    REFRESH_TOKEN_TTL_DAYS: int(1, 365).default(7),
    REFRESH_REUSE_GRACE_SECONDS: int(0, 3_600).default(10),
    // Live sessions a user may hold; a sign-in beyond it revokes the least recently used one.
    SESSIONS_PER_USER_MAX: int(1, 10_000).default(50),
    CORS_ORIGINS: z.preprocess(emptyToUndefined, z.string().optional()),
    TRUST_PROXY: trustProxy.default(false),
    ADMIN_EMAIL: z.preprocess(emptyToUndefined, z.string().email().optional()),
    ADMIN_PASSWORD: z.preprocess(emptyToUndefined, z.string().min(8).optional()),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    METRICS_TOKEN: z.preprocess(emptyToUndefined, z.string().min(1).optional()),
    // In production /metrics needs METRICS_TOKEN unless this opens it (e.g. a scraper on a private network).
    METRICS_PUBLIC: bool.default(false),
    // OTLP/HTTP base URL (traces go to `<endpoint>/v1/traces`); unset means tracing is off.
    OTEL_EXPORTER_OTLP_ENDPOINT: z.preprocess(emptyToUndefined, z.string().url().optional()),
    OTEL_SERVICE_NAME: z.string().min(1).default('keel'),
    RATE_LIMIT_MULTIPLIER: z.coerce
      .number()
      .positive('0 would disable every limit; use a large value instead')
      .default(1),
    SLOW_REQUEST_MS: int(1, 600_000).default(1_000),
    // Single tRPC queries and mutations skip the Fetch-API layer of the adapter (apps/server/src/fast-path.ts).
    TRPC_FAST_PATH: bool.default(true),
    // argon2 cost: tunable for tests only; production keeps SPEC §5.1's parameters.
    ARGON2_MEMORY_COST: int(1_024, 1_048_576).default(65_536),
    ARGON2_TIME_COST: int(1, 20).default(3),
    ARGON2_PARALLELISM: int(1, 16).default(4),
    HASH_CONCURRENCY: int(1, 64).default(2),
    HASH_QUEUE_MAX: int(0, 10_000).default(32),
    // Live event streams (`events.onEvent`): one more than the first ends that user's oldest;
    // beyond the second, this process refuses new streams with 503.
    EVENT_STREAMS_PER_USER: int(1, 1_000).default(20),
    EVENT_STREAMS_MAX: int(1, 1_000_000).default(1_000),
    // Searches one user may have running at once per process; past it a search answers 429.
    SEARCHES_PER_USER: int(1, 100).default(2),
    WEB_DIST_DIR: z.preprocess(emptyToUndefined, z.string().optional()),
    // Most rows one CSV export of the audit log writes (GET /api/admin/audit.csv).
    AUDIT_EXPORT_MAX_ROWS: int(1, 10_000_000).default(100_000),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.JWT_ACCESS_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_ACCESS_SECRET'],
        message: 'is required when NODE_ENV=production (at least 32 random bytes, e.g. `openssl rand -base64 48`)',
      });
    }
  });

export type Env = z.infer<typeof ConfigSchema>;

/** What the API layer needs of the configuration. */
export interface ApiConfig {
  production: boolean;
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  refreshReuseGraceSeconds: number;
  /** Concurrent `events.onEvent` streams per user in a process; one more supersedes the oldest. */
  eventStreamsPerUser: number;
  /** Concurrent `events.onEvent` streams per process; more are refused with 503. */
  eventStreamsMax: number;
  /** Searches one user may have running at once in this process (common/search-limit.ts); default 2. */
  searchesPerUser?: number;
  sessionsPerUserMax: number;
  trustProxy: TrustProxy;
  /** Most rows one audit CSV export writes; the export says so in a last line when more matched. */
  auditExportMaxRows: number;
}

export class ConfigError extends Error {}

/** Parses the environment; throws a ConfigError naming every bad variable. */
export function parseEnv(env: Record<string, string | undefined>): Env {
  const result = ConfigSchema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}

export function toApiConfig(env: Env): ApiConfig {
  return {
    production: env.NODE_ENV === 'production',
    accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlDays: env.REFRESH_TOKEN_TTL_DAYS,
    refreshReuseGraceSeconds: env.REFRESH_REUSE_GRACE_SECONDS,
    eventStreamsPerUser: env.EVENT_STREAMS_PER_USER,
    eventStreamsMax: env.EVENT_STREAMS_MAX,
    searchesPerUser: env.SEARCHES_PER_USER,
    sessionsPerUserMax: env.SESSIONS_PER_USER_MAX,
    trustProxy: env.TRUST_PROXY,
    auditExportMaxRows: env.AUDIT_EXPORT_MAX_ROWS,
  };
}
