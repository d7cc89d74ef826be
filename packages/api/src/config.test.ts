import { describe, expect, it } from 'vitest';
import { ApiEnvSchema, parseEnv as parseWith, toApiConfig } from './config.js';
import { configRefusal } from './testing/config.js';

const SECRET = 'a-production-secret-of-at-least-32-bytes!';

const parseEnv = (env: Record<string, string | undefined>) => parseWith(ApiEnvSchema, env);

/** The message parseEnv refuses `env` with, or `undefined` when it accepts it. */
const refusal = (env: Record<string, string | undefined>) => configRefusal(() => parseEnv(env));

describe('the API configuration', () => {
  it('starts with the documented defaults when nothing is set', () => {
    const env = parseEnv({});
    expect(env).toMatchObject({
      NODE_ENV: 'development',
      JWT_ISSUER: 'keel',
      JWT_AUDIENCE: 'keel-api',
      ACCESS_TOKEN_TTL_SECONDS: 900,
      REFRESH_TOKEN_TTL_DAYS: 7,
      REFRESH_REUSE_GRACE_SECONDS: 10,
      SESSIONS_PER_USER_MAX: 50,
      RATE_LIMIT_MULTIPLIER: 1,
      HASH_CONCURRENCY: 2,
      HASH_QUEUE_MAX: 32,
      EVENT_STREAMS_PER_USER: 20,
      EVENT_STREAMS_MAX: 1_000,
      SEARCHES_PER_USER: 2,
      AUDIT_EXPORT_MAX_ROWS: 100_000,
    });
    // No secret has a default.
    expect([env.JWT_ACCESS_SECRET, env.JWT_ACCESS_SECRET_PREVIOUS]).toEqual([undefined, undefined]);
  });

  it("reads only its own variables: the host's settings are the host's schema's", () => {
    expect(Object.keys(parseEnv({ PORT: '8080', REDIS_URL: 'redis://cache:6379' }))).not.toContain('PORT');
    expect(refusal({ PORT: 'eighty', TRUST_PROXY: 'maybe' })).toBeUndefined();
  });

  it('defaults argon2 to the production cost (m=64 MiB, t=3, p=4)', () => {
    expect(parseEnv({})).toMatchObject({ ARGON2_MEMORY_COST: 65_536, ARGON2_TIME_COST: 3, ARGON2_PARALLELISM: 4 });
  });

  it('reads numbers from their string form', () => {
    expect(parseEnv({ ACCESS_TOKEN_TTL_SECONDS: '60', RATE_LIMIT_MULTIPLIER: '2.5' })).toMatchObject({
      ACCESS_TOKEN_TTL_SECONDS: 60,
      RATE_LIMIT_MULTIPLIER: 2.5,
    });
  });

  it.each(['JWT_ACCESS_SECRET', 'JWT_ACCESS_SECRET_PREVIOUS'] as const)('treats an empty %s as unset', (name) => {
    expect(parseEnv({ [name]: '' })[name]).toBeUndefined();
  });

  it.each([
    ['JWT_ACCESS_SECRET', 'too-short'],
    ['JWT_ACCESS_SECRET_PREVIOUS', 'too-short'],
    ['ACCESS_TOKEN_TTL_SECONDS', '0'],
    ['REFRESH_TOKEN_TTL_DAYS', '1.5'],
    ['REFRESH_REUSE_GRACE_SECONDS', '-1'],
    ['SESSIONS_PER_USER_MAX', '0'],
    ['NODE_ENV', 'staging'],
    ['RATE_LIMIT_MULTIPLIER', 'many'],
    ['ARGON2_MEMORY_COST', '8'],
    ['EVENT_STREAMS_PER_USER', '0'],
    ['EVENT_STREAMS_MAX', 'many'],
    ['SEARCHES_PER_USER', '101'],
    ['AUDIT_EXPORT_MAX_ROWS', '0'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(refusal({ [name]: value })).toMatch(new RegExp(`^\\s+${name}: `, 'm'));
  });

  it('refuses RATE_LIMIT_MULTIPLIER=0, which would disable every limit', () => {
    expect(refusal({ RATE_LIMIT_MULTIPLIER: '0' })).toMatch(/RATE_LIMIT_MULTIPLIER: 0 would disable every limit/);
  });

  it('names every bad variable at once, not only the first', () => {
    const message = refusal({ ACCESS_TOKEN_TTL_SECONDS: 'x', HASH_CONCURRENCY: '0', JWT_ISSUER: '' });
    expect(message?.split('\n')).toEqual([
      'Invalid configuration:',
      expect.stringMatching(/^ {2}JWT_ISSUER: ./),
      expect.stringMatching(/^ {2}ACCESS_TOKEN_TTL_SECONDS: ./),
      expect.stringMatching(/^ {2}HASH_CONCURRENCY: ./),
    ]);
  });

  it('refuses production without JWT_ACCESS_SECRET', () => {
    expect(refusal({ NODE_ENV: 'production' })).toMatch(/JWT_ACCESS_SECRET: is required when NODE_ENV=production/);
  });

  it('refuses production with an empty JWT_ACCESS_SECRET', () => {
    expect(refusal({ NODE_ENV: 'production', JWT_ACCESS_SECRET: '' })).toMatch(/JWT_ACCESS_SECRET: is required/);
  });

  it('accepts production with a JWT_ACCESS_SECRET of at least 32 bytes', () => {
    expect(parseEnv({ NODE_ENV: 'production', JWT_ACCESS_SECRET: SECRET }).JWT_ACCESS_SECRET).toBe(SECRET);
  });

  it('lets development start without JWT_ACCESS_SECRET (the host generates one)', () => {
    expect(refusal({ NODE_ENV: 'development' })).toBeUndefined();
  });
});

describe('toApiConfig', () => {
  it('hands the API layer its token lifetimes, session, search and stream caps', () => {
    const env = parseEnv({
      NODE_ENV: 'production',
      JWT_ACCESS_SECRET: SECRET,
      ACCESS_TOKEN_TTL_SECONDS: '60',
      REFRESH_TOKEN_TTL_DAYS: '30',
      REFRESH_REUSE_GRACE_SECONDS: '5',
      SESSIONS_PER_USER_MAX: '7',
      SEARCHES_PER_USER: '3',
    });
    expect(toApiConfig(env)).toEqual({
      accessTokenTtlSeconds: 60,
      refreshTokenTtlDays: 30,
      refreshReuseGraceSeconds: 5,
      searchesPerUser: 3,
      sessionsPerUserMax: 7,
      eventStreamsPerUser: 20,
      eventStreamsMax: 1_000,
      auditExportMaxRows: 100_000,
      signupMode: 'open',
      signupDomains: [],
      emailVerificationRequired: false,
      mfaRequiredRoles: [],
      passwordLogin: true,
      ssoSessionMaxHours: 24,
      sessionMaxDays: 30,
    });
  });

  it('reads MFA_REQUIRED_ROLES as a list of roles, in any case, and refuses an unknown role', () => {
    expect(toApiConfig(parseEnv({ MFA_REQUIRED_ROLES: ' admin, USER ,' })).mfaRequiredRoles).toEqual(['ADMIN', 'USER']);
    expect(toApiConfig(parseEnv({ MFA_REQUIRED_ROLES: '' })).mfaRequiredRoles).toEqual([]);
    expect(() => parseEnv({ MFA_REQUIRED_ROLES: 'ADMIN,OWNER' })).toThrow(/^\s+MFA_REQUIRED_ROLES.*: must be roles/m);
  });

  it('requires verified addresses with REQUIRE_EMAIL_VERIFICATION, and always under SIGNUP_MODE=domain', () => {
    expect(toApiConfig(parseEnv({ REQUIRE_EMAIL_VERIFICATION: 'true' })).emailVerificationRequired).toBe(true);
    expect(toApiConfig(parseEnv({ REQUIRE_EMAIL_VERIFICATION: 'false' })).emailVerificationRequired).toBe(false);
    const domain = parseEnv({ SIGNUP_MODE: 'domain', SIGNUP_DOMAINS: 'example.com' });
    expect(toApiConfig(domain).emailVerificationRequired).toBe(true);
    expect(() => parseEnv({ REQUIRE_EMAIL_VERIFICATION: 'sometimes' })).toThrow(/^\s+REQUIRE_EMAIL_VERIFICATION: /m);
  });

  it('reads SIGNUP_MODE and SIGNUP_DOMAINS as a lower-case list', () => {
    const env = parseEnv({ SIGNUP_MODE: 'domain', SIGNUP_DOMAINS: ' Example.com, corp.example.org ,' });
    expect(toApiConfig(env)).toMatchObject({
      signupMode: 'domain',
      signupDomains: ['example.com', 'corp.example.org'],
    });
    expect(toApiConfig(parseEnv({ SIGNUP_MODE: 'invite' }))).toMatchObject({ signupMode: 'invite', signupDomains: [] });
  });

  it.each([
    [{ SIGNUP_MODE: 'closed' }, /^\s+SIGNUP_MODE: /m],
    [{ SIGNUP_MODE: 'domain' }, /^\s+SIGNUP_DOMAINS: is required when SIGNUP_MODE=domain/m],
    [{ SIGNUP_MODE: 'domain', SIGNUP_DOMAINS: 'example.com,not a domain' }, /^\s+SIGNUP_DOMAINS.*: must be domains/m],
  ])('refuses %j, saying why', (env, reason) => {
    expect(refusal(env)).toMatch(reason);
  });
});
