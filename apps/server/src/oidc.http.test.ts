// Single sign-on as a browser lives it, against a real OpenID Provider (oidc-provider) in process:
// the dashboard's button opens /auth/oidc/start, the provider signs the person in, its redirect
// reaches /auth/oidc/callback, which sets the refresh cookie and sends the browser to the
// dashboard; refusals land on the sign-in page with a short code, never with a token; an account
// with two-step verification the provider did not confirm lands on the sign-in page's code step.
import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OIDC_STATE_COOKIE } from './oidc.js';
import {
  CookieJar,
  type FrontDoor,
  startFrontDoor,
  startOidcProvider,
  type TestOidcProvider,
} from './testing/oidc-provider.js';
import { startTestServer, type TestServer, trpcCall } from './testing/server.js';

const PASSWORD = 'Passw0rd!';

/** The provider's people, by `sub`. */
const ACCOUNTS = {
  alice: { email: 'alice@example.com', emailVerified: true, name: 'Alice Provider' },
  bob: { email: 'bob@example.com', emailVerified: true, name: 'Bob Linked' },
  carol: { email: 'carol@example.com', emailVerified: false, name: 'Carol Unverified' },
  dave: { email: 'dave@other.org', emailVerified: true, name: 'Dave Elsewhere' },
  erin: { email: 'erin@example.com', emailVerified: true, name: 'Erin Disabled' },
  frank: { email: 'frank@example.com', emailVerified: true, name: 'Frank Replayed' },
  grace: { email: 'grace@example.com', emailVerified: true, name: 'Grace Linker' },
  heidi: { email: 'heidi@example.com', emailVerified: true, name: 'Heidi Taken' },
  ivan: { email: 'ivan@example.com', emailVerified: true, name: 'Ivan Operator' },
  judy: { email: 'judy@example.com', emailVerified: true, name: 'Judy Two-Step' },
};
type AccountId = keyof typeof ACCOUNTS;

let provider: TestOidcProvider;
let door: FrontDoor;
let domainDoor: FrontDoor;
let ssoOnlyDoor: FrontDoor;
let server: TestServer;
let domainServer: TestServer;
/** PASSWORD_LOGIN=false, with an ADMIN_EMAIL and no ADMIN_PASSWORD. */
let ssoOnlyServer: TestServer;

function oidcEnv(publicUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PUBLIC_URL: publicUrl,
    OIDC_ISSUER: provider.issuer,
    OIDC_CLIENT_ID: provider.clientId,
    OIDC_CLIENT_SECRET: provider.clientSecret,
    OIDC_LABEL: 'Sign in with Test IdP',
    ...extra,
  };
}

beforeAll(async () => {
  // PUBLIC_URL is configuration: the front doors listen first, so the provider knows the redirect URIs.
  door = await startFrontDoor();
  domainDoor = await startFrontDoor();
  ssoOnlyDoor = await startFrontDoor();
  provider = await startOidcProvider({
    redirectUris: [door.url, domainDoor.url, ssoOnlyDoor.url].map((base) => `${base}/auth/oidc/callback`),
    accounts: ACCOUNTS,
  });
  server = await startTestServer(oidcEnv(door.url));
  door.setTarget(server.url);
  domainServer = await startTestServer(
    oidcEnv(domainDoor.url, { SIGNUP_MODE: 'domain', SIGNUP_DOMAINS: 'example.com' }),
  );
  domainDoor.setTarget(domainServer.url);
  ssoOnlyServer = await startTestServer(
    oidcEnv(ssoOnlyDoor.url, { PASSWORD_LOGIN: 'false', ADMIN_EMAIL: ACCOUNTS.ivan.email, SIGNUP_MODE: 'invite' }),
  );
  ssoOnlyDoor.setTarget(ssoOnlyServer.url);
});
afterAll(async () => {
  await server?.close();
  await domainServer?.close();
  await ssoOnlyServer?.close();
  await door?.close();
  await domainDoor?.close();
  await ssoOnlyDoor?.close();
  await provider?.close();
});

/** The value of cookie `name` in a response's Set-Cookie lines (the first that sets it). */
function setCookie(response: Response, name: string): { value: string; line: string } | undefined {
  for (const line of response.headers.getSetCookie()) {
    if (line.startsWith(`${name}=`)) return { value: line.slice(name.length + 1).split(';')[0] ?? '', line };
  }
  return undefined;
}

const manual = (url: string, cookie?: string) => fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });

/** Follows the provider's redirects (with its cookies) until one leaves it: the redirect to Keel. */
async function throughProvider(url: string, jar: CookieJar): Promise<string> {
  let next = url;
  for (let hop = 0; hop < 10; hop += 1) {
    if (!next.startsWith(provider.issuer)) return next;
    const response = await manual(next, jar.header());
    jar.store(response);
    const location = response.headers.get('location');
    expect(
      response.status,
      `provider answered ${next} with ${response.status}: ${await response.text()}`,
    ).toBeGreaterThanOrEqual(300);
    expect(location).toBeTruthy();
    next = new URL(location as string, next).href;
  }
  throw new Error('the provider kept redirecting');
}

interface Started {
  /** The provider's authorization URL Keel redirected to. */
  authorizationUrl: URL;
  /** The state cookie's value, as the browser holds it. */
  stateCookie: string;
  stateCookieLine: string;
}

async function start(base: string, query = ''): Promise<Started> {
  const response = await manual(`${base}/auth/oidc/start${query}`);
  expect(response.status).toBe(303);
  const cookie = setCookie(response, OIDC_STATE_COOKIE);
  expect(cookie).toBeDefined();
  return {
    authorizationUrl: new URL(response.headers.get('location') as string),
    stateCookie: cookie?.value ?? '',
    stateCookieLine: cookie?.line ?? '',
  };
}

/** Walks the provider's pages for `account`: the authorization request, the sign-in page, the consent. */
async function providerSignIn(authorizationUrl: URL, account: AccountId, amr?: string): Promise<string> {
  const jar = new CookieJar();
  const first = await manual(authorizationUrl.href);
  jar.store(first);
  expect(first.status).toBe(303);
  const page = new URL(first.headers.get('location') as string, authorizationUrl);
  expect(page.pathname).toMatch(/^\/interaction\//);
  page.searchParams.set('account', account);
  if (amr) page.searchParams.set('amr', amr);
  return throughProvider(page.href, jar);
}

interface Landed {
  status: number;
  location: string;
  refreshCookie: string | undefined;
  response: Response;
}

async function callback(callbackUrl: string, stateCookie: string | undefined, base = door.url): Promise<Landed> {
  // The redirect URI is PUBLIC_URL's: the front door in front of this Keel server.
  expect(callbackUrl.startsWith(`${base}/auth/oidc/callback?`)).toBe(true);
  const response = await manual(callbackUrl, stateCookie ? `${OIDC_STATE_COOKIE}=${stateCookie}` : undefined);
  return {
    status: response.status,
    location: response.headers.get('location') ?? '',
    refreshCookie: setCookie(response, 'keel_rt')?.value,
    response,
  };
}

/** The whole round trip for `account`, as a browser makes it. */
async function signIn(account: AccountId, options: { base?: string; amr?: string; returnTo?: string } = {}) {
  const base = options.base ?? door.url;
  const started = await start(base, options.returnTo ? `?returnTo=${encodeURIComponent(options.returnTo)}` : '');
  const callbackUrl = await providerSignIn(started.authorizationUrl, account, options.amr);
  return { started, callbackUrl, landed: await callback(callbackUrl, started.stateCookie, base) };
}

/** The dashboard's first request: auth.refresh through the cookie, then auth.me with the access token. */
async function dashboardSession(refreshCookie: string, base = door.url) {
  const refreshed = await trpcCall(base, 'auth.refresh', 'mutation', {}, { cookie: `keel_rt=${refreshCookie}` });
  expect(refreshed.status).toBe(200);
  const payload = refreshed.body.result?.data;
  if (!payload) throw new Error('auth.refresh answered without tokens');
  const me = await trpcCall(base, 'auth.me', 'query', undefined, { token: payload.accessToken });
  expect(me.status).toBe(200);
  return { accessToken: payload.accessToken, me: me.body.result?.data };
}

async function auditActions(userId: string): Promise<string[]> {
  const rows = await server.database.db
    .selectFrom('audit_events')
    .select('action')
    .where('actor_id', '=', userId)
    .orderBy('seq')
    .execute();
  return rows.map((row) => row.action);
}

async function register(email: string, name: string) {
  const registered = await trpcCall(door.url, 'auth.register', 'mutation', { email, password: PASSWORD, name });
  expect(registered.status).toBe(200);
  const user = registered.body.result?.data?.user;
  if (!user) throw new Error('auth.register answered without a user');
  return { id: user.id, accessToken: registered.body.result?.data?.accessToken as string };
}

const errorOf = (location: string) => new URL(location).searchParams.get('sso_error');

/** An authenticator app's current code for a base32 secret (RFC 6238: SHA-1, 6 digits, 30 s). */
function totpCode(base32: string, now = Date.now()): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of base32) bits += alphabet.indexOf(char).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g)?.map((byte) => Number.parseInt(byte, 2)) ?? []);
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 30_000)));
  const digest = createHmac('sha1', key).update(counter).digest();
  const offset = (digest.at(-1) ?? 0) & 0x0f;
  return String((digest.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

describe('single sign-on: the code flow', () => {
  it('auth.providers offers the password form and the single sign-on button with its label', async () => {
    const answer = await trpcCall(door.url, 'auth.providers', 'query');
    expect(answer.body.result?.data).toEqual({ password: true, oidc: { label: 'Sign in with Test IdP' } });
  });

  it('start redirects to the provider with PKCE (S256), state, nonce, the PUBLIC_URL redirect URI and openid email profile', async () => {
    const { authorizationUrl } = await start(door.url);
    expect(authorizationUrl.origin).toBe(provider.issuer);
    const params = authorizationUrl.searchParams;
    expect(params.get('response_type')).toBe('code');
    expect(params.get('client_id')).toBe(provider.clientId);
    expect(params.get('redirect_uri')).toBe(`${door.url}/auth/oidc/callback`);
    expect(params.get('scope')).toBe('openid email profile');
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(params.get('state')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    expect(params.get('nonce')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
  });

  it('the state cookie is HttpOnly, SameSite=Lax, on Path=/auth/oidc, for ten minutes, and not Secure outside production', async () => {
    const { stateCookieLine } = await start(door.url);
    const attributes = stateCookieLine.split(';').map((part) => part.trim().toLowerCase());
    expect(attributes).toContain('httponly');
    expect(attributes).toContain('samesite=lax');
    expect(attributes).toContain('path=/auth/oidc');
    expect(attributes).toContain('max-age=600');
    expect(attributes).not.toContain('secure');
  });

  it('a first sign-in creates a GUEST account with the verified address, sets the refresh cookie and lands on the dashboard with no token in the URL', async () => {
    const { landed } = await signIn('alice');
    expect(landed.status).toBe(303);
    expect(landed.location).toBe(`${door.url}/`);
    expect(landed.refreshCookie).toBeDefined();
    expect(landed.location).not.toContain(landed.refreshCookie as string);
    // The state is used up: the callback clears its cookie.
    const cleared = setCookie(landed.response, OIDC_STATE_COOKIE);
    expect(cleared?.line).toMatch(/Expires=Thu, 01 Jan 1970|Max-Age=0/i);

    const { me } = await dashboardSession(landed.refreshCookie as string);
    expect(me).toMatchObject({
      email: 'alice@example.com',
      name: 'Alice Provider',
      role: 'GUEST',
      emailVerified: true,
    });
    const identity = await server.database.db
      .selectFrom('identities')
      .selectAll()
      .where('user_id', '=', me?.id as string)
      .executeTakeFirstOrThrow();
    expect(identity).toMatchObject({ issuer: provider.issuer, subject: 'alice', email: 'alice@example.com' });
    expect(await auditActions(me?.id as string)).toEqual(expect.arrayContaining(['auth.register', 'auth.sso_login']));
  });

  it('an account single sign-on created has no password anyone knows: the password form refuses it', async () => {
    const { landed } = await signIn('alice');
    expect(landed.refreshCookie).toBeDefined();
    const login = await trpcCall(door.url, 'auth.login', 'mutation', {
      email: 'alice@example.com',
      password: PASSWORD,
    });
    expect(login.status).toBe(401);
  });

  it('a second sign-in reuses the identity: same account, one identity, a new session', async () => {
    const first = await dashboardSession((await signIn('alice')).landed.refreshCookie as string);
    const second = await dashboardSession((await signIn('alice')).landed.refreshCookie as string);
    expect(second.me?.id).toBe(first.me?.id);
    const count = await server.database.db
      .selectFrom('identities')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('subject', '=', 'alice')
      .executeTakeFirstOrThrow();
    expect(count.n).toBe(1);
  });

  it('lands on a same-origin returnTo path, and on the dashboard root for an off-site one', async () => {
    expect((await signIn('alice', { returnTo: '/projects?x=1' })).landed.location).toBe(`${door.url}/projects?x=1`);
    expect((await signIn('alice', { returnTo: '//evil.example/steal' })).landed.location).toBe(`${door.url}/`);
    expect((await signIn('alice', { returnTo: 'https://evil.example/' })).landed.location).toBe(`${door.url}/`);
  });

  it('links an existing account when both sides verified the address, and audits auth.sso_linked', async () => {
    const bob = await register('bob@example.com', 'Bob Keel');
    await server.database.db.updateTable('users').set({ email_verified: true }).where('id', '=', bob.id).execute();
    const { landed } = await signIn('bob');
    expect(landed.location).toBe(`${door.url}/`);
    const { me } = await dashboardSession(landed.refreshCookie as string);
    expect(me?.id).toBe(bob.id);
    expect(me?.role).toBe('USER');
    expect(await auditActions(bob.id)).toEqual(expect.arrayContaining(['auth.sso_linked', 'auth.sso_login']));
  });

  it('refuses to link an existing account when the provider did not verify the address, with a message to link from the account page', async () => {
    await register('carol@example.com', 'Carol Keel');
    const { landed } = await signIn('carol');
    expect(landed.status).toBe(303);
    expect(landed.location).toBe(`${door.url}/sign-in?sso_error=account_exists`);
    expect(landed.refreshCookie).toBeUndefined();
    const identities = await server.database.db
      .selectFrom('identities')
      .select('id')
      .where('subject', '=', 'carol')
      .execute();
    expect(identities).toEqual([]);
  });

  it('refuses an address outside SIGNUP_DOMAINS under SIGNUP_MODE=domain, and creates none', async () => {
    const { landed } = await signIn('dave', { base: domainDoor.url });
    expect(landed.location).toBe(`${domainDoor.url}/sign-in?sso_error=signup_domain`);
    expect(landed.refreshCookie).toBeUndefined();
    const users = await domainServer.database.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', 'dave@other.org')
      .execute();
    expect(users).toEqual([]);
    // An address at the domain signs up there.
    const allowed = await signIn('alice', { base: domainDoor.url });
    expect(allowed.landed.location).toBe(`${domainDoor.url}/`);
    expect(allowed.landed.refreshCookie).toBeDefined();
  });

  it("counts as a second factor when the ID token's amr says the provider checked one", async () => {
    const amrOf = async (amr?: string) => {
      const { accessToken } = await dashboardSession((await signIn('alice', { amr })).landed.refreshCookie as string);
      const payload = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString()) as {
        amr: string[];
      };
      return payload.amr;
    };
    expect(await amrOf()).toEqual(['sso']);
    expect(await amrOf('pwd,mfa')).toEqual(['sso', 'otp']);
  });

  it('keeps a deactivated account out', async () => {
    const { landed } = await signIn('erin');
    const { me } = await dashboardSession(landed.refreshCookie as string);
    await server.database.db
      .updateTable('users')
      .set({ active: false })
      .where('id', '=', me?.id as string)
      .execute();
    const again = await signIn('erin');
    expect(errorOf(again.landed.location)).toBe('disabled');
    expect(again.landed.refreshCookie).toBeUndefined();
  });
});

describe('single sign-on: the code step of an account with two-step verification', () => {
  const SECRET = 'JBSWY3DPEHPK3PXP';

  it('lands on the sign-in page with the challenge in an HttpOnly cookie, and a right code from that cookie signs in', async () => {
    const judy = await register('judy@example.com', 'Judy Keel');
    await server.database.db.updateTable('users').set({ email_verified: true }).where('id', '=', judy.id).execute();
    await server.database.db
      .insertInto('mfa_secrets')
      .values({ user_id: judy.id, secret: SECRET, enabled_at: new Date() })
      .execute();

    const { landed } = await signIn('judy', { returnTo: '/projects?x=1' });
    expect(landed.status).toBe(303);
    const location = new URL(landed.location);
    expect(`${location.origin}${location.pathname}`).toBe(`${door.url}/sign-in`);
    expect(Object.fromEntries(location.searchParams)).toEqual({ sso_step: 'code', returnTo: '/projects?x=1' });
    expect(landed.refreshCookie).toBeUndefined();
    const mfaCookie = setCookie(landed.response, 'keel_mfa');
    expect(mfaCookie).toBeDefined();
    const attributes = mfaCookie?.line.split(';').map((part) => part.trim().toLowerCase()) ?? [];
    expect(attributes).toContain('httponly');
    expect(attributes).toContain('samesite=lax');
    expect(attributes).toContain('path=/');
    expect(attributes).toContain('max-age=300');
    expect(attributes).not.toContain('secure');
    // No token in the address: the challenge is in the cookie only.
    expect(landed.location).not.toContain(mfaCookie?.value as string);

    const withoutCookie = await trpcCall(door.url, 'auth.mfa.verify', 'mutation', { code: totpCode(SECRET) });
    expect(withoutCookie.status).toBe(401);

    const verified = await trpcCall(
      door.url,
      'auth.mfa.verify',
      'mutation',
      { code: totpCode(SECRET) },
      { cookie: `keel_mfa=${mfaCookie?.value}` },
    );
    expect(verified.status).toBe(200);
    const payload = verified.body.result?.data;
    expect(payload).toMatchObject({ tokenType: 'Bearer', user: { id: judy.id } });
    const refreshCookie = verified.headers.getSetCookie().find((line) => line.startsWith('keel_rt='));
    expect(refreshCookie).toBeDefined();
    // The used challenge's cookie is cleared.
    const cleared = verified.headers.getSetCookie().find((line) => line.startsWith('keel_mfa='));
    expect(cleared).toMatch(/Expires=Thu, 01 Jan 1970|Max-Age=0/i);
    const claims = JSON.parse(Buffer.from(payload?.accessToken.split('.')[1] ?? '', 'base64url').toString()) as {
      amr: string[];
    };
    expect(claims.amr).toEqual(['sso', 'otp']);
    expect(await auditActions(judy.id)).toEqual(expect.arrayContaining(['auth.sso_linked', 'auth.sso_login']));
  });
});

describe('single sign-on only (PASSWORD_LOGIN=false)', () => {
  it('says passwords are off, and refuses a password sign-in with 403', async () => {
    const providers = await trpcCall(ssoOnlyDoor.url, 'auth.providers', 'query');
    expect(providers.body.result?.data).toEqual({ password: false, oidc: { label: 'Sign in with Test IdP' } });
    const login = await trpcCall(ssoOnlyDoor.url, 'auth.login', 'mutation', {
      email: ACCOUNTS.ivan.email,
      password: PASSWORD,
    });
    expect(login.status).toBe(403);
    expect(login.body.error?.message).toBe('Passwords do not sign in here: use single sign-on');
  });

  it('made no admin at start: the first single sign-on with ADMIN_EMAIL is the ADMIN, others wait for an invitation', async () => {
    const db = ssoOnlyServer.database.db;
    expect(await db.selectFrom('users').select('id').where('email', '=', ACCOUNTS.ivan.email).execute()).toEqual([]);
    const { landed } = await signIn('ivan', { base: ssoOnlyDoor.url });
    expect(landed.location).toBe(`${ssoOnlyDoor.url}/`);
    const { me } = await dashboardSession(landed.refreshCookie as string, ssoOnlyDoor.url);
    expect(me).toMatchObject({ email: ACCOUNTS.ivan.email, role: 'ADMIN', emailVerified: true });
    const other = await signIn('alice', { base: ssoOnlyDoor.url });
    expect(other.landed.location).toBe(`${ssoOnlyDoor.url}/sign-in?sso_error=signup_invite`);
  });
});

describe('single sign-on: a forged or replayed callback', () => {
  it('refuses a callback whose state was tampered with', async () => {
    const started = await start(door.url);
    const callbackUrl = new URL(await providerSignIn(started.authorizationUrl, 'alice'));
    callbackUrl.searchParams.set('state', `${callbackUrl.searchParams.get('state')}x`);
    const landed = await callback(callbackUrl.href, started.stateCookie);
    expect(landed.location).toBe(`${door.url}/sign-in?sso_error=failed`);
    expect(landed.refreshCookie).toBeUndefined();
  });

  it('refuses a callback whose state cookie was tampered with, or is missing', async () => {
    const started = await start(door.url);
    const callbackUrl = await providerSignIn(started.authorizationUrl, 'alice');
    const [payload = '', signature = ''] = started.stateCookie.split('.');
    const forged = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    forged.returnTo = '/admin';
    const forgedCookie = `${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}`;
    expect(errorOf((await callback(callbackUrl, forgedCookie)).location)).toBe('failed');
    expect(errorOf((await callback(callbackUrl, undefined)).location)).toBe('failed');
  });

  it('refuses a replayed callback: the first signs in, the same code and state again do not', async () => {
    const { started, callbackUrl, landed } = await signIn('frank');
    expect(landed.refreshCookie).toBeDefined();
    // A browser no longer has the cookie; an attacker who kept it is refused by the provider (used code).
    const withoutCookie = await callback(callbackUrl, undefined);
    expect(errorOf(withoutCookie.location)).toBe('failed');
    const withCookie = await callback(callbackUrl, started.stateCookie);
    expect(errorOf(withCookie.location)).toBe('failed');
    expect(withCookie.refreshCookie).toBeUndefined();
  });

  it("refuses an ID token whose nonce is not this sign-in's (a code obtained for another request)", async () => {
    const started = await start(door.url);
    // The same state and PKCE challenge, but another nonce: everything matches except the ID token's nonce.
    const other = new URL(started.authorizationUrl);
    other.searchParams.set('nonce', 'another-nonce-another-nonce-0123456789');
    const callbackUrl = await providerSignIn(other, 'alice');
    const landed = await callback(callbackUrl, started.stateCookie);
    expect(errorOf(landed.location)).toBe('failed');
    expect(landed.refreshCookie).toBeUndefined();
    const warned = server.logs.some(
      (line) => line.msg === 'OIDC sign-in failed' && JSON.stringify(line.err ?? '').includes('nonce'),
    );
    expect(warned).toBe(true);
  });

  it('sends a person who cancels at the provider back to the sign-in page', async () => {
    const started = await start(door.url);
    const state = started.authorizationUrl.searchParams.get('state') as string;
    const landed = await callback(
      `${door.url}/auth/oidc/callback?error=access_denied&state=${state}&iss=${encodeURIComponent(provider.issuer)}`,
      started.stateCookie,
    );
    expect(landed.location).toBe(`${door.url}/sign-in?sso_error=cancelled`);
  });
});

describe('single sign-on from the account page', () => {
  it('links the identity to the signed-in account that asked, named by its access token, and lists it', async () => {
    const grace = await register('grace-keel@example.com', 'Grace Keel');
    const refused = await fetch(`${door.url}/auth/oidc/start?link=1`);
    expect(refused.status).toBe(401);

    const asked = await fetch(`${door.url}/auth/oidc/start?link=1`, {
      headers: { authorization: `Bearer ${grace.accessToken}` },
    });
    expect(asked.status).toBe(200);
    const { url } = (await asked.json()) as { url: string };
    const stateCookie = setCookie(asked, OIDC_STATE_COOKIE)?.value;
    const callbackUrl = await providerSignIn(new URL(url), 'grace');
    const landed = await callback(callbackUrl, stateCookie);
    expect(landed.location).toBe(`${door.url}/account`);
    // Linking signs no one in: the account was already signed in.
    expect(landed.refreshCookie).toBeUndefined();

    const listed = await trpcCall(door.url, 'sso.identities', 'query', undefined, { token: grace.accessToken });
    expect(listed.body.result?.data?.items).toEqual([
      expect.objectContaining({ issuer: provider.issuer, email: 'grace@example.com' }),
    ]);
    expect(await auditActions(grace.id)).toContain('auth.sso_linked');
    // From now on the provider's account signs in to this one, whatever its address.
    const { me } = await dashboardSession((await signIn('grace')).landed.refreshCookie as string);
    expect(me?.id).toBe(grace.id);
  });

  it('refuses to link an identity already linked to another account', async () => {
    await signIn('heidi');
    const other = await register('heidi-other@example.com', 'Heidi Other');
    const asked = await fetch(`${door.url}/auth/oidc/start?link=1`, {
      headers: { authorization: `Bearer ${other.accessToken}` },
    });
    const { url } = (await asked.json()) as { url: string };
    const callbackUrl = await providerSignIn(new URL(url), 'heidi');
    const landed = await callback(callbackUrl, setCookie(asked, OIDC_STATE_COOKIE)?.value);
    expect(landed.location).toBe(`${door.url}/account?sso_error=identity_taken`);
  });
});

describe('single sign-on when the provider is down, and under the rate limit', () => {
  let limitedDoor: FrontDoor;
  let limited: TestServer;
  beforeAll(async () => {
    limitedDoor = await startFrontDoor();
    // Nothing listens on port 1; the `auth` rule allows 2 calls per address here (50 × 0.04).
    limited = await startTestServer({
      ...oidcEnv(limitedDoor.url),
      OIDC_ISSUER: 'http://127.0.0.1:1',
      RATE_LIMIT_MULTIPLIER: '0.04',
    });
    limitedDoor.setTarget(limited.url);
  });
  afterAll(async () => {
    await limited?.close();
    await limitedDoor?.close();
  });

  it('starts without the provider, and sends a sign-in back to the sign-in page as unavailable', async () => {
    const response = await manual(`${limitedDoor.url}/auth/oidc/start`);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`${limitedDoor.url}/sign-in?sso_error=unavailable`);
    expect(setCookie(response, OIDC_STATE_COOKIE)).toBeUndefined();
  });

  it('limits start and callback per client address, with Retry-After', async () => {
    let refused: Response | undefined;
    for (let attempt = 0; attempt < 3 && !refused; attempt += 1) {
      const response = await manual(`${limitedDoor.url}/auth/oidc/start`);
      if (response.headers.get('location')?.endsWith('sso_error=rate_limited')) refused = response;
    }
    expect(refused?.headers.get('retry-after')).toMatch(/^\d+$/);
    const landed = await callback(`${limitedDoor.url}/auth/oidc/callback?code=x&state=y`, undefined, limitedDoor.url);
    expect(landed.location).toBe(`${limitedDoor.url}/sign-in?sso_error=rate_limited`);
  });
});
