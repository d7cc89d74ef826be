// The single sign-on settings (OIDC_*, PASSWORD_LOGIN): off unless the issuer, client id and secret
// are all set, with the documented defaults, and refused when half set or unsafe in production.
import { describe, expect, it } from 'vitest';
import { ApiEnvSchema, parseEnv, toApiConfig } from '../../config.js';
import { configRefusal } from '../../testing/config.js';

const SECRET = 'a-production-secret-of-at-least-32-bytes!';
const OIDC = {
  OIDC_ISSUER: 'https://id.example.com/realms/acme',
  OIDC_CLIENT_ID: 'keel',
  OIDC_CLIENT_SECRET: 'client-secret',
};

const configOf = (env: Record<string, string | undefined>) => toApiConfig(parseEnv(ApiEnvSchema, env));
const refusal = (env: Record<string, string | undefined>) => configRefusal(() => parseEnv(ApiEnvSchema, env));

describe('the single sign-on configuration', () => {
  it('is off, with password sign-in on, when nothing is set', () => {
    const config = configOf({});
    expect(config.sso).toBeUndefined();
    expect(config.passwordLogin).toBe(true);
  });

  it('is on with the issuer, client id and secret, with GUEST, "Single sign-on" and nothing trusted by default', () => {
    expect(configOf(OIDC).sso).toEqual({
      issuer: OIDC.OIDC_ISSUER,
      label: 'Single sign-on',
      defaultRole: 'GUEST',
      trustEmail: false,
      mfaTrusted: false,
    });
  });

  it('reads the role, the label, the trust settings and PASSWORD_LOGIN', () => {
    const config = configOf({
      ...OIDC,
      OIDC_DEFAULT_ROLE: 'USER',
      OIDC_LABEL: 'Acme SSO',
      OIDC_TRUST_EMAIL: 'true',
      OIDC_MFA_TRUSTED: 'yes',
      PASSWORD_LOGIN: 'false',
    });
    expect(config.sso).toMatchObject({ defaultRole: 'USER', label: 'Acme SSO', trustEmail: true, mfaTrusted: true });
    expect(config.passwordLogin).toBe(false);
  });

  it('refuses PASSWORD_LOGIN=false without single sign-on, which would let nobody in', () => {
    expect(refusal({ PASSWORD_LOGIN: 'false' })).toMatch(/^ {2}PASSWORD_LOGIN: false needs single sign-on/m);
    expect(refusal({ ...OIDC, PASSWORD_LOGIN: 'false' })).toBeUndefined();
  });

  it('wants ADMIN_PASSWORD with ADMIN_EMAIL while passwords sign in, but not under PASSWORD_LOGIN=false', () => {
    expect(refusal({ ADMIN_EMAIL: 'admin@example.com' })).toMatch(/^ {2}ADMIN_PASSWORD: is required with ADMIN_EMAIL/m);
    expect(refusal({ ADMIN_EMAIL: 'admin@example.com', ADMIN_PASSWORD: 'Adm1n-password' })).toBeUndefined();
    const ssoOnly = configOf({ ...OIDC, PASSWORD_LOGIN: 'false', ADMIN_EMAIL: 'Admin@Example.com' });
    expect(ssoOnly).toMatchObject({ passwordLogin: false, adminEmail: 'admin@example.com' });
  });

  it('limits single sign-on sessions to 24 hours of refreshes and every session to 30 days, unless set', () => {
    expect(configOf({})).toMatchObject({ ssoSessionMaxHours: 24, sessionMaxDays: 30 });
    expect(configOf({ SSO_SESSION_MAX_HOURS: '8', SESSION_MAX_DAYS: '14' })).toMatchObject({
      ssoSessionMaxHours: 8,
      sessionMaxDays: 14,
    });
    expect(refusal({ SSO_SESSION_MAX_HOURS: '0' })).toContain('SSO_SESSION_MAX_HOURS');
    expect(refusal({ SESSION_MAX_DAYS: 'forever' })).toContain('SESSION_MAX_DAYS');
  });

  it('refuses half a provider, naming what is missing', () => {
    const message = refusal({ OIDC_ISSUER: OIDC.OIDC_ISSUER });
    expect(message).toContain('OIDC_CLIENT_ID: is required with the other OIDC_* settings');
    expect(message).toContain('OIDC_CLIENT_SECRET: is required with the other OIDC_* settings');
  });

  it('refuses an unknown role and an issuer that is no URL', () => {
    expect(refusal({ ...OIDC, OIDC_DEFAULT_ROLE: 'OWNER' })).toContain('OIDC_DEFAULT_ROLE');
    expect(refusal({ ...OIDC, OIDC_ISSUER: 'id.example.com' })).toContain('OIDC_ISSUER');
  });

  it('in production, wants an https issuer and PUBLIC_URL (the base of the redirect URI)', () => {
    const production = { NODE_ENV: 'production', JWT_ACCESS_SECRET: SECRET };
    expect(
      refusal({ ...production, ...OIDC, OIDC_ISSUER: 'http://id.example.com', PUBLIC_URL: 'https://keel.example.com' }),
    ).toContain('OIDC_ISSUER: must be an https URL when NODE_ENV=production');
    expect(refusal({ ...production, ...OIDC })).toContain('PUBLIC_URL: is required with OIDC_ISSUER');
    expect(refusal({ ...production, ...OIDC, PUBLIC_URL: 'https://keel.example.com' })).toBeUndefined();
  });
});
