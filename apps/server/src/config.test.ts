// The host's configuration: the API layer's schema extended with the host's settings, one error
// message for both, and the development JWT secret kept under DATA_DIR.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configRefusal, TEST_SECRET } from '@keel/api/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig, repositoryRoot } from './config.js';
import { apiConfigOf } from './mail.js';

/** A secret set, so no test here writes one under the default DATA_DIR. */
const base = { JWT_ACCESS_SECRET: TEST_SECRET };

/** The message loadConfig refuses `env` with, or `undefined` when it accepts it. */
const refusal = (env: Record<string, string | undefined>) => configRefusal(() => loadConfig({ ...base, ...env }));

describe('loadConfig', () => {
  it("starts with the documented defaults, the API layer's included, when nothing else is set", () => {
    const config = loadConfig(base);
    expect(config).toMatchObject({
      NODE_ENV: 'development',
      PORT: 3000,
      HOST: '127.0.0.1',
      DATABASE_POOL_MAX: 10,
      DATA_DIR: join(repositoryRoot(), '.data'),
      STATEMENT_TIMEOUT_MS: 10_000,
      REQUEST_TIMEOUT_MS: 30_000,
      REDIS_KEY_PREFIX: 'keel:',
      TRUST_PROXY: false,
      LOG_LEVEL: 'info',
      METRICS_PUBLIC: false,
      OTEL_SERVICE_NAME: 'keel',
      SLOW_REQUEST_MS: 1_000,
      TRPC_FAST_PATH: true,
      SHUTDOWN_DELAY_MS: 0,
      ACCESS_TOKEN_TTL_SECONDS: 900,
      RATE_LIMIT_MULTIPLIER: 1,
      jwtSecretSource: 'environment',
    });
    // Unset services mean the embedded defaults; no token has a default.
    const unset = [config.DATABASE_URL, config.REDIS_URL, config.METRICS_TOKEN, config.OTEL_EXPORTER_OTLP_ENDPOINT];
    expect(unset).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('reads numbers, booleans and URLs from their string form', () => {
    const config = loadConfig({
      ...base,
      PORT: '8080',
      DATABASE_URL: 'postgres://keel@db.internal:5432/keel',
      REDIS_URL: 'redis://cache.internal:6379',
      TRUST_PROXY: 'true',
      TRPC_FAST_PATH: 'no',
      RATE_LIMIT_MULTIPLIER: '2.5',
    });
    expect(config).toMatchObject({
      PORT: 8080,
      DATABASE_URL: 'postgres://keel@db.internal:5432/keel',
      REDIS_URL: 'redis://cache.internal:6379',
      TRUST_PROXY: true,
      TRPC_FAST_PATH: false,
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
    expect(loadConfig({ ...base, TRUST_PROXY: value }).TRUST_PROXY).toEqual(expected);
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
    expect(loadConfig({ ...base, METRICS_PUBLIC: 'true' }).METRICS_PUBLIC).toBe(true);
    expect(refusal({ METRICS_PUBLIC: 'open' })).toMatch(/^\s+METRICS_PUBLIC: /m);
  });

  it.each([
    'DATABASE_URL',
    'REDIS_URL',
    'ADMIN_EMAIL',
    'ADMIN_PASSWORD',
    'METRICS_TOKEN',
    'CORS_ORIGINS',
    'WEB_DIST_DIR',
    'OTEL_EXPORTER_OTLP_ENDPOINT',
    'SMTP_URL',
    'PUBLIC_URL',
  ] as const)('treats an empty %s as unset', (name) => {
    expect(loadConfig({ ...base, [name]: '' })[name]).toBeUndefined();
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['HOST', ''],
    ['DATABASE_URL', 'not a url'],
    ['DATABASE_POOL_MAX', '0'],
    ['STATEMENT_TIMEOUT_MS', '10'],
    ['REQUEST_TIMEOUT_MS', 'forever'],
    ['REDIS_URL', 'localhost'],
    ['TRUST_PROXY', 'maybe'],
    ['ADMIN_EMAIL', 'admin'],
    ['ADMIN_PASSWORD', 'short'],
    ['LOG_LEVEL', 'verbose'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector'],
    ['SLOW_REQUEST_MS', '0'],
    ['TRPC_FAST_PATH', 'maybe'],
    ['SHUTDOWN_DELAY_MS', '60001'],
    ['SMTP_URL', 'mail.example.com'],
    ['PUBLIC_URL', 'dashboard.example.com'],
    ['PUBLIC_URL', 'ftp://dashboard.example.com'],
    ['MAIL_FROM', ''],
    ['JOBS_WORKER', 'maybe'],
  ])('refuses %s=%j, naming the variable', (name, value) => {
    expect(refusal({ [name]: value })).toMatch(new RegExp(`^\\s+${name}: `, 'm'));
  });

  it('sends mail to the outbox from Keel <no-reply@localhost>, works jobs in this process, and trims PUBLIC_URL', () => {
    const defaults = loadConfig(base);
    expect(defaults).toMatchObject({ JOBS_WORKER: true, MAIL_FROM: 'Keel <no-reply@localhost>' });
    expect([defaults.SMTP_URL, defaults.PUBLIC_URL]).toEqual([undefined, undefined]);
    const set = loadConfig({
      ...base,
      SMTP_URL: 'smtp://user:pass@smtp.example.com:587',
      PUBLIC_URL: 'https://keel.example.com/',
      MAIL_FROM: 'Ops <ops@example.com>',
      JOBS_WORKER: 'false',
    });
    expect(set).toMatchObject({
      SMTP_URL: 'smtp://user:pass@smtp.example.com:587',
      PUBLIC_URL: 'https://keel.example.com',
      MAIL_FROM: 'Ops <ops@example.com>',
      JOBS_WORKER: false,
    });
  });

  it("names every bad variable, the API layer's and the host's, in one message of one line each", () => {
    const message = refusal({ PORT: 'x', ACCESS_TOKEN_TTL_SECONDS: '0', LOG_LEVEL: 'loud', SHUTDOWN_DELAY_MS: '-1' });
    expect(message?.split('\n')).toEqual([
      'Invalid configuration:',
      expect.stringMatching(/^ {2}ACCESS_TOKEN_TTL_SECONDS: ./),
      expect.stringMatching(/^ {2}PORT: ./),
      expect.stringMatching(/^ {2}LOG_LEVEL: ./),
      expect.stringMatching(/^ {2}SHUTDOWN_DELAY_MS: ./),
    ]);
  });

  it('hands MFA_REQUIRED_ROLES to the API layer as roles (none by default), and refuses an unknown one', () => {
    expect(apiConfigOf(loadConfig(base)).mfaRequiredRoles).toEqual([]);
    expect(apiConfigOf(loadConfig({ ...base, MFA_REQUIRED_ROLES: 'admin' })).mfaRequiredRoles).toEqual(['ADMIN']);
    expect(refusal({ MFA_REQUIRED_ROLES: 'ADMIN,ROOT' })).toMatch(/^ {2}MFA_REQUIRED_ROLES.*: must be roles/m);
  });

  it('wants ADMIN_PASSWORD with ADMIN_EMAIL, except without passwords, which need single sign-on', () => {
    expect(refusal({ ADMIN_EMAIL: 'admin@example.com' })).toMatch(/^ {2}ADMIN_PASSWORD: is required with ADMIN_EMAIL/m);
    expect(refusal({ PASSWORD_LOGIN: 'false' })).toMatch(/^ {2}PASSWORD_LOGIN: false needs single sign-on/m);
    const ssoOnly = loadConfig({
      ...base,
      PASSWORD_LOGIN: 'false',
      ADMIN_EMAIL: 'admin@example.com',
      OIDC_ISSUER: 'https://id.example.com/realms/acme',
      OIDC_CLIENT_ID: 'keel',
      OIDC_CLIENT_SECRET: 'client-secret',
    });
    expect([ssoOnly.ADMIN_EMAIL, ssoOnly.ADMIN_PASSWORD]).toEqual(['admin@example.com', undefined]);
    expect(apiConfigOf(ssoOnly)).toMatchObject({ passwordLogin: false, adminEmail: 'admin@example.com' });
  });

  it('hands the session limits to the API layer: 24 hours of single sign-on refreshes, 30 days for any session', () => {
    expect(apiConfigOf(loadConfig(base))).toMatchObject({ ssoSessionMaxHours: 24, sessionMaxDays: 30 });
    const set = apiConfigOf(loadConfig({ ...base, SSO_SESSION_MAX_HOURS: '12', SESSION_MAX_DAYS: '7' }));
    expect(set).toMatchObject({ ssoSessionMaxHours: 12, sessionMaxDays: 7 });
  });

  it("keeps the API layer's production rule: no production start without JWT_ACCESS_SECRET", () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(
      /^Invalid configuration:\n {2}JWT_ACCESS_SECRET: is required when NODE_ENV=production/,
    );
  });
});

describe('DATA_DIR', () => {
  it('is taken from the repository root when relative, whatever the working directory', () => {
    const root = repositoryRoot();
    expect(root).toBe(join(import.meta.dirname, '..', '..', '..'));
    const cwd = process.cwd();
    try {
      process.chdir(tmpdir());
      expect(loadConfig({ ...base, DATA_DIR: 'custom/data' }).DATA_DIR).toBe(join(root, 'custom', 'data'));
    } finally {
      process.chdir(cwd);
    }
    expect(loadConfig({ ...base, DATA_DIR: '/srv/keel' }).DATA_DIR).toBe('/srv/keel');
  });

  it('falls back to the working directory outside a repository checkout', () => {
    expect(repositoryRoot('/')).toBe(process.cwd());
  });
});

describe('the development JWT secret', () => {
  let root: string | undefined;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
    root = undefined;
  });

  it('is generated once into DATA_DIR (created if missing) and read back from there on the next start', () => {
    root = mkdtempSync(join(tmpdir(), 'keel-config-'));
    const dataDir = join(root, 'data');
    const first = loadConfig({ DATA_DIR: dataDir });
    expect(first.jwtSecretSource).toBe('generated');
    expect(first.JWT_ACCESS_SECRET.length).toBeGreaterThanOrEqual(32);
    expect(readFileSync(join(dataDir, 'jwt-secret'), 'utf8').trim()).toBe(first.JWT_ACCESS_SECRET);
    const second = loadConfig({ DATA_DIR: dataDir });
    expect(second).toMatchObject({ jwtSecretSource: 'data-dir', JWT_ACCESS_SECRET: first.JWT_ACCESS_SECRET });
  });
});
