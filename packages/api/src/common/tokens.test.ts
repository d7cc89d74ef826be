import { randomUUID } from 'node:crypto';
import { decodeProtectedHeader, type JWTPayload, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createTokenService,
  generateRefreshToken,
  hashRefreshToken,
  isWellFormedRefreshToken,
  type TokenService,
} from './tokens.js';

const SECRET = 'current-secret-current-secret-0123456789';
const PREVIOUS = 'previous-secret-previous-secret-987654321';
const OTHER = 'somebody-elses-secret-somebody-elses-0000';
const OPTIONS = { issuer: 'keel', audience: 'keel-api', accessTtlSeconds: 900 };

let tokens: TokenService;
let currentKid: string;
const userId = randomUUID();
const sessionId = randomUUID();

beforeAll(async () => {
  tokens = await createTokenService({ ...OPTIONS, secret: SECRET, previousSecret: PREVIOUS });
  currentKid = decodeProtectedHeader(await tokens.signAccess({ userId, role: 'USER', sessionId })).kid as string;
});

const key = (secret: string) => new TextEncoder().encode(secret);
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token built by hand: valid claims unless overridden, signed HS256 with `secret` under `kid`. */
async function forge(
  options: {
    secret?: string;
    kid?: string | null;
    alg?: string;
    claims?: JWTPayload;
    issuer?: string;
    audience?: string;
    expiresIn?: string;
  } = {},
) {
  const header: { alg: string; kid?: string } = { alg: options.alg ?? 'HS256' };
  if (options.kid !== null) header.kid = options.kid ?? currentKid;
  return new SignJWT({ role: 'USER', sid: sessionId, ...options.claims })
    .setProtectedHeader(header)
    .setSubject(userId)
    .setIssuer(options.issuer ?? 'keel')
    .setAudience(options.audience ?? 'keel-api')
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '15m')
    .sign(key(options.secret ?? SECRET));
}

describe('access tokens', () => {
  it('a token it signed verifies back to the same user, role and session, expiring after the TTL', async () => {
    const before = Date.now();
    const token = await tokens.signAccess({ userId, role: 'ADMIN', sessionId });
    const claims = await tokens.verifyAccess(token);
    expect(claims).toMatchObject({ userId, role: 'ADMIN', sessionId });
    expect(claims?.expiresAt).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 900_000);
    expect(claims?.expiresAt).toBeLessThanOrEqual(Date.now() + 900_000);
    expect(tokens.accessTtlSeconds).toBe(900);
  });

  it('is HS256 over the UTF-8 bytes of the secret, so another service holding the secret can verify it', async () => {
    const token = await tokens.signAccess({ userId, role: 'USER', sessionId });
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'HS256', typ: 'JWT', kid: currentKid });
    expect(await tokens.verifyAccess(await forge())).toMatchObject({ userId, sessionId, role: 'USER' });
  });

  it('accepts a token signed with the previous secret during a key rotation', async () => {
    const old = await createTokenService({ ...OPTIONS, secret: PREVIOUS });
    const token = await old.signAccess({ userId, role: 'USER', sessionId });
    expect(await tokens.verifyAccess(token)).toMatchObject({ userId, sessionId });
  });

  it('refuses a token of the previous secret once the rotation is over', async () => {
    const old = await createTokenService({ ...OPTIONS, secret: PREVIOUS });
    const rotated = await createTokenService({ ...OPTIONS, secret: SECRET });
    expect(await rotated.verifyAccess(await old.signAccess({ userId, role: 'USER', sessionId }))).toBeUndefined();
  });

  it.each([
    ['signed with another secret under the current kid', () => forge({ secret: OTHER })],
    ['signed with another secret under an unknown kid', () => forge({ secret: OTHER, kid: 'abcdef012345' })],
    ['without a kid', () => forge({ kid: null })],
    ['with alg HS512', () => forge({ alg: 'HS512' })],
    ['expired', () => forge({ expiresIn: '-1s' })],
    ['of another issuer', () => forge({ issuer: 'evil' })],
    ['for another audience', () => forge({ audience: 'other-api' })],
    ['without a session id', () => forge({ claims: { sid: undefined } })],
    ['with a role that does not exist', () => forge({ claims: { role: 'ROOT' } })],
    ['with a non-string session id', () => forge({ claims: { sid: 42 } })],
    [
      'with alg none',
      async () =>
        `${b64({ alg: 'none', kid: currentKid })}.${b64({
          sub: userId,
          role: 'ADMIN',
          sid: sessionId,
          iss: 'keel',
          aud: 'keel-api',
          iat: Math.floor(Date.now() / 1000),
          exp: Math.floor(Date.now() / 1000) + 900,
        })}.`,
    ],
    ['that is not a JWT at all', async () => 'garbage'],
  ])('refuses a token %s', async (_case, make) => {
    expect(await tokens.verifyAccess(await make())).toBeUndefined();
  });
});

describe('verified-token cache', () => {
  it('keeps answering for a token it has verified, and refuses it from the second it expires', async () => {
    let now = Date.now();
    const clocked = await createTokenService({ ...OPTIONS, secret: SECRET, now: () => now });
    const token = await clocked.signAccess({ userId, role: 'USER', sessionId });
    const first = await clocked.verifyAccess(token);
    expect(first).toMatchObject({ userId, sessionId, role: 'USER' });
    expect(await clocked.verifyAccess(token)).toEqual(first);
    now = (first?.expiresAt as number) - 1_001;
    expect(await clocked.verifyAccess(token)).toEqual(first);
    now = first?.expiresAt as number;
    expect(await clocked.verifyAccess(token)).toBeUndefined();
    // Expired for good, cache or not.
    expect(await clocked.verifyAccess(token)).toBeUndefined();
  });

  it('never serves a token that differs from a cached one by a single character', async () => {
    const token = await tokens.signAccess({ userId, role: 'ADMIN', sessionId });
    expect(await tokens.verifyAccess(token)).toMatchObject({ role: 'ADMIN' });
    // The first character of the signature carries six whole bits of it (the last one has padding).
    const at = token.lastIndexOf('.') + 1;
    const flipped = token[at] === 'A' ? 'B' : 'A';
    expect(await tokens.verifyAccess(`${token.slice(0, at)}${flipped}${token.slice(at + 1)}`)).toBeUndefined();
  });

  it('checks every signature again when the cache is turned off', async () => {
    let now = Date.now();
    const uncached = await createTokenService({ ...OPTIONS, secret: SECRET, verifiedCacheSize: 0, now: () => now });
    const token = await uncached.signAccess({ userId, role: 'USER', sessionId });
    expect(await uncached.verifyAccess(token)).toMatchObject({ userId });
    now += 901_000;
    expect(await uncached.verifyAccess(token)).toBeUndefined();
  });
});

describe('refresh tokens', () => {
  it('are 64 random bytes, base64url, never the same twice', () => {
    const a = generateRefreshToken();
    const b = generateRefreshToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{86}$/);
    expect(Buffer.from(a, 'base64url')).toHaveLength(64);
    expect(a).not.toBe(b);
  });

  it.each([
    ['a generated token', generateRefreshToken(), true],
    ['an empty string', '', false],
    ['one character short', generateRefreshToken().slice(1), false],
    ['one character long', `${generateRefreshToken()}A`, false],
    ['a JWT', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc', false],
    ['with a forbidden character', `${generateRefreshToken().slice(1)}+`, false],
  ])('%s is well-formed: %s', (_case, token, expected) => {
    expect(isWellFormedRefreshToken(token)).toBe(expected);
  });

  it('are stored as their SHA-256, which is stable and reveals nothing of the token', () => {
    const token = generateRefreshToken();
    expect(hashRefreshToken(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashRefreshToken(token)).toBe(hashRefreshToken(token));
    expect(hashRefreshToken(token)).not.toContain(token.slice(0, 16));
    expect(hashRefreshToken(token)).not.toBe(hashRefreshToken(generateRefreshToken()));
  });
});
