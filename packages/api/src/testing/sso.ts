// Single sign-on in tests: the provider's checked claims handed to the sign-in as the host
// (apps/server/src/oidc.ts) hands them, without a provider.
import { randomBytes } from 'node:crypto';
import type { SsoConfig } from '../config.js';
import { type AppDeps, createContextInner } from '../context.js';
import { type OidcClaims, signInWithIdentity } from '../modules/sso/sso.service.js';
import { callerFor, recordingResponse } from './deps.js';

export const TEST_SSO_ISSUER = 'https://id.example.com/realms/acme';

/** Single sign-on on, with its defaults (GUEST, nothing trusted). */
export const TEST_SSO: SsoConfig = {
  issuer: TEST_SSO_ISSUER,
  label: 'Acme SSO',
  defaultRole: 'GUEST',
  trustEmail: false,
  mfaTrusted: false,
};

/** The claims of a new person at the provider, with a verified address of their own. */
export function ssoClaims(overrides: Partial<OidcClaims> = {}): OidcClaims {
  const subject = randomBytes(6).toString('hex');
  return {
    issuer: TEST_SSO_ISSUER,
    subject,
    email: `sso-${subject}@example.com`,
    emailVerified: true,
    name: 'Sam Provider',
    ...overrides,
  };
}

/** Signs in through the provider: the answer, what the response was given, and a caller with the token. */
export async function signInWithSso(deps: AppDeps, claims: OidcClaims) {
  const response = recordingResponse();
  const ctx = await createContextInner(deps, {
    requestId: `req-${randomBytes(4).toString('hex')}`,
    ip: '127.0.0.1',
    userAgent: 'vitest',
    authorization: undefined,
    refreshCookie: undefined,
    mfaCookie: undefined,
    response,
  });
  const result = await signInWithIdentity(ctx, claims);
  // The code step after single sign-on has its own tests (modules/sso): here the account has none.
  if (result.mfaRequired) throw new Error('the single sign-on asked for a code');
  const { mfaRequired: _signedIn, ...payload } = result;
  return { payload, response, caller: await callerFor(deps, { accessToken: payload.accessToken }) };
}
