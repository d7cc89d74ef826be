// Single sign-on's words and addresses in the dashboard: refusals, button texts, where to come back.
import { SSO_ERROR_CODES, SSO_ERROR_MESSAGES } from '@keel/api/schemas';
import { describe, expect, it } from 'vitest';
import {
  issuerHost,
  providerName,
  returnPathOf,
  SSO_ERROR_FALLBACK,
  signInLabel,
  ssoErrorMessage,
  startHref,
} from './sso.js';

describe('ssoErrorMessage', () => {
  it.each(SSO_ERROR_CODES)('says the API’s sentence for %s', (code) => {
    expect(ssoErrorMessage(code)).toBe(SSO_ERROR_MESSAGES[code]);
  });

  it.each(['nope', '', 'toString', '__proto__', 'constructor'])('says a generic sentence for %j', (code) => {
    expect(ssoErrorMessage(code)).toBe(SSO_ERROR_FALLBACK);
  });
});

describe('button texts', () => {
  it.each([
    ['Sign in with Acme', 'Sign in with Acme', 'Acme'],
    ['sign in using Google', 'sign in using Google', 'Google'],
    ['Single sign-on', 'Sign in with Single sign-on', 'Single sign-on'],
    ['Keycloak', 'Sign in with Keycloak', 'Keycloak'],
  ])('label %j: button %j, provider %j', (label, button, name) => {
    expect(signInLabel(label)).toBe(button);
    expect(providerName(label)).toBe(name);
  });
});

describe('returnPathOf', () => {
  it.each([
    [{ pathname: '/sign-in', searchStr: '?sso_error=failed' }, '/projects'],
    [{ pathname: '/', searchStr: '' }, '/projects'],
    [{ pathname: '/sign-up', searchStr: '' }, '/projects'],
    [{ pathname: '/credits', searchStr: '' }, '/credits'],
    [{ pathname: '/projects', searchStr: '?page=2&q=harbour' }, '/projects?page=2&q=harbour'],
    [{ pathname: '/account', searchStr: '?sso_error=link_expired' }, '/account'],
  ])('%j comes back to %s', (location, path) => {
    expect(returnPathOf(location, '/projects')).toBe(path);
  });

  it('the start address carries the path encoded', () => {
    expect(startHref('/projects?page=2&q=a b')).toBe('/auth/oidc/start?returnTo=%2Fprojects%3Fpage%3D2%26q%3Da+b');
  });
});

describe('issuerHost', () => {
  it.each([
    ['https://id.example.com/realms/acme', 'id.example.com'],
    ['http://127.0.0.1:4000', '127.0.0.1:4000'],
    ['not a url', 'not a url'],
  ])('%s reads as %s', (issuer, host) => {
    expect(issuerHost(issuer)).toBe(host);
  });
});
