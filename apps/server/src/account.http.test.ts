// The account lifecycle over HTTP: mail leaves through a real SMTP server, and the links read out of
// it finish each flow on the public REST routes; without SMTP_URL the same mail lands in the outbox.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  linkToken,
  type OutputAt,
  type ReceivedMail,
  startTestSmtpServer,
  type TestSmtpServer,
  tokensOf,
  until,
} from '@keel/api/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RestErrorBody, readJson } from './testing/bodies.js';
import { startIsolatedChildServer, startTestServer, type TestServer, trpcCall } from './testing/server.js';

/** The dashboard's origin: not the server's own address, so a link can only have come from here. */
const PUBLIC_URL = 'https://dashboard.keel.test';
const PASSWORD = 'Passw0rd!';
const NEW_PASSWORD = 'N3w-Passw0rd!';
let smtp: TestSmtpServer;
let server: TestServer;
let counter = 0;
const email = () => `account${++counter}-${Date.now()}@example.com`;

interface Answer<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** `POST /api<path>` as JSON, as a REST client sends it. */
async function post<T = unknown>(
  path: string,
  body?: unknown,
  options: { token?: string; cookie?: string } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.cookie) headers.cookie = options.cookie;
  const response = await fetch(`${server.url}/api${path}`, {
    method: 'POST',
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: await readJson<T>(response) };
}

/** Signs up over REST; returns the session and the refresh cookie the server set. */
async function signUp(address = email()) {
  const res = await post<OutputAt<'auth.register'>>('/auth/register', {
    email: address,
    password: PASSWORD,
    name: 'Ada',
  });
  expect(res.status).toBe(200);
  return { ...res.body, cookie: refreshCookie(res.headers) };
}

/** `keel_rt=…`, the refresh cookie an answer set. */
function refreshCookie(headers: Headers): string {
  const cookie = headers
    .getSetCookie()
    .map((header) => /^keel_rt=[^;]+/.exec(header)?.[0])
    .find(Boolean);
  if (!cookie) throw new Error('no keel_rt cookie was set');
  return cookie;
}

const mailTo = (address: string, subject: RegExp) => (mail: ReceivedMail) =>
  mail.to === address && subject.test(mail.subject);

/** Every http(s) link in a message, in its text and its HTML parts. */
function linksIn(mail: ReceivedMail): string[] {
  return [...`${mail.text}\n${mail.html}`.matchAll(/https?:\/\/[^\s"<>&]+/g)].map((match) => match[0]);
}

/**
 * `POST /api<path>` as JSON from a client that names another host, directly and as a trusted proxy
 * would forward it (fetch cannot set Host, so node:http sends it); resolves with the status.
 */
function postFromForgedHost(path: string, body: unknown, token?: string): Promise<number> {
  const url = new URL(server.url);
  return new Promise<number>((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: `/api${path}`,
        headers: {
          host: 'evil.test',
          'x-forwarded-host': 'evil.test',
          'x-forwarded-proto': 'http',
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** Every link of the mail points into the dashboard at PUBLIC_URL, and nothing names the forged host. */
function expectLinksUnderPublicUrl(mail: ReceivedMail) {
  const links = linksIn(mail);
  expect(links.length).toBeGreaterThan(0);
  for (const link of links) expect(link.startsWith(`${PUBLIC_URL}/`)).toBe(true);
  expect(`${mail.text}${mail.html}`).not.toContain('evil.test');
}

async function me(token: string) {
  const res = await trpcCall(server.url, 'auth.me', 'query', undefined, { token });
  expect(res.status).toBe(200);
  return res.body.result.data;
}

beforeAll(async () => {
  smtp = await startTestSmtpServer();
  // TRUST_PROXY: even the forwarded headers of a trusted proxy never choose where links point.
  server = await startTestServer({ SMTP_URL: smtp.url, PUBLIC_URL, TRUST_PROXY: 'true' });
});
afterAll(async () => {
  await server?.close();
  await smtp?.close();
});

describe('email verification', () => {
  it('registration mails a link under PUBLIC_URL whose token, posted to /api/auth/verify-email, verifies the address', async () => {
    const address = email();
    const registered = await trpcCall(server.url, 'auth.register', 'mutation', {
      email: address,
      password: PASSWORD,
      name: 'Vera',
    });
    expect(registered.status).toBe(200);
    const { accessToken } = registered.body.result.data;
    expect((await me(accessToken)).emailVerified).toBe(false);

    const mail = await smtp.next(mailTo(address, /confirm your email/i));
    expect(mail.text).toContain(`${PUBLIC_URL}/verify-email?token=`);
    expect(mail.html).toContain(`${PUBLIC_URL}/verify-email?token=`);
    const token = linkToken(mail.text, PUBLIC_URL, '/verify-email');

    // Opening the link (a mail scanner does) shows the dashboard's page; only the POST consumes it.
    await (await fetch(`${server.url}/verify-email?token=${token}`)).arrayBuffer();
    const verified = await post('/auth/verify-email', { token });
    expect(verified).toMatchObject({ status: 200, body: { success: true } });
    expect((await me(accessToken)).emailVerified).toBe(true);

    const again = await post<{ error: { code: string; message: string } }>('/auth/verify-email', { token });
    expect(again.status).toBe(400);
    expect(again.body.error.message).toMatch(/no longer valid/);
  });

  it('a link from /api/auth/resend-verification voids the one mailed before it', async () => {
    const address = email();
    const { accessToken } = await signUp(address);
    const first = linkToken((await smtp.next(mailTo(address, /confirm/i))).text, PUBLIC_URL, '/verify-email');

    const resent = await post('/auth/resend-verification', undefined, { token: accessToken });
    expect(resent).toMatchObject({ status: 200, body: { success: true } });
    const second = linkToken((await smtp.next(mailTo(address, /confirm/i))).text, PUBLIC_URL, '/verify-email');
    expect(second).not.toBe(first);

    expect((await post('/auth/verify-email', { token: first })).status).toBe(400);
    expect((await me(accessToken)).emailVerified).toBe(false);
    expect((await post('/auth/verify-email', { token: second })).status).toBe(200);
    expect((await me(accessToken)).emailVerified).toBe(true);
  });
});

describe('password reset', () => {
  it('a mailed reset link sets a new password, signs every session out and refuses the old refresh cookie', async () => {
    const address = email();
    const session = await signUp(address);
    // A live refresh cookie: the one the last refresh set.
    const refreshed = await post('/auth/refresh', undefined, { cookie: session.cookie });
    expect(refreshed.status).toBe(200);
    const cookie = refreshCookie(refreshed.headers);

    const requested = await post('/auth/request-password-reset', { email: address });
    expect(requested).toMatchObject({ status: 200, body: { success: true } });
    const mail = await smtp.next(mailTo(address, /reset your keel password/i));
    const token = linkToken(mail.text, PUBLIC_URL, '/reset-password');

    const reset = await post('/auth/reset-password', { token, newPassword: NEW_PASSWORD });
    expect(reset).toMatchObject({ status: 200, body: { success: true } });

    const signedIn = await post<OutputAt<'auth.login'>>('/auth/login', { email: address, password: NEW_PASSWORD });
    expect(signedIn.status).toBe(200);
    expect((await me(tokensOf(signedIn.body).accessToken)).email).toBe(address);
    expect((await post('/auth/login', { email: address, password: PASSWORD })).status).toBe(401);
    expect((await post('/auth/refresh', undefined, { cookie })).status).toBe(401);
    const oldAccess = await trpcCall(server.url, 'auth.me', 'query', undefined, { token: session.accessToken });
    expect(oldAccess.status).toBe(401);
    // The link worked once; the address it reached is now proven, and its owner is told.
    expect((await post('/auth/reset-password', { token, newPassword: 'An0ther-Passw0rd' })).status).toBe(400);
    expect((await me(tokensOf(signedIn.body).accessToken)).emailVerified).toBe(true);
    const notice = await smtp.next(mailTo(address, /password was changed/i));
    expect(notice.text).toMatch(/reset/);
  });

  it('a weak new password is refused without spending the link', async () => {
    const address = email();
    await signUp(address);
    await post('/auth/request-password-reset', { email: address });
    const token = linkToken((await smtp.next(mailTo(address, /reset/i))).text, PUBLIC_URL, '/reset-password');
    const weak = await post<{ error: { code: string } }>('/auth/reset-password', { token, newPassword: 'short' });
    expect(weak.status).toBe(400);
    expect(weak.body.error.code).toBe('VALIDATION_ERROR');
    expect((await post('/auth/reset-password', { token, newPassword: NEW_PASSWORD })).status).toBe(200);
  });

  it('answers an unknown address exactly as a known one, and mails it nothing', async () => {
    const known = email();
    await signUp(known);
    const unknown = email();
    const forUnknown = await post('/auth/request-password-reset', { email: unknown });
    const forKnown = await post('/auth/request-password-reset', { email: known });
    expect(forUnknown.status).toBe(forKnown.status);
    expect(forUnknown.body).toEqual(forKnown.body);
    // One queue, worked in order: once the later request's mail is here, the earlier one was handled.
    await smtp.next(mailTo(known, /reset/i));
    expect(smtp.received.filter((mail) => mail.to === unknown)).toEqual([]);
  });

  it('builds links from PUBLIC_URL, whatever Host and X-Forwarded-Host the request carries', async () => {
    const address = email();
    await signUp(address);
    expect(await postFromForgedHost('/auth/request-password-reset', { email: address })).toBe(200);
    expectLinksUnderPublicUrl(await smtp.next(mailTo(address, /reset/i)));
  });
});

describe('email change', () => {
  const CHANGE_LINK = /confirm your new email address for keel/i;
  const ASKED_NOTICE = /change of your keel email address was asked for/i;
  const DONE_NOTICE = /your keel email address was changed/i;

  it('a link mailed to the new address moves the account there over REST, verified, and tells the old one', async () => {
    const oldAddress = email();
    const newAddress = email();
    const { accessToken } = await signUp(oldAddress);

    const requested = await post(
      '/auth/request-email-change',
      { newEmail: newAddress, currentPassword: PASSWORD },
      { token: accessToken },
    );
    expect(requested).toMatchObject({ status: 200, body: { success: true } });
    const mail = await smtp.next(mailTo(newAddress, CHANGE_LINK));
    expect(mail.html).toContain(`${PUBLIC_URL}/confirm-email?token=`);
    const token = linkToken(mail.text, PUBLIC_URL, '/confirm-email');
    const asked = await smtp.next(mailTo(oldAddress, ASKED_NOTICE));
    expect(asked.text).toContain(newAddress);
    // Until the link is followed the account keeps its address.
    expect((await me(accessToken)).email).toBe(oldAddress);

    const confirmed = await post('/auth/confirm-email-change', { token });
    expect(confirmed).toMatchObject({ status: 200, body: { success: true } });

    const current = await fetch(`${server.url}/api/auth/me`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(current.status).toBe(200);
    expect(await readJson<OutputAt<'auth.me'>>(current)).toMatchObject({ email: newAddress, emailVerified: true });
    const done = await smtp.next(mailTo(oldAddress, DONE_NOTICE));
    expect(done.text).toContain(newAddress);

    const signedIn = await post<OutputAt<'auth.login'>>('/auth/login', { email: newAddress, password: PASSWORD });
    expect(signedIn.status).toBe(200);
    expect((await me(tokensOf(signedIn.body).accessToken)).email).toBe(newAddress);
    expect((await post('/auth/login', { email: oldAddress, password: PASSWORD })).status).toBe(401);
    const again = await post<{ error: { message: string } }>('/auth/confirm-email-change', { token });
    expect(again.status).toBe(400);
    expect(again.body.error.message).toMatch(/no longer valid/);
  });

  it('the same change works over the tRPC wire format', async () => {
    const oldAddress = email();
    const newAddress = email();
    const { accessToken } = await signUp(oldAddress);

    const requested = await trpcCall(
      server.url,
      'auth.requestEmailChange',
      'mutation',
      { newEmail: newAddress, currentPassword: PASSWORD },
      { token: accessToken },
    );
    expect(requested.status).toBe(200);
    expect(requested.body.result.data).toEqual({ success: true });
    const token = linkToken((await smtp.next(mailTo(newAddress, CHANGE_LINK))).text, PUBLIC_URL, '/confirm-email');

    const confirmed = await trpcCall(server.url, 'auth.confirmEmailChange', 'mutation', { token });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.result.data).toEqual({ success: true });
    expect(await me(accessToken)).toMatchObject({ email: newAddress, emailVerified: true });
    const signedIn = await trpcCall(server.url, 'auth.login', 'mutation', { email: newAddress, password: PASSWORD });
    expect(signedIn.status).toBe(200);
  });

  it('a wrong current password is refused with 400 and the address stays', async () => {
    const oldAddress = email();
    const { accessToken } = await signUp(oldAddress);
    const refused = await post<RestErrorBody>(
      '/auth/request-email-change',
      { newEmail: email(), currentPassword: 'Wr0ng-Passw0rd' },
      { token: accessToken },
    );
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'BAD_REQUEST', message: 'Current password is incorrect' });
    expect((await me(accessToken)).email).toBe(oldAddress);
  });

  it('builds the change link and the notice from PUBLIC_URL, whatever Host the request carries', async () => {
    const oldAddress = email();
    const newAddress = email();
    const { accessToken } = await signUp(oldAddress);
    const status = await postFromForgedHost(
      '/auth/request-email-change',
      { newEmail: newAddress, currentPassword: PASSWORD },
      accessToken,
    );
    expect(status).toBe(200);
    const mail = await smtp.next(mailTo(newAddress, CHANGE_LINK));
    expectLinksUnderPublicUrl(mail);
    expect(mail.text).toContain(`${PUBLIC_URL}/confirm-email?token=`);
    expectLinksUnderPublicUrl(await smtp.next(mailTo(oldAddress, ASKED_NOTICE)));
  });
});

describe('without SMTP_URL', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    while (cleanups.length > 0) await cleanups.pop()?.();
  });

  it('writes each mail as an .eml file under DATA_DIR/outbox and logs its link at info', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'keel-outbox-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const child = await startIsolatedChildServer({ DATA_DIR: dataDir, LOG_LEVEL: 'info', PUBLIC_URL }, (step) =>
      cleanups.push(step),
    );
    const address = email();
    const registered = await trpcCall(child.url, 'auth.register', 'mutation', {
      email: address,
      password: PASSWORD,
      name: 'Otto',
    });
    expect(registered.status).toBe(200);

    const logged = await until(
      () =>
        child
          .output()
          .split('\n')
          .filter((line) => line.includes('mail written to the outbox'))
          .map((line) => JSON.parse(line) as { level: number; to: string; file: string; links: string[] })
          .find((entry) => entry.to === address),
      Boolean,
      30_000,
    );
    if (!logged) throw new Error('unreachable: until returned no log entry');
    expect(logged.level).toBe(30);
    const outbox = join(dataDir, 'outbox');
    expect(logged.file.startsWith(`${outbox}/`)).toBe(true);
    expect(readdirSync(outbox).filter((name) => name.endsWith('.eml'))).toHaveLength(1);

    // The file is the MIME message a mail client opens (quoted-printable decoded here).
    const eml = readFileSync(logged.file, 'utf8')
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
    expect(eml).toMatch(new RegExp(`^To: ${address.replace(/[.]/g, '\\.')}$`, 'm'));
    expect(eml).toMatch(/^Subject: Confirm your email address for Keel$/m);
    const token = linkToken(logged.links.join('\n'), PUBLIC_URL, '/verify-email');
    expect(eml).toContain(`${PUBLIC_URL}/verify-email?token=${token}`);

    // The logged link is all a developer needs to finish the flow.
    const verify = await fetch(`${child.url}/api/auth/verify-email`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token }),
    });
    expect(verify.status).toBe(200);
    const me = await trpcCall(child.url, 'auth.me', 'query', undefined, {
      token: registered.body.result.data.accessToken,
    });
    expect(me.body.result.data.emailVerified).toBe(true);
  });
});
