// The configuration the API layer reads (the README's table), parsed by zod from an environment the host passes
// in; the host extends this schema with its own settings (apps/server/src/config.ts).
import { z } from 'zod';

/** A boolean variable: `true`/`1`/`yes` or `false`/`0`/`no`. */
export const envBool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
/** A whole number within [min, max], from its string form. */
export const envInt = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
/** An optional variable: set to the empty string, it counts as unset. */
export const envOptional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

/**
 * The variables the API layer reads: token keys and lifetimes, password hashing, limits and caps.
 * The host adds its own with `safeExtend`, which keeps the production rule below.
 */
export const ApiEnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    JWT_ACCESS_SECRET: envOptional(z.string().min(32, 'must be at least 32 bytes')),
    JWT_ACCESS_SECRET_PREVIOUS: envOptional(z.string().min(32, 'must be at least 32 bytes')),
    JWT_ISSUER: z.string().min(1).default('keel'),
    JWT_AUDIENCE: z.string().min(1).default('keel-api'),
    ACCESS_TOKEN_TTL_SECONDS: envInt(1, 86_400).default(900),
    REFRESH_TOKEN_TTL_DAYS: envInt(1, 365).default(7),
    REFRESH_REUSE_GRACE_SECONDS: envInt(0, 3_600).default(10),
    // Live sessions a user may hold; a sign-in beyond it revokes the least recently used one.
    SESSIONS_PER_USER_MAX: envInt(1, 10_000).default(50),
    RATE_LIMIT_MULTIPLIER: z.coerce
      .number()
      .positive('0 would disable every limit; use a large value instead')
      .default(1),
    // argon2 cost: tunable for tests only; production keeps m=64 MiB, t=3, p=4.
    ARGON2_MEMORY_COST: envInt(1_024, 1_048_576).default(65_536),
    ARGON2_TIME_COST: envInt(1, 20).default(3),
    ARGON2_PARALLELISM: envInt(1, 16).default(4),
    HASH_CONCURRENCY: envInt(1, 64).default(2),
    HASH_QUEUE_MAX: envInt(0, 10_000).default(32),
    // Live event streams (`events.onEvent`): one more than the first ends that user's oldest;
    // beyond the second, this process refuses new streams with 503.
    EVENT_STREAMS_PER_USER: envInt(1, 1_000).default(20),
    EVENT_STREAMS_MAX: envInt(1, 1_000_000).default(1_000),
    // Searches one user may have running at once per process; past it a search answers 429.
    SEARCHES_PER_USER: envInt(1, 100).default(2),
    // Most rows one CSV export of the audit log writes (GET /api/admin/audit.csv).
    AUDIT_EXPORT_MAX_ROWS: envInt(1, 10_000_000).default(100_000),
    // The dashboard's origin, the base of every link in mail; the host supplies a default outside production.
    PUBLIC_URL: envOptional(
      z
        .url({ protocol: /^https?$/, error: 'must be an http(s) origin, e.g. https://keel.example.com' })
        .transform((url) => url.replace(/\/+$/, '')),
    ),
    MAIL_FROM: z.string().min(3).default('Keel <no-reply@localhost>'),
    // Audit events older than this many days are deleted by the daily clean-up job; unset keeps them all.
    AUDIT_RETENTION_DAYS: envOptional(envInt(1, 36_500)),
    // Who may create an account with auth.register: anyone, nobody (invitations only), or addresses
    // at SIGNUP_DOMAINS. Invitations create accounts in every mode.
    SIGNUP_MODE: z.enum(['open', 'invite', 'domain']).default('open'),
    // An unverified account may sign in, but only auth.* and users.updateProfile answer it.
    REQUIRE_EMAIL_VERIFICATION: envBool.default(false),
    SIGNUP_DOMAINS: envOptional(
      z
        .string()
        .transform((list) =>
          list
            .split(',')
            .map((domain) => domain.trim().toLowerCase())
            .filter((domain) => domain !== ''),
        )
        .pipe(
          z.array(
            z.string().regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, 'must be domains separated by commas, e.g. example.com'),
          ),
        ),
    ),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.JWT_ACCESS_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_ACCESS_SECRET'],
        message: 'is required when NODE_ENV=production (at least 32 random bytes, e.g. `openssl rand -base64 48`)',
      });
    }
    if (env.SIGNUP_MODE === 'domain' && (env.SIGNUP_DOMAINS ?? []).length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['SIGNUP_DOMAINS'],
        message: 'is required when SIGNUP_MODE=domain (comma-separated domains, e.g. example.com,example.org)',
      });
    }
  });

export type ApiEnv = z.infer<typeof ApiEnvSchema>;

/** What the API layer needs of the configuration. */
export interface ApiConfig {
  accessTokenTtlSeconds: number;
  refreshTokenTtlDays: number;
  refreshReuseGraceSeconds: number;
  /** Concurrent `events.onEvent` streams per user in a process; one more supersedes the oldest. */
  eventStreamsPerUser: number;
  /** Concurrent `events.onEvent` streams per process; more are refused with 503. */
  eventStreamsMax: number;
  /** Searches one user may have running at once in this process (common/search-limit.ts). */
  searchesPerUser: number;
  sessionsPerUserMax: number;
  /** Most rows one audit CSV export writes; the export says so in a last line when more matched. */
  auditExportMaxRows: number;
  /**
   * The dashboard's origin (no trailing slash): every link in mail starts with it, never with the
   * request's Host. Undefined in production without PUBLIC_URL: mail with links then refuses to go.
   */
  publicUrl: string | undefined;
  /** Days the audit log keeps an event; undefined keeps every event. */
  auditRetentionDays: number | undefined;
  /**
   * Who may sign up with `auth.register`: `open` anyone, `invite` nobody (only an invitation
   * creates an account), `domain` only addresses at `signupDomains`.
   */
  signupMode: SignupMode;
  /** Lower-case domains (SIGNUP_DOMAINS); empty when unset. */
  signupDomains: string[];
  /**
   * An account whose address is not verified gets 403 EMAIL_NOT_VERIFIED from everything but
   * auth.* and users.updateProfile: REQUIRE_EMAIL_VERIFICATION, or SIGNUP_MODE=domain (where the
   * address is the credential).
   */
  emailVerificationRequired: boolean;
}

export type SignupMode = 'open' | 'invite' | 'domain';

export class ConfigError extends Error {}

/** Parses the environment with `schema`; throws a ConfigError naming every bad variable, one a line. */
export function parseEnv<T extends z.ZodType>(schema: T, env: Record<string, string | undefined>): z.output<T> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}

/** `defaultPublicUrl`: the host's own origin, used outside production when PUBLIC_URL is unset. */
export function toApiConfig(env: ApiEnv, defaultPublicUrl?: string): ApiConfig {
  return {
    publicUrl: env.PUBLIC_URL ?? (env.NODE_ENV === 'production' ? undefined : defaultPublicUrl),
    auditRetentionDays: env.AUDIT_RETENTION_DAYS,
    signupMode: env.SIGNUP_MODE,
    signupDomains: env.SIGNUP_DOMAINS ?? [],
    emailVerificationRequired: env.REQUIRE_EMAIL_VERIFICATION || env.SIGNUP_MODE === 'domain',
    accessTokenTtlSeconds: env.ACCESS_TOKEN_TTL_SECONDS,
    refreshTokenTtlDays: env.REFRESH_TOKEN_TTL_DAYS,
    refreshReuseGraceSeconds: env.REFRESH_REUSE_GRACE_SECONDS,
    eventStreamsPerUser: env.EVENT_STREAMS_PER_USER,
    eventStreamsMax: env.EVENT_STREAMS_MAX,
    searchesPerUser: env.SEARCHES_PER_USER,
    sessionsPerUserMax: env.SESSIONS_PER_USER_MAX,
    auditExportMaxRows: env.AUDIT_EXPORT_MAX_ROWS,
  };
}
