// Configuration of SPEC §3, parsed once by zod from an environment the host passes in.
import { z } from 'zod';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v);

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
    CORS_ORIGINS: z.preprocess(emptyToUndefined, z.string().optional()),
    TRUST_PROXY: bool.default(false),
    ADMIN_EMAIL: z.preprocess(emptyToUndefined, z.string().email().optional()),
    ADMIN_PASSWORD: z.preprocess(emptyToUndefined, z.string().min(8).optional()),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    METRICS_TOKEN: z.preprocess(emptyToUndefined, z.string().min(1).optional()),
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
    WEB_DIST_DIR: z.preprocess(emptyToUndefined, z.string().optional()),
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
  trustProxy: boolean;
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
    trustProxy: env.TRUST_PROXY,
  };
}
