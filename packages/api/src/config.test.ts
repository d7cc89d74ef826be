import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnv, toApiConfig } from './config.js';

const SECRET = 'a-production-secret-of-at-least-32-bytes!';

/** The message parseEnv refuses `env` with, or `undefined` when it accepts it. */
function refusal(env: Record<string, string | undefined>): string | undefined {
  try {
    parseEnv(env);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
}

describe('parseEnv', () => {
  it('starts with the documented defaults when nothing is set', () => {
    const env = parseEnv({});
    expect(env).toMatchObject({
      NODE_ENV: 'development',
      PORT: 3000,
      HOST: '127.0.0.1',
      DATABASE_POOL_MAX: 10,
      ACCESS_TOKEN_TTL_SECONDS: 900,
      REFRESH_TOKEN_TTL_DAYS: 7,
      REFRESH_REUSE_GRACE_SECONDS: 10,
      SESSIONS_PER_USER_MAX: 50,
      TRUST_PROXY: false,
      LOG_LEVEL: 'info',
      RATE_LIMIT_MULTIPLIER: 1,
    });
    // Unset services mean the embedded defaults; no secret has a default.
    expect([env.DATABASE_URL, env.REDIS_URL, env.JWT_ACCESS_SECRET, env.METRICS_TOKEN]).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('defaults argon2 to the production cost of SPEC §5.1 (m=64 MiB, t=3, p=4)', () => {
    expect(parseEnv({})).toMatchObject({ ARGON2_MEMORY_COST: 65_536, ARGON2_TIME_COST: 3, ARGON2_PARALLELISM: 4 });
  });

  it('reads numbers, booleans and URLs from their string form', () => {
    const env = parseEnv({
      PORT: '8080',
      DATABASE_URL: 'postgres://keel@db.internal:5432/keel',
      REDIS_URL: 'redis://cache.internal:6379',
      TRUST_PROXY: 'true',
      RATE_LIMIT_MULTIPLIER: '2.5',
    });
    expect(env).toMatchObject({
      PORT: 8080,
      DATABASE_URL: 'postgres://keel@db.internal:5432/keel',
      REDIS_URL: 'redis://cache.internal:6379',
      TRUST_PROXY: true,
      RATE_LIMIT_MULTIPLIER: 2.5,
    });
  });

  it.each<[string, unknown]>([
    ['true', true],
    ['TRUE', true],
    ['false', false],
    ['', false],
    ['0', false],
    ['1', 1],
    [' 2 ', 2],
    ['10.0.0.1', ['10.0.0.1']],
    ['10.0.0.0/8, 192.168.1.1', ['10.0.0.0/8', '192.168.1.1']],
    ['172.16.0.0/255.240.0.0', ['172.16.0.0/255.240.0.0']],
    ['loopback,uniquelocal,fd00::/8', ['loopback', 'uniquelocal', 'fd00::/8']],
  ])('TRUST_PROXY=%j means %j', (value, expected) => {
    expect(parseEnv({ TRUST_PROXY: value }).TRUST_PROXY).toEqual(expected);
  });

  it.each([
    ['yes', /"yes"/],
    ['proxy.internal', /not a proxy address or CIDR: "proxy.internal"/],
    ['10.0.0.1,', /not a proxy address or CIDR: ""/],
    ['10.0.0.0/33', /"10.0.0.0\/33"/],
    ['::1/129', /"::1\/129"/],
    ['10.0.0.0/8/8', /"10.0.0.0\/8\/8"/],
    ['fd00::/ffff::', /"fd00::\/ffff::"/],
    ['1.5', /"1.5"/],
    ['33', /a hop count up to 32/],
  ])('refuses TRUST_PROXY=%j, saying why', (value, reason) => {
    expect(refusal({ TRUST_PROXY: value })).toMatch(new RegExp(`^\\s+TRUST_PROXY: .*${reason.source}`, 'm'));
  });

  it('keeps /metrics closed in production unless METRICS_PUBLIC=true', () => {
    expect(parseEnv({}).METRICS_PUBLIC).toBe(false);
    expect(parseEnv({ METRICS_PUBLIC: 'true' }).METRICS_PUBLIC).toBe(true);
    expect(refusal({ METRICS_PUBLIC: 'open' })).toMatch(/^\s+METRICS_PUBLIC: /m);
  });

  it.each(['DATABASE_URL', 'REDIS_URL', 'JWT_ACCESS_SECRET', 'ADMIN_EMAIL', 'METRICS_TOKEN'])(
    'treats an empty %s as unset',
    (name) => {
      expect(parseEnv({ [name]: '' })[name as keyof ReturnType<typeof parseEnv>]).toBeUndefined();
    },
  );

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'not a url'],
    ['DATABASE_POOL_MAX', '0'],
    ['REDIS_URL', 'localhost'],
    ['JWT_ACCESS_SECRET', 'too-short'],
    ['JWT_ACCESS_SECRET_PREVIOUS', 'too-short'],
    ['ACCESS_TOKEN_TTL_SECONDS', '0'],
    ['REFRESH_TOKEN_TTL_DAYS', '1.5'],
    ['REFRESH_REUSE_GRACE_SECONDS', '-1'],
    ['TRUST_PROXY', 'maybe'],
    ['ADMIN_EMAIL', 'admin'],
    ['ADMIN_PASSWORD', 'short'],
    ['LOG_LEVEL', 'verbose'],
    ['NODE_ENV', 'staging'],
    ['RATE_LIMIT_MULTIPLIER', 'many'],
    ['ARGON2_MEMORY_COST', '8'],
    ['EVENT_STREAMS_PER_USER', '0'],
    ['EVENT_STREAMS_MAX', 'many'],
  ])('refuses %s=%s, naming the variable', (name, value) => {
    expect(refusal({ [name]: value })).toMatch(new RegExp(`^\\s+${name}: `, 'm'));
  });

  it('refuses RATE_LIMIT_MULTIPLIER=0, which would disable every limit', () => {
    expect(refusal({ RATE_LIMIT_MULTIPLIER: '0' })).toMatch(/RATE_LIMIT_MULTIPLIER: 0 would disable every limit/);
  });

  it('names every bad variable at once, not only the first', () => {
    const message = refusal({ PORT: 'x', LOG_LEVEL: 'loud', REDIS_URL: 'nope' });
    expect(message).toMatch(/^Invalid configuration:/);
    for (const name of ['PORT', 'LOG_LEVEL', 'REDIS_URL']) expect(message).toContain(`${name}: `);
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
  it('hands the API layer its token lifetimes, proxy trust and production flag', () => {
    const env = parseEnv({
      NODE_ENV: 'production',
      JWT_ACCESS_SECRET: SECRET,
      ACCESS_TOKEN_TTL_SECONDS: '60',
      REFRESH_TOKEN_TTL_DAYS: '30',
      REFRESH_REUSE_GRACE_SECONDS: '5',
      SESSIONS_PER_USER_MAX: '7',
      SEARCHES_PER_USER: '3',
      TRUST_PROXY: '1',
    });
    expect(toApiConfig(env)).toEqual({
      production: true,
      accessTokenTtlSeconds: 60,
      refreshTokenTtlDays: 30,
      refreshReuseGraceSeconds: 5,
      searchesPerUser: 3,
      sessionsPerUserMax: 7,
      eventStreamsPerUser: 20,
      eventStreamsMax: 1_000,
      trustProxy: 1,
      auditExportMaxRows: 100_000,
    });
  });

  it('is not production outside NODE_ENV=production', () => {
    expect(toApiConfig(parseEnv({ NODE_ENV: 'test' })).production).toBe(false);
  });
});
