// TRUST_PROXY through a real proxy: a client behind it cannot choose the IP that per-IP limits count
// and that sessions and audit events store, whatever X-Forwarded-For it sends.
import { request } from 'node:http';
import type { OutputAt, TrpcEnvelope } from '@keel/api/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ForwardingProxy, startForwardingProxy } from './testing/forwarding-proxy.js';
import { startTestServer, type TestServer } from './testing/server.js';

/**
 * Other loopback addresses: the client connects from one of them, so the address the proxy saw
 * differs from the proxy's own. One per test, so that their rate limits are their own.
 */
const CLIENT_ADDRESS = '127.0.0.2';
const LIMITED_CLIENT_ADDRESS = '127.0.0.3';
const PASSWORD = 'Passw0rd!';
const SPOOFED = ['6.6.6.6', '<script>alert(1)</script>', 'x'.repeat(6000), '6.6.6.6, 7.7.7.7', '::1'];

let counter = 0;
const email = () => `proxied${++counter}-${Date.now()}@example.com`;

/** POSTs a tRPC mutation from `localAddress` (fetch cannot choose its local address). */
function mutationFrom<P extends string>(
  localAddress: string,
  baseUrl: string,
  path: P,
  input: unknown,
  forwardedFor?: string,
): Promise<{ status: number; body: TrpcEnvelope<OutputAt<P>> }> {
  const url = new URL(`${baseUrl}/trpc/${path}`);
  const body = JSON.stringify(input);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (forwardedFor !== undefined) headers['x-forwarded-for'] = forwardedFor;
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress,
        headers,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          text += chunk;
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as TrpcEnvelope<OutputAt<P>> }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function registerFrom(baseUrl: string, forwardedFor?: string, localAddress = CLIENT_ADDRESS) {
  return mutationFrom(
    localAddress,
    baseUrl,
    'auth.register',
    { email: email(), password: PASSWORD, name: 'P' },
    forwardedFor,
  );
}

/** The IPs stored for a user's sessions and for the audit events about them. */
async function storedIps(server: TestServer, userId: string) {
  const { db } = server.database;
  const sessions = await db.selectFrom('sessions').select('ip').where('user_id', '=', userId).execute();
  const audit = await db.selectFrom('audit_events').select('ip').where('actor_id', '=', userId).execute();
  return { sessions: sessions.map((r) => r.ip), audit: audit.map((r) => r.ip) };
}

describe('TRUST_PROXY=1 behind a proxy that appends to X-Forwarded-For', () => {
  let server: TestServer;
  let proxy: ForwardingProxy;
  beforeAll(async () => {
    server = await startTestServer({ TRUST_PROXY: '1', RATE_LIMIT_MULTIPLIER: '1' });
    proxy = await startForwardingProxy(server.url);
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.close();
  });

  it('stores the address the proxy saw as the session and audit IP, whatever the client claims', async () => {
    for (const claimed of SPOOFED) {
      const res = await registerFrom(proxy.url, claimed);
      expect(res.status).toBe(200);
      expect(await storedIps(server, res.body.result.data.user.id)).toEqual({
        sessions: [CLIENT_ADDRESS],
        audit: [CLIENT_ADDRESS],
      });
    }
  });

  it('counts a client as one against the per-IP auth limit however its X-Forwarded-For varies', async () => {
    // The `auth` rule allows 50 calls per IP in 15 minutes (RATE_LIMIT_MULTIPLIER=1).
    const statuses: number[] = [];
    for (let i = 0; i < 51; i++) {
      const claimed = i % 2 === 0 ? `6.6.6.${i}` : (SPOOFED[i % SPOOFED.length] as string);
      statuses.push((await registerFrom(proxy.url, claimed, LIMITED_CLIENT_ADDRESS)).status);
    }
    expect(statuses).toEqual([...Array<number>(50).fill(200), 429]);
  });
});

describe('TRUST_PROXY=true (every hop trusted)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ TRUST_PROXY: 'true' });
  });
  afterAll(async () => {
    await server?.close();
  });

  it.each([
    ['markup', '<script>alert(1)</script>'],
    ['6 000 characters', 'x'.repeat(6000)],
    ['an address with a port', '6.6.6.6:80'],
  ])('stores the socket address when the forwarded client address is %s, never the text', async (_, claimed) => {
    const res = await registerFrom(server.url, claimed);
    expect(res.status).toBe(200);
    expect(await storedIps(server, res.body.result.data.user.id)).toEqual({
      sessions: [CLIENT_ADDRESS],
      audit: [CLIENT_ADDRESS],
    });
  });
});

describe('TRUST_PROXY as a list of proxy addresses', () => {
  let server: TestServer;
  let proxy: ForwardingProxy;
  beforeAll(async () => {
    server = await startTestServer({ TRUST_PROXY: '127.0.0.1, 10.0.0.0/8' });
    proxy = await startForwardingProxy(server.url);
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.close();
  });

  it('believes the listed proxy about its client, and nothing a client sends directly', async () => {
    const proxied = await registerFrom(proxy.url, '6.6.6.6');
    expect(await storedIps(server, proxied.body.result.data.user.id)).toEqual({
      sessions: [CLIENT_ADDRESS],
      audit: [CLIENT_ADDRESS],
    });
    const direct = await registerFrom(server.url, '6.6.6.6');
    expect(await storedIps(server, direct.body.result.data.user.id)).toEqual({
      sessions: [CLIENT_ADDRESS],
      audit: [CLIENT_ADDRESS],
    });
  });
});
