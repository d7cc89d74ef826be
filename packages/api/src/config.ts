// The configuration the API layer reads (the README's table), parsed by zod from an environment the host passes
// in; the host extends this schema with its own settings (apps/server/src/config.ts).

import type { Role } from '@keel/db';
import { ROLES } from '@keel/db/schema';
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
    // Roles whose signed-in sessions must have passed two-step verification: without it, only auth.*
    // answers them (403 MFA_REQUIRED). API keys are not concerned.
    MFA_REQUIRED_ROLES: envOptional(
      z
        .string()
        .transform((list) =>
          list
            .split(',')
            .map((role) => role.trim().toUpperCase())
            .filter((role) => role !== ''),
        )
        .pipe(z.array(z.enum(ROLES, { error: `must be roles separated by commas, of ${ROLES.join(', ')}` }))),
    ),
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
    // Whether passwords sign in (false once everyone signs in with single sign-on, which it then requires).
    PASSWORD_LOGIN: envBool.default(true),
    // The bootstrap ADMIN: created at start with ADMIN_PASSWORD; under PASSWORD_LOGIN=false, the
    // first single sign-on with this address (verified by the provider) is the ADMIN instead.
    ADMIN_EMAIL: envOptional(z.string().email()),
    ADMIN_PASSWORD: envOptional(z.string().min(8)),
    // A single sign-on session stops refreshing this long after its sign-in: the person goes back
    // through the provider, so someone removed there is out within this time.
    SSO_SESSION_MAX_HOURS: envInt(1, 8_760).default(24),
    // Every session ends this long after its sign-in, whatever its refreshes.
    SESSION_MAX_DAYS: envInt(1, 3_650).default(30),
    // OpenID Connect single sign-on (docs/sso.md): on when the issuer, client id and secret are set.
    OIDC_ISSUER: envOptional(
      z.url({
        protocol: /^https?$/,
        error: "must be the provider's issuer URL, e.g. https://id.example.com/realms/acme",
      }),
    ),
    OIDC_CLIENT_ID: envOptional(z.string().min(1)),
    OIDC_CLIENT_SECRET: envOptional(z.string().min(1)),
    // The role of an account a first single sign-on creates.
    OIDC_DEFAULT_ROLE: z.enum(ROLES).default('GUEST'),
    // The sign-in page's button.
    OIDC_LABEL: z.string().trim().min(1).max(60).default('Single sign-on'),
    // Take the provider's address as verified even when it does not say `email_verified` (e.g. a
    // workforce directory that never sets it): it then links a Keel account with that address.
    OIDC_TRUST_EMAIL: envBool.default(false),
    // Count every single sign-on as a second factor, not only one whose ID token's `amr` says so.
    OIDC_MFA_TRUSTED: envBool.default(false),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.JWT_ACCESS_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['JWT_ACCESS_SECRET'],
        message: 'is required when NODE_ENV=production (at least 32 random bytes, e.g. `openssl rand -base64 48`)',
      });
    }
    const oidc = {
      OIDC_ISSUER: env.OIDC_ISSUER,
      OIDC_CLIENT_ID: env.OIDC_CLIENT_ID,
      OIDC_CLIENT_SECRET: env.OIDC_CLIENT_SECRET,
    };
    const oidcSet = Object.values(oidc).filter((value) => value !== undefined).length;
    if (oidcSet > 0 && oidcSet < 3) {
      for (const [name, value] of Object.entries(oidc)) {
        if (value === undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [name],
            message: 'is required with the other OIDC_* settings (OIDC_ISSUER, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET)',
          });
        }
      }
    }
    if (!env.PASSWORD_LOGIN && oidcSet !== 3) {
      ctx.addIssue({
        code: 'custom',
        path: ['PASSWORD_LOGIN'],
        message:
          'false needs single sign-on, or nobody could sign in: set OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET',
      });
    }
    if (env.ADMIN_EMAIL && !env.ADMIN_PASSWORD && env.PASSWORD_LOGIN) {
      ctx.addIssue({
        code: 'custom',
        path: ['ADMIN_PASSWORD'],
        message:
          'is required with ADMIN_EMAIL while passwords sign in (with PASSWORD_LOGIN=false, the first single sign-on with ADMIN_EMAIL is the ADMIN)',
      });
    }
    if (oidcSet === 3 && env.NODE_ENV === 'production' && !env.PUBLIC_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['PUBLIC_URL'],
        message: 'is required with OIDC_ISSUER (the redirect URI is PUBLIC_URL/auth/oidc/callback)',
      });
    }
    if (env.NODE_ENV === 'production' && env.OIDC_ISSUER?.startsWith('http:')) {
      ctx.addIssue({ code: 'custom', path: ['OIDC_ISSUER'], message: 'must be an https URL when NODE_ENV=production' });
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
  /**
   * Roles (MFA_REQUIRED_ROLES) whose interactive sessions must have passed two-step verification:
   * a token without it gets 403 MFA_REQUIRED from everything but auth.*. Empty when unset.
   */
  mfaRequiredRoles: readonly Role[];
  /** OpenID Connect single sign-on (modules/sso); undefined when OIDC_ISSUER is unset (SSO off). */
  sso?: SsoConfig | undefined;
  /** PASSWORD_LOGIN: whether passwords sign in. */
  passwordLogin: boolean;
  /**
   * ADMIN_EMAIL (lower case): a first single sign-on with this address, verified by the provider,
   * creates an ADMIN whatever the sign-up rules (the bootstrap of a deployment without passwords).
   */
  adminEmail?: string | undefined;
  /** SSO_SESSION_MAX_HOURS: a single sign-on session refreshes this long after its sign-in. */
  ssoSessionMaxHours: number;
  /** SESSION_MAX_DAYS: every session ends this long after its sign-in. */
  sessionMaxDays: number;
}

/** The single sign-on rules (OIDC_*); the client id and secret stay with the host. */
export interface SsoConfig {
  /** OIDC_ISSUER: the provider whose identities (its `iss` and a `sub`) sign in. */
  issuer: string;
  /** OIDC_LABEL: the sign-in button's text. */
  label: string;
  /** OIDC_DEFAULT_ROLE: the role of an account a first sign-in creates (an invitation's role wins). */
  defaultRole: Role;
  /** OIDC_TRUST_EMAIL: the provider's address counts as verified even without `email_verified`. */
  trustEmail: boolean;
  /** OIDC_MFA_TRUSTED: every sign-in counts as a second factor, not only one whose `amr` shows one. */
  mfaTrusted: boolean;
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
    mfaRequiredRoles: env.MFA_REQUIRED_ROLES ?? [],
    sso:
      env.OIDC_ISSUER && env.OIDC_CLIENT_ID && env.OIDC_CLIENT_SECRET
        ? {
            issuer: env.OIDC_ISSUER,
            label: env.OIDC_LABEL,
            defaultRole: env.OIDC_DEFAULT_ROLE,
            trustEmail: env.OIDC_TRUST_EMAIL,
            mfaTrusted: env.OIDC_MFA_TRUSTED,
          }
        : undefined,
    passwordLogin: env.PASSWORD_LOGIN,
    adminEmail: env.ADMIN_EMAIL?.trim().toLowerCase(),
    ssoSessionMaxHours: env.SSO_SESSION_MAX_HOURS,
    sessionMaxDays: env.SESSION_MAX_DAYS,
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
