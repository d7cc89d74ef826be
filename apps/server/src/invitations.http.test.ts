// Invitations over HTTP on a server with SIGNUP_MODE=invite: an admin invites over tRPC, the mail
// leaves through a real SMTP server, and the invitee previews and accepts the link on the public
// REST routes, while signing up without an invitation is refused.
import { linkToken, type OutputAt, startTestSmtpServer, type TestSmtpServer, tokensOf } from '@keel/api/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJson } from './testing/bodies.js';
import { startTestServer, type TestServer, trpcCall } from './testing/server.js';

const PUBLIC_URL = 'https://dashboard.keel.test';
const ADMIN = { email: 'invitations-admin@example.com', password: 'Adm1n-Passw0rd' };
const PASSWORD = 'Inv1ted-Passw0rd';
let smtp: TestSmtpServer;
let server: TestServer;
let adminToken: string;
let counter = 0;
const email = () => `invitee${++counter}-${Date.now()}@example.com`;

interface ErrorBody {
  error: { code: string; message: string };
}

beforeAll(async () => {
  smtp = await startTestSmtpServer();
  server = await startTestServer({
    SMTP_URL: smtp.url,
    PUBLIC_URL,
    SIGNUP_MODE: 'invite',
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
  });
  const login = await trpcCall(server.url, 'auth.login', 'mutation', ADMIN);
  expect(login.status).toBe(200);
  adminToken = tokensOf(login.body.result.data).accessToken;
});
afterAll(async () => {
  await server?.close();
  await smtp?.close();
});

async function post<T>(path: string, body: unknown) {
  const response = await fetch(`${server.url}/api${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: await readJson<T>(response) };
}

async function getInvitation<T>(token: string) {
  const response = await fetch(`${server.url}/api/auth/invitation?${new URLSearchParams({ token })}`);
  return { status: response.status, body: await readJson<T>(response) };
}

/** Invites `address` as `role` over tRPC and returns the token of the mailed link. */
async function invite(address: string, role: 'ADMIN' | 'USER' | 'GUEST') {
  const created = await trpcCall(
    server.url,
    'admin.invitations.create',
    'mutation',
    { email: address, role },
    {
      token: adminToken,
    },
  );
  expect(created.status).toBe(200);
  const mail = await smtp.next((received) => received.to === address && /invited to Keel/i.test(received.subject));
  return { id: created.body.result.data.id, token: linkToken(mail.text, PUBLIC_URL, '/invite') };
}

describe('invitations over REST', () => {
  it('GET /api/auth/invitation previews the link, POST /api/auth/accept-invitation creates the account and signs in', async () => {
    const address = email();
    const { token } = await invite(address, 'GUEST');

    const preview = await getInvitation<OutputAt<'auth.invitation'>>(token);
    expect(preview).toMatchObject({
      status: 200,
      body: { email: address, role: 'GUEST', invitedBy: { name: 'Administrator' } },
    });

    const accepted = await post<OutputAt<'auth.acceptInvitation'>>('/auth/accept-invitation', {
      token,
      name: 'Gus Guest',
      password: PASSWORD,
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body.user).toMatchObject({ email: address, role: 'GUEST', emailVerified: true });
    expect(accepted.headers.getSetCookie().some((cookie) => cookie.startsWith('keel_rt='))).toBe(true);
    const me = await trpcCall(server.url, 'auth.me', 'query', undefined, { token: accepted.body.accessToken });
    expect(me.body.result.data).toMatchObject({ email: address, role: 'GUEST' });

    // The link worked once.
    const again = await post<ErrorBody>('/auth/accept-invitation', { token, name: 'Again', password: PASSWORD });
    expect(again.status).toBe(404);
    expect(again.body.error).toEqual({ code: 'NOT_FOUND', message: 'This invitation is no longer valid' });
    expect((await getInvitation<ErrorBody>(token)).status).toBe(404);
  });

  it('a revoked invitation answers 404 on both routes', async () => {
    const { id, token } = await invite(email(), 'USER');
    const revoked = await trpcCall(server.url, 'admin.invitations.revoke', 'mutation', { id }, { token: adminToken });
    expect(revoked.status).toBe(200);
    expect((await getInvitation<ErrorBody>(token)).body.error.code).toBe('NOT_FOUND');
    expect((await post('/auth/accept-invitation', { token, name: 'Late', password: PASSWORD })).status).toBe(404);
  });

  it('with SIGNUP_MODE=invite, POST /api/auth/register answers 403 with the reason', async () => {
    const res = await post<ErrorBody>('/auth/register', { email: email(), password: PASSWORD, name: 'Walk In' });
    expect(res.status).toBe(403);
    expect(res.body.error).toEqual({
      code: 'FORBIDDEN',
      message: 'Sign-up is by invitation only: ask an administrator for an invitation',
    });
  });
});
