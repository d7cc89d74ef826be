// OpenID Connect single sign-on over HTTP (docs/sso.md): the authorization code flow with PKCE,
// state and nonce (openid-client), between `GET /auth/oidc/start` and `GET /auth/oidc/callback`.
// The rules (who signs in, which account is created or linked) are modules/sso's; this file only
// speaks OAuth. No token ever travels in a URL: the callback sets the refresh cookie and sends the
// browser to the dashboard, whose usual refresh fetches the access token; an account whose two-step
// verification the provider did not confirm gets its challenge in the `keel_mfa` cookie instead, and
// the sign-in page's code step (`/sign-in?sso_step=code`) finishes the sign-in with auth.mfa.verify.
import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  AppError,
  type Context,
  enforceRateLimit,
  type LinkIntent,
  linkIdentity,
  linkIntentOf,
  type OidcClaims,
  type SsoErrorCode,
  SsoRefusal,
  signInWithIdentity,
} from '@keel/api/server';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as client from 'openid-client';
import type { ServerConfig } from './config.js';
import { type ContextFactory, setMfaCookie } from './http/context.js';
import { sendError } from './http/errors.js';

export const OIDC_PREFIX = '/auth/oidc';
export const OIDC_STATE_COOKIE = 'keel_oidc';
/** How long a sign-in may stay at the provider: the state cookie's life. */
const STATE_TTL_SECONDS = 10 * 60;
const SCOPE = 'openid email profile';

export interface OidcOptions {
  config: Pick<
    ServerConfig,
    'NODE_ENV' | 'JWT_ACCESS_SECRET' | 'OIDC_ISSUER' | 'OIDC_CLIENT_ID' | 'OIDC_CLIENT_SECRET'
  >;
  /** The dashboard's origin (PUBLIC_URL): the redirect URI is `<publicUrl>/auth/oidc/callback`. */
  publicUrl: string;
  createContext: ContextFactory;
}

/** What the state cookie carries between the two legs of one sign-in. */
interface PendingSignIn {
  state: string;
  nonce: string;
  codeVerifier: string;
  /** A same-origin path of the dashboard to land on. */
  returnTo: string;
  /** Set when a signed-in person links an identity from the account page. */
  link?: LinkIntent;
  /** Epoch milliseconds after which the cookie is refused, whatever the browser kept. */
  expiresAt: number;
}

/**
 * The state cookie is signed (HMAC-SHA256 with a key derived from the JWT secret), so its link
 * intent, the one part the provider's answer cannot vouch for, names only whom Keel wrote in it.
 */
function stateCookieCodec(jwtSecret: string) {
  const key = createHmac('sha256', jwtSecret).update('keel:oidc-state-cookie').digest();
  const sign = (payload: string) => createHmac('sha256', key).update(payload).digest('base64url');
  return {
    encode(pending: PendingSignIn): string {
      const payload = Buffer.from(JSON.stringify(pending)).toString('base64url');
      return `${payload}.${sign(payload)}`;
    },
    decode(cookie: string | undefined, now: number): PendingSignIn | undefined {
      const [payload, signature, ...rest] = (cookie ?? '').split('.');
      if (!payload || !signature || rest.length > 0) return undefined;
      const expected = Buffer.from(sign(payload));
      const given = Buffer.from(signature);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
      try {
        const pending = JSON.parse(Buffer.from(payload, 'base64url').toString()) as PendingSignIn;
        return pending.expiresAt > now ? pending : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

/**
 * A path of the dashboard to land on after the sign-in: only a same-origin relative path (`/x`,
 * never `//host`, `/\host` or a scheme), so the callback is no open redirect.
 */
export function safeReturnTo(value: unknown, fallback: string): string {
  if (typeof value !== 'string' || value.length > 512) return fallback;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return fallback;
  // Control characters and backslashes: browsers drop the first and read the second as a slash.
  for (const char of value) {
    const code = char.charCodeAt(0);
    if (code < 0x20 || code === 0x7f || char === '\\') return fallback;
  }
  return value;
}

/** `GET /auth/oidc/start` and `GET /auth/oidc/callback`; registered only when OIDC_* is set. */
export async function registerOidc(app: FastifyInstance, options: OidcOptions): Promise<void> {
  const { config, publicUrl, createContext } = options;
  const { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: clientId, OIDC_CLIENT_SECRET: clientSecret } = config;
  if (!issuer || !clientId || !clientSecret) return;
  const redirectUri = `${publicUrl}${OIDC_PREFIX}/callback`;
  const cookies = stateCookieCodec(config.JWT_ACCESS_SECRET);
  const cookieOptions = {
    httpOnly: true,
    secure: config.NODE_ENV === 'production',
    sameSite: 'lax' as const,
    path: OIDC_PREFIX,
  };

  // Discovered on first use, so a provider that is down does not stop Keel from starting; a failed
  // discovery is tried again by the next sign-in.
  let discovered: Promise<client.Configuration> | undefined;
  const provider = () => {
    discovered ??= client
      .discovery(new URL(issuer), clientId, clientSecret, undefined, {
        // An http issuer is refused in production by the configuration; elsewhere it is a test provider.
        ...(issuer.startsWith('http:') ? { execute: [client.allowInsecureRequests] } : {}),
        timeout: 10,
      })
      .catch((error: unknown) => {
        discovered = undefined;
        throw error;
      });
    return discovered;
  };

  /**
   * The rule `auth`, by client address: the code flow costs the provider and Keel a round trip each.
   * Over it, the answer carries the limit's headers and the caller sends the person back refused.
   */
  async function withinLimit(ctx: Context): Promise<boolean> {
    try {
      await enforceRateLimit(ctx, 'auth', `ip:${ctx.ip}`);
      return true;
    } catch (error) {
      if (error instanceof AppError && error.appCode === 'RATE_LIMITED') return false;
      throw error;
    }
  }

  const toDashboard = (reply: FastifyReply, path: string) =>
    reply.header('cache-control', 'no-store').redirect(`${publicUrl}${path}`, 303);

  app.get(`${OIDC_PREFIX}/start`, async (request: FastifyRequest<{ Querystring: Record<string, unknown> }>, reply) => {
    const query = request.query;
    const linking = query.link === '1' || query.link === 'true';
    const ctx = await createContext(request, reply);
    // A link is started by the account page with fetch and its bearer token (a navigation carries
    // neither the token nor the refresh cookie), so its answers are JSON: `{ url }` to go to.
    const refuse = (reason: SsoErrorCode, status: AppError['appCode'] = 'FORBIDDEN') =>
      linking
        ? sendError(request, reply, new AppError(status, reasonMessage(reason)))
        : toDashboard(reply, `/sign-in?sso_error=${reason}`);
    if (!(await withinLimit(ctx))) return refuse('rate_limited', 'RATE_LIMITED');
    let link: LinkIntent | undefined;
    if (linking) {
      try {
        link = await linkIntentOf(ctx);
      } catch (error) {
        if (error instanceof AppError) return sendError(request, reply, error);
        throw error;
      }
    }
    let configuration: client.Configuration;
    try {
      configuration = await provider();
    } catch (error) {
      request.log.error({ err: error, issuer }, 'OIDC discovery failed');
      return refuse('unavailable', 'SERVICE_UNAVAILABLE');
    }
    const codeVerifier = client.randomPKCECodeVerifier();
    const pending: PendingSignIn = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier,
      returnTo: safeReturnTo(query.returnTo, linking ? '/account' : '/'),
      ...(link ? { link } : {}),
      expiresAt: Date.now() + STATE_TTL_SECONDS * 1000,
    };
    const url = client.buildAuthorizationUrl(configuration, {
      redirect_uri: redirectUri,
      scope: SCOPE,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state: pending.state,
      nonce: pending.nonce,
    });
    reply.setCookie(OIDC_STATE_COOKIE, cookies.encode(pending), { ...cookieOptions, maxAge: STATE_TTL_SECONDS });
    reply.header('cache-control', 'no-store');
    if (linking) return reply.send({ url: url.href });
    return reply.redirect(url.href, 303);
  });

  app.get(
    `${OIDC_PREFIX}/callback`,
    async (request: FastifyRequest<{ Querystring: Record<string, unknown> }>, reply) => {
      const ctx = await createContext(request, reply);
      // Whatever happens next, this sign-in's state is used up: a replayed callback finds none.
      const pending = cookies.decode(request.cookies[OIDC_STATE_COOKIE], Date.now());
      reply.clearCookie(OIDC_STATE_COOKIE, cookieOptions);
      const refuse = (reason: SsoErrorCode) =>
        toDashboard(reply, pending?.link ? `/account?sso_error=${reason}` : `/sign-in?sso_error=${reason}`);
      if (!(await withinLimit(ctx))) return refuse('rate_limited');
      if (!pending) {
        request.log.warn('OIDC callback without a valid state cookie');
        return refuse('failed');
      }
      // The person said no at the provider (or it could not sign them in).
      if (typeof request.query.error === 'string') {
        request.log.info({ error: request.query.error }, 'OIDC provider answered with an error');
        return refuse(request.query.error === 'access_denied' ? 'cancelled' : 'failed');
      }
      let claims: OidcClaims;
      try {
        claims = await exchangeCode(await provider(), new URL(request.url, `${publicUrl}/`), pending);
      } catch (error) {
        // A wrong state or nonce, a used code, a bad signature: one answer for all, the reason in the log.
        request.log.warn({ err: error }, 'OIDC sign-in failed');
        return refuse('failed');
      }
      let mfaToken: string | undefined;
      try {
        if (pending.link) {
          await linkIdentity(ctx, pending.link, claims);
        } else {
          const signedIn = await signInWithIdentity(ctx, claims);
          if (signedIn.mfaRequired) mfaToken = signedIn.mfaToken;
        }
      } catch (error) {
        if (error instanceof SsoRefusal) {
          request.log.info({ reason: error.reason, issuer: claims.issuer }, 'OIDC sign-in refused');
          return refuse(error.reason);
        }
        if (error instanceof AppError && error.appCode === 'SERVICE_UNAVAILABLE') return refuse('unavailable');
        request.log.error({ err: error }, 'OIDC sign-in failed');
        return refuse('failed');
      }
      if (mfaToken) {
        setMfaCookie(reply, mfaToken, config.NODE_ENV === 'production');
        const search = new URLSearchParams({ sso_step: 'code', returnTo: pending.returnTo });
        return toDashboard(reply, `/sign-in?${search}`);
      }
      return toDashboard(reply, pending.returnTo);
    },
  );
}

function reasonMessage(reason: SsoErrorCode): string {
  return new SsoRefusal(reason).message;
}

/**
 * The code for tokens, with every check of the flow: the state, the PKCE verifier, the ID token's
 * signature, issuer, audience and nonce. The address comes from userinfo when the ID token has none
 * (a provider may keep claims out of it in the code flow).
 */
async function exchangeCode(
  configuration: client.Configuration,
  currentUrl: URL,
  pending: PendingSignIn,
): Promise<OidcClaims> {
  const tokens = await client.authorizationCodeGrant(configuration, currentUrl, {
    expectedState: pending.state,
    expectedNonce: pending.nonce,
    pkceCodeVerifier: pending.codeVerifier,
    idTokenExpected: true,
  });
  const idToken = tokens.claims();
  if (!idToken) throw new Error('the provider answered without an ID token');
  let profile: Record<string, unknown> = idToken;
  if (idToken.email === undefined) {
    profile = { ...idToken, ...(await client.fetchUserInfo(configuration, tokens.access_token, idToken.sub)) };
  }
  const amr = Array.isArray(idToken.amr) ? idToken.amr.filter((method) => typeof method === 'string') : undefined;
  return {
    issuer: idToken.iss,
    subject: idToken.sub,
    email: typeof profile.email === 'string' ? profile.email : undefined,
    emailVerified: profile.email_verified === true || profile.email_verified === 'true',
    name: typeof profile.name === 'string' ? profile.name : undefined,
    amr,
  };
}
