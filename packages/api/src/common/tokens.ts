// Access tokens (jose, HS256 pinned, kid-selected key with rotation) and opaque refresh tokens.
import { createHash, randomBytes, type webcrypto } from 'node:crypto';
import type { ApiKeyScope, Role } from '@keel/db';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';

export interface AccessClaims {
  userId: string;
  role: Role;
  sessionId: string;
  /**
   * Whether the account's address was verified when the token was signed (claim `ev`, present only
   * when false, so a missing claim reads as verified).
   */
  emailVerified?: boolean;
  /**
   * How the session was opened (claim `amr`, RFC 8176): `['pwd']`, or `['pwd', 'otp']` after a
   * second factor. A token signed before the claim existed reads as `['pwd']`; API keys carry none.
   */
  amr?: readonly string[];
  /** Expiry in epoch milliseconds (set on verified tokens). */
  expiresAt?: number;
  /** Set when the credential is an API key (modules/api-keys), not an access token. */
  apiKey?: { id: string; scope: ApiKeyScope };
}

/** The claims of a verified access token: everything but what only API keys carry. */
type VerifiedAccessClaims = Required<Omit<AccessClaims, 'apiKey'>>;

export interface TokenServiceOptions {
  secret: string;
  previousSecret?: string | undefined;
  issuer: string;
  audience: string;
  accessTtlSeconds: number;
  /** How many verified tokens to remember (0: verify every time); default 10 000. */
  verifiedCacheSize?: number;
  /** The clock, in epoch milliseconds (tests move it). */
  now?: () => number;
}

export interface TokenService {
  signAccess(claims: AccessClaims): Promise<string>;
  /** The claims of a valid token, or `undefined` for anything else (bad signature, alg, exp, aud…). */
  verifyAccess(token: string): Promise<AccessClaims | undefined>;
  readonly accessTtlSeconds: number;
}

type CryptoKey = webcrypto.CryptoKey;

/** The `amr` of a session (RFC 8176 values): how its sign-in was made. */
export const PASSWORD_ONLY: readonly string[] = Object.freeze(['pwd']);
export const PASSWORD_AND_OTP: readonly string[] = Object.freeze(['pwd', 'otp']);
export const SSO_ONLY: readonly string[] = Object.freeze(['sso']);
/** A single sign-on with a second factor: the provider's, or a code of two-step verification. */
export const SSO_AND_OTP: readonly string[] = Object.freeze(['sso', 'otp']);

/** Whether a token's session proved a second factor: a TOTP code, or a provider's own (`otp` either way). */
export function hasSecondFactor(claims: Pick<AccessClaims, 'amr'>): boolean {
  // An SSO sign-in carries `otp` too when the provider checked a second factor (or is trusted to).
  return claims.amr?.includes('otp') === true;
}

const ROLES = new Set<string>(['ADMIN', 'USER', 'GUEST']);

/** A key's id: enough of its SHA-256 to tell keys apart, nothing that helps guess it. */
function keyIdOf(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex').slice(0, 12);
}

async function importKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
    'verify',
  ]);
}

export async function createTokenService(options: TokenServiceOptions): Promise<TokenService> {
  const currentKid = keyIdOf(options.secret);
  const keys = new Map<string, CryptoKey>([[currentKid, await importKey(options.secret)]]);
  if (options.previousSecret) keys.set(keyIdOf(options.previousSecret), await importKey(options.previousSecret));
  const currentKey = keys.get(currentKid) as CryptoKey;
  const now = options.now ?? Date.now;
  // A dashboard sends the same access token for its whole 15-minute life: verifying its HMAC once
  // (a WebCrypto round trip through the thread pool, ~40 µs of CPU here) is enough. Only tokens that
  // verified are kept, keyed by their exact text; expiry is checked again on every use, and
  // revocation is not this cache's business (the session-state check runs on every request).
  const cacheSize = options.verifiedCacheSize ?? 10_000;
  const verified = cacheSize > 0 ? new LRUCache<string, VerifiedAccessClaims>({ max: cacheSize }) : undefined;

  async function verifyWithJose(token: string, nowMs: number): Promise<VerifiedAccessClaims | undefined> {
    try {
      const { payload } = await jwtVerify(
        token,
        (header) => {
          const key = header.kid ? keys.get(header.kid) : undefined;
          if (!key) throw new joseErrors.JWKSNoMatchingKey();
          return key;
        },
        {
          algorithms: ['HS256'],
          issuer: options.issuer,
          audience: options.audience,
          requiredClaims: ['sub', 'exp', 'iat'],
          currentDate: new Date(nowMs),
        },
      );
      const { sub, role, sid, exp, ev, amr } = payload;
      if (typeof sub !== 'string' || typeof sid !== 'string' || typeof role !== 'string' || !ROLES.has(role)) {
        return undefined;
      }
      return {
        userId: sub,
        role: role as Role,
        sessionId: sid,
        emailVerified: ev !== false,
        amr: Array.isArray(amr) && amr.every((method) => typeof method === 'string') ? amr : PASSWORD_ONLY,
        expiresAt: (exp as number) * 1000,
      };
    } catch {
      return undefined;
    }
  }

  return {
    accessTtlSeconds: options.accessTtlSeconds,
    signAccess: (claims) =>
      new SignJWT({
        role: claims.role,
        sid: claims.sessionId,
        ...(claims.emailVerified === false ? { ev: false } : {}),
        amr: [...(claims.amr ?? PASSWORD_ONLY)],
      })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: currentKid })
        .setSubject(claims.userId)
        .setIssuer(options.issuer)
        .setAudience(options.audience)
        .setIssuedAt()
        .setExpirationTime(`${options.accessTtlSeconds}s`)
        .sign(currentKey),
    async verifyAccess(token) {
      const nowMs = now();
      const cached = verified?.get(token);
      if (cached) {
        // The signature and claims were checked when the token was cached; only time moves on.
        if (cached.expiresAt > Math.floor(nowMs / 1000) * 1000) return cached;
        verified?.delete(token);
        return undefined;
      }
      const claims = await verifyWithJose(token, nowMs);
      if (claims) verified?.set(token, Object.freeze(claims));
      return claims;
    },
  };
}

/** 64 random bytes, base64url: exactly 86 characters of [A-Za-z0-9_-]. */
const REFRESH_TOKEN_FORM = /^[A-Za-z0-9_-]{86}$/;

export function generateRefreshToken(): string {
  return randomBytes(64).toString('base64url');
}

/** True when the token could have come from `generateRefreshToken`; junk is refused before any database work. */
export function isWellFormedRefreshToken(token: string): boolean {
  return REFRESH_TOKEN_FORM.test(token);
}

export function hashRefreshToken(token: string): string {
  return hashSecret(token);
}

/**
 * What is stored in place of a high-entropy secret (a link's token, a sign-in challenge, a recovery
 * code): its SHA-256 in hex. Such secrets need no slow hash; a password does (common/hash.ts).
 */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** A random secret for a link or a challenge: 32 bytes, base64url. */
export function generateSecretToken(): string {
  return randomBytes(32).toString('base64url');
}
