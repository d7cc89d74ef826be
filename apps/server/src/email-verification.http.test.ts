// REQUIRE_EMAIL_VERIFICATION over HTTP: a new account signs in but is refused 403 EMAIL_NOT_VERIFIED
// on REST and tRPC alike until it follows the link mailed to it (through a real SMTP server); then
// the access token it already holds is served.
import { linkToken, type OutputAt, startTestSmtpServer, type TestSmtpServer } from '@keel/api/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RestErrorBody, readJson } from './testing/bodies.js';
import { startTestServer, type TestServer, trpcCall } from './testing/server.js';

const PUBLIC_URL = 'https://dashboard.keel.test';
const PASSWORD = 'Passw0rd!';
const REFUSAL = 'Confirm your email address first: follow the link we mailed you, or ask for a new one';
let smtp: TestSmtpServer;
let server: TestServer;
let counter = 0;
const email = () => `unverified${++counter}-${Date.now()}@example.com`;

interface Answer<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** `METHOD /api<path>` as a REST client sends it, with the bearer token when given. */
async function rest<T = unknown>(
  method: 'GET' | 'POST' | 'PATCH',
  path: string,
  options: { body?: unknown; token?: string } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (method !== 'GET') headers['content-type'] = 'application/json';
  const response = await fetch(`${server.url}/api${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  return { status: response.status, headers: response.headers, body: await readJson<T>(response) };
}

/** Signs up over REST: the account, its access token and its address. */
async function signUp() {
  const address = email();
  const res = await rest<OutputAt<'auth.register'>>('POST', '/auth/register', {
    body: { email: address, password: PASSWORD, name: 'Una' },
  });
  expect(res.status).toBe(200);
  return { address, accessToken: res.body.accessToken };
}

/** Follows the verification link mailed to `address`, as the dashboard's /verify-email page does. */
async function followVerificationLink(address: string) {
  const mail = await smtp.next((received) => received.to === address && /confirm your email/i.test(received.subject));
  const verified = await rest('POST', '/auth/verify-email', {
    body: { token: linkToken(mail.text, PUBLIC_URL, '/verify-email') },
  });
  expect(verified).toMatchObject({ status: 200, body: { success: true } });
}

beforeAll(async () => {
  smtp = await startTestSmtpServer();
  server = await startTestServer({ SMTP_URL: smtp.url, PUBLIC_URL, REQUIRE_EMAIL_VERIFICATION: 'true' });
});
afterAll(async () => {
  await server?.close();
  await smtp?.close();
});

describe('with REQUIRE_EMAIL_VERIFICATION=true', () => {
  it('refuses an unverified account GET /api/projects with 403 EMAIL_NOT_VERIFIED in the REST envelope', async () => {
    const { accessToken } = await signUp();
    const refused = await rest<RestErrorBody>('GET', '/projects', { token: accessToken });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toEqual({ code: 'EMAIL_NOT_VERIFIED', message: REFUSAL });
    expect(refused.body.meta.path).toBe('/api/projects');
    expect(refused.body.meta.requestId).toBe(refused.headers.get('x-request-id'));
  });

  it('refuses it projects.list over tRPC with the same code at error.data.code and httpStatus 403', async () => {
    const { accessToken } = await signUp();
    const refused = await trpcCall(server.url, 'projects.list', 'query', {}, { token: accessToken });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe(REFUSAL);
    expect(refused.body.error.data).toMatchObject({
      code: 'EMAIL_NOT_VERIFIED',
      httpStatus: 403,
      path: 'projects.list',
    });
  });

  it('still lets an unverified account sign in, read /api/auth/me and rename itself', async () => {
    const { address, accessToken } = await signUp();
    const current = await rest<OutputAt<'auth.me'>>('GET', '/auth/me', { token: accessToken });
    expect(current.status).toBe(200);
    expect(current.body).toMatchObject({ email: address, emailVerified: false });
    const renamed = await rest<OutputAt<'users.updateProfile'>>('PATCH', '/users/me', {
      token: accessToken,
      body: { name: 'Una Waiting' },
    });
    expect(renamed).toMatchObject({ status: 200, body: { name: 'Una Waiting' } });
    const signedIn = await rest('POST', '/auth/login', { body: { email: address, password: PASSWORD } });
    expect(signedIn.status).toBe(200);
  });

  it('serves GET /api/projects once the mailed link is followed, with the access token issued before', async () => {
    const { address, accessToken } = await signUp();
    expect((await rest('GET', '/projects', { token: accessToken })).status).toBe(403);

    await followVerificationLink(address);

    const served = await rest<OutputAt<'projects.list'>>('GET', '/projects', { token: accessToken });
    expect(served).toMatchObject({ status: 200, body: { items: [] } });
    const viaTrpc = await trpcCall(server.url, 'projects.list', 'query', {}, { token: accessToken });
    expect(viaTrpc.status).toBe(200);
    const current = await rest<OutputAt<'auth.me'>>('GET', '/auth/me', { token: accessToken });
    expect(current.body.emailVerified).toBe(true);
  });
});
