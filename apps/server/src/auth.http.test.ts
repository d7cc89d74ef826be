// The authentication capability end to end, through HTTP on a running server.
import { createHash } from 'node:crypto';
import { tokensOf } from '@keel/api/testing';
import { SignJWT } from 'jose';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, trpcCall } from './testing/server.js';

const PASSWORD = 'Passw0rd!';
const PREVIOUS_SECRET = 'previous-secret-previous-secret-0123456789';
let server: TestServer;
let counter = 0;
const email = () => `user${++counter}-${Date.now()}@example.com`;

async function register(address = email()) {
  const res = await trpcCall(server.url, 'auth.register', 'mutation', {
    email: address,
    password: PASSWORD,
    name: 'Tester',
  });
  expect(res.status).toBe(200);
  return res.body.result.data as { accessToken: string; refreshToken: string; user: { id: string; email: string } };
}

beforeAll(async () => {
  server = await startTestServer({ JWT_ACCESS_SECRET_PREVIOUS: PREVIOUS_SECRET });
});
afterAll(async () => {
  await server?.close();
});

describe('register, login, me, refresh, logout', () => {
  it('completes the round trip and lower-cases and trims the email', async () => {
    const address = email();
    const registered = await trpcCall(server.url, 'auth.register', 'mutation', {
      email: `  ${address.toUpperCase()} `,
      password: PASSWORD,
      name: 'Ada',
    });
    expect(registered.status).toBe(200);
    expect(registered.body.result.data.user.email).toBe(address);
    expect(registered.body.result.data.tokenType).toBe('Bearer');

    const login = await trpcCall(server.url, 'auth.login', 'mutation', { email: address, password: PASSWORD });
    expect(login.status).toBe(200);
    const { accessToken, refreshToken } = tokensOf(login.body.result.data);

    const me = await trpcCall(server.url, 'auth.me', 'query', undefined, { token: accessToken });
    expect(me.status).toBe(200);
    expect(me.body.result.data).toMatchObject({ email: address, name: 'Ada', role: 'USER', active: true });
    expect(me.body.result.data).not.toHaveProperty('passwordHash');

    const refreshed = await trpcCall(server.url, 'auth.refresh', 'mutation', { refreshToken });
    expect(refreshed.status).toBe(200);
    const next = refreshed.body.result.data;
    expect(next.refreshToken).not.toBe(refreshToken);

    const logout = await trpcCall(server.url, 'auth.logout', 'mutation', { refreshToken: next.refreshToken });
    expect(logout.body.result.data).toEqual({ success: true });
    const afterLogout = await trpcCall(server.url, 'auth.me', 'query', undefined, { token: next.accessToken });
    expect(afterLogout.status).toBe(401);
    expect(afterLogout.body.error.data.code).toBe('UNAUTHORIZED');
    const refreshAfterLogout = await trpcCall(server.url, 'auth.refresh', 'mutation', {
      refreshToken: next.refreshToken,
    });
    expect(refreshAfterLogout.status).toBe(401);
  });

  it('refuses a duplicate email with 409 CONFLICT', async () => {
    const address = email();
    await register(address);
    const again = await trpcCall(server.url, 'auth.register', 'mutation', {
      email: address.toUpperCase(),
      password: PASSWORD,
      name: 'Twin',
    });
    expect(again.status).toBe(409);
    expect(again.body.error.data.code).toBe('CONFLICT');
  });

  it('names each failing field of a weak password and a bad email', async () => {
    const res = await trpcCall(server.url, 'auth.register', 'mutation', {
      email: 'not-an-email',
      password: 'short',
      name: 'X',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe('Invalid input');
    expect(res.body.error.data.code).toBe('VALIDATION_ERROR');
    const fields = res.body.error.data.details?.map((d) => d.field);
    expect(fields).toContain('email');
    expect(fields).toContain('password');
    expect(res.body.error.data.details).toContainEqual({ field: 'email', message: 'Invalid email format' });
    expect(res.body.error.data.requestId).toBe(res.headers.get('x-request-id'));
  });

  it('sets the keel_rt cookie httpOnly, SameSite=Strict, only on the auth routes, and refreshes from it', async () => {
    const res = await trpcCall(server.url, 'auth.register', 'mutation', {
      email: email(),
      password: PASSWORD,
      name: 'C',
    });
    const cookies = res.headers.getSetCookie();
    expect(cookies.length).toBeGreaterThan(0);
    for (const cookie of cookies) {
      expect(cookie).toMatch(/^keel_rt=/);
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Strict/i);
      expect(cookie).toMatch(/Path=\/(trpc\/auth\.(refresh|logout)|api\/auth)/);
    }
    const value = /^keel_rt=([^;]+)/.exec(cookies[0] as string)?.[1];
    const refreshed = await trpcCall(server.url, 'auth.refresh', 'mutation', {}, { cookie: `keel_rt=${value}` });
    expect(refreshed.status).toBe(200);
  });

  it('gives unknown email and wrong password the same 401 message', async () => {
    const { user } = await register();
    const wrong = await trpcCall(server.url, 'auth.login', 'mutation', { email: user.email, password: 'Wrong-pass1' });
    const unknown = await trpcCall(server.url, 'auth.login', 'mutation', { email: email(), password: 'Wrong-pass1' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.error.message).toBe('Invalid credentials');
    expect(unknown.body.error.message).toBe(wrong.body.error.message);
  });
});

describe('refresh rotation', () => {
  it('lets exactly one of six concurrent refreshes win, and the winner keeps working', async () => {
    const { refreshToken } = await register();
    const results = await Promise.all(
      Array.from({ length: 6 }, () => trpcCall(server.url, 'auth.refresh', 'mutation', { refreshToken })),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 401, 401, 401, 401, 401]);
    const winner = results.find((r) => r.status === 200)?.body.result.data;
    const me = await trpcCall(server.url, 'auth.me', 'query', undefined, { token: winner?.accessToken });
    expect(me.status).toBe(200);
    const again = await trpcCall(server.url, 'auth.refresh', 'mutation', { refreshToken: winner?.refreshToken });
    expect(again.status).toBe(200);
  });

  it('refuses a reuse inside the grace window without revoking anything', async () => {
    const { refreshToken } = await register();
    const first = await trpcCall(server.url, 'auth.refresh', 'mutation', { refreshToken });
    const reuse = await trpcCall(server.url, 'auth.refresh', 'mutation', { refreshToken });
    expect(reuse.status).toBe(401);
    const newest = first.body.result.data;
    expect((await trpcCall(server.url, 'auth.me', 'query', undefined, { token: newest.accessToken })).status).toBe(200);
    expect((await trpcCall(server.url, 'auth.refresh', 'mutation', { refreshToken: newest.refreshToken })).status).toBe(
      200,
    );
  });

  it('revokes the whole family on a reuse after the grace window and audits it', async () => {
    const { refreshToken, user } = await register();
    const first = await trpcCall(server.url, 'auth.refresh', 'mutation', { refreshToken });
    const newest = first.body.result.data;
    // Age the rotation past the grace window instead of sleeping through it.
    const hash = createHash('sha256').update(refreshToken).digest('hex');
    await server.database.db
      .updateTable('refresh_tokens')
      .set({ rotated_at: sql<Date>`now() - interval '1 hour'` })
      .where('token_hash', '=', hash)
      .execute();

    const reuse = await trpcCall(server.url, 'auth.refresh', 'mutation', { refreshToken });
    expect(reuse.status).toBe(401);
    expect((await trpcCall(server.url, 'auth.refresh', 'mutation', { refreshToken: newest.refreshToken })).status).toBe(
      401,
    );
    expect((await trpcCall(server.url, 'auth.me', 'query', undefined, { token: newest.accessToken })).status).toBe(401);
    const events = await server.database.db
      .selectFrom('audit_events')
      .select(['action', 'actor_id'])
      .where('action', '=', 'auth.refresh_reuse_detected')
      .where('actor_id', '=', user.id)
      .execute();
    expect(events).toHaveLength(1);
  });

  it('refuses a junk refresh token with 401', async () => {
    for (const refreshToken of ['', 'x', 'a'.repeat(86).replace(/a$/, '!'), 'a'.repeat(500)]) {
      const res = await trpcCall(server.url, 'auth.refresh', 'mutation', { refreshToken });
      expect(res.status).toBe(401);
    }
  });
});

describe('access tokens', () => {
  const keyId = (secret: string) => createHash('sha256').update(secret).digest('hex').slice(0, 12);
  const key = (secret: string) => new TextEncoder().encode(secret);

  async function forge(
    secret: string,
    claims: { sub: string; sid: string },
    options: { alg?: string; aud?: string; exp?: number } = {},
  ) {
    return new SignJWT({ role: 'USER', sid: claims.sid })
      .setProtectedHeader({ alg: options.alg ?? 'HS256', kid: keyId(secret) })
      .setSubject(claims.sub)
      .setIssuer('keel')
      .setAudience(options.aud ?? 'keel-api')
      .setIssuedAt()
      .setExpirationTime(options.exp ?? Math.floor(Date.now() / 1000) + 600)
      .sign(key(secret));
  }

  function claimsOf(accessToken: string) {
    const payload = JSON.parse(Buffer.from(accessToken.split('.')[1] as string, 'base64url').toString());
    return { sub: payload.sub as string, sid: payload.sid as string };
  }

  it('refuses alg none, another algorithm, another secret, a past exp and a foreign aud', async () => {
    const { accessToken } = await register();
    const claims = claimsOf(accessToken);
    const [header, payload] = accessToken.split('.');
    const noneHeader = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const serverSecret = 'test-secret-test-secret-test-secret-0123456789';
    const tokens = {
      none: `${noneHeader}.${payload}.`,
      hs512: await forge(serverSecret, claims, { alg: 'HS512' }),
      otherSecret: await forge('another-secret-another-secret-0123456789', claims),
      expired: await forge(serverSecret, claims, { exp: Math.floor(Date.now() / 1000) - 60 }),
      foreignAudience: await forge(serverSecret, claims, { aud: 'someone-else' }),
      tamperedPayload: `${header}.${Buffer.from(JSON.stringify({ ...claims, role: 'ADMIN' })).toString('base64url')}.${accessToken.split('.')[2]}`,
    };
    for (const [name, token] of Object.entries(tokens)) {
      const res = await trpcCall(server.url, 'auth.me', 'query', undefined, { token });
      expect({ name, status: res.status }).toEqual({ name, status: 401 });
    }
    expect((await trpcCall(server.url, 'auth.me', 'query', undefined, { token: accessToken })).status).toBe(200);
  });

  it('accepts a token signed with JWT_ACCESS_SECRET_PREVIOUS', async () => {
    const { accessToken } = await register();
    const token = await forge(PREVIOUS_SECRET, claimsOf(accessToken));
    const res = await trpcCall(server.url, 'auth.me', 'query', undefined, { token });
    expect(res.status).toBe(200);
  });
});

describe('sessions', () => {
  async function loginAgain(address: string) {
    const res = await trpcCall(server.url, 'auth.login', 'mutation', { email: address, password: PASSWORD });
    return res.body.result.data as { accessToken: string; refreshToken: string };
  }

  it('lists sessions and marks the current one', async () => {
    const first = await register();
    const second = await loginAgain(first.user.email);
    const res = await trpcCall(server.url, 'auth.sessions', 'query', undefined, { token: second.accessToken });
    expect(res.body.result.data.items).toHaveLength(2);
    expect(res.body.result.data.items.filter((s: { current: boolean }) => s.current)).toHaveLength(1);
  });

  it('logoutAll ends every session at once', async () => {
    const first = await register();
    const second = await loginAgain(first.user.email);
    const res = await trpcCall(server.url, 'auth.logoutAll', 'mutation', undefined, { token: second.accessToken });
    expect(res.body.result.data).toEqual({ revokedSessions: 2 });
    for (const token of [first.accessToken, second.accessToken]) {
      expect((await trpcCall(server.url, 'auth.me', 'query', undefined, { token })).status).toBe(401);
    }
    expect((await trpcCall(server.url, 'auth.refresh', 'mutation', { refreshToken: first.refreshToken })).status).toBe(
      401,
    );
  });

  it('changePassword ends the other sessions, keeps this one, and the new password signs in', async () => {
    const first = await register();
    const second = await loginAgain(first.user.email);
    const res = await trpcCall(
      server.url,
      'auth.changePassword',
      'mutation',
      { currentPassword: PASSWORD, newPassword: 'N3w-password' },
      { token: second.accessToken },
    );
    expect(res.status).toBe(200);
    expect((await trpcCall(server.url, 'auth.me', 'query', undefined, { token: first.accessToken })).status).toBe(401);
    expect((await trpcCall(server.url, 'auth.me', 'query', undefined, { token: second.accessToken })).status).toBe(200);
    const oldLogin = await trpcCall(server.url, 'auth.login', 'mutation', {
      email: first.user.email,
      password: PASSWORD,
    });
    expect(oldLogin.status).toBe(401);
    const newLogin = await trpcCall(server.url, 'auth.login', 'mutation', {
      email: first.user.email,
      password: 'N3w-password',
    });
    expect(newLogin.status).toBe(200);
  });

  it('refuses changePassword with a wrong current password (400)', async () => {
    const { accessToken } = await register();
    const res = await trpcCall(
      server.url,
      'auth.changePassword',
      'mutation',
      { currentPassword: 'Wrong-pass1', newPassword: 'N3w-password' },
      { token: accessToken },
    );
    expect(res.status).toBe(400);
    expect(res.body.error.data.code).toBe('BAD_REQUEST');
  });

  it("revoking another user's session is 404, revoking one's own ends it", async () => {
    const alice = await register();
    const bob = await register();
    const bobSessions = await trpcCall(server.url, 'auth.sessions', 'query', undefined, { token: bob.accessToken });
    const bobSession = bobSessions.body.result.data.items[0]?.id;
    const foreign = await trpcCall(
      server.url,
      'auth.revokeSession',
      'mutation',
      { sessionId: bobSession },
      { token: alice.accessToken },
    );
    expect(foreign.status).toBe(404);
    expect((await trpcCall(server.url, 'auth.me', 'query', undefined, { token: bob.accessToken })).status).toBe(200);
    const own = await trpcCall(
      server.url,
      'auth.revokeSession',
      'mutation',
      { sessionId: bobSession },
      { token: bob.accessToken },
    );
    expect(own.status).toBe(200);
    expect((await trpcCall(server.url, 'auth.me', 'query', undefined, { token: bob.accessToken })).status).toBe(401);
  });
});

describe('secrets at rest and in logs', () => {
  it('stores only a hash of the refresh token and never logs a password or token', async () => {
    const address = email();
    const secretPassword = 'Sup3r-secret-pw';
    const res = await trpcCall(server.url, 'auth.register', 'mutation', {
      email: address,
      password: secretPassword,
      name: 'S',
    });
    const { refreshToken } = res.body.result.data;
    await trpcCall(server.url, 'auth.login', 'mutation', { email: address, password: secretPassword });
    await trpcCall(server.url, 'auth.refresh', 'mutation', { refreshToken });
    const user = await server.database.db
      .selectFrom('users')
      .select('password_hash')
      .where('email', '=', address)
      .executeTakeFirstOrThrow();
    expect(user.password_hash).toMatch(/^\$argon2id\$/);
    expect(user.password_hash).not.toContain(secretPassword);
    const stored = await server.database.db.selectFrom('refresh_tokens').select('token_hash').execute();
    expect(stored.map((r) => r.token_hash)).not.toContain(refreshToken);
    expect(stored.map((r) => r.token_hash)).toContain(createHash('sha256').update(refreshToken).digest('hex'));
    const logs = JSON.stringify(server.logs);
    expect(logs).not.toContain(secretPassword);
    expect(logs).not.toContain(refreshToken);
  });
});
