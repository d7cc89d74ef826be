// GET /api/admin/audit.csv on a real server: the filtered log as a CSV download for admins only,
// quoted and safe to open in a spreadsheet, bounded, and every refusal in the /api error envelope.
import { parseCsv, tokensOf } from '@keel/api/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer, trpcCall } from './testing/server.js';

const PASSWORD = 'Passw0rd!';
const ADMIN = { email: 'export-admin@example.com', password: 'Adm1n-Passw0rd' };
const MAX_ROWS = 5;
const PATH = '/api/admin/audit.csv';
let server: TestServer;
let adminToken: string;
let adminId: string;
let counter = 0;

beforeAll(async () => {
  server = await startTestServer({
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    AUDIT_EXPORT_MAX_ROWS: String(MAX_ROWS),
  });
  const login = await trpcCall(server.url, 'auth.login', 'mutation', ADMIN);
  expect(login.status).toBe(200);
  ({
    accessToken: adminToken,
    user: { id: adminId },
  } = tokensOf(login.body.result.data));
});
afterAll(async () => {
  await server?.close();
});

async function signUp(name: string) {
  const email = `export${++counter}-${Date.now()}@example.com`;
  const res = await trpcCall(server.url, 'auth.register', 'mutation', { email, password: PASSWORD, name });
  expect(res.status).toBe(200);
  return { email, id: res.body.result.data.user.id as string, token: res.body.result.data.accessToken as string };
}

async function download(query: Record<string, string>, token?: string) {
  const response = await fetch(`${server.url}${PATH}?${new URLSearchParams(query)}`, {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  return { response, text: await response.text() };
}

function expectEnvelope(res: { response: Response; text: string }, status: number, code: string) {
  expect(res.response.status).toBe(status);
  expect(res.response.headers.get('content-type')).toMatch(/^application\/json/);
  const body = JSON.parse(res.text);
  expect(Object.keys(body).sort()).toEqual(['error', 'meta']);
  expect(body.error.code).toBe(code);
  expect(body.meta.path).toBe(PATH);
  expect(body.meta.requestId).toBe(res.response.headers.get('x-request-id'));
  return body;
}

describe('GET /api/admin/audit.csv', () => {
  it('gives an admin the filtered events as a CSV attachment, quoted and with formula cells neutralised', async () => {
    const user = await signUp('=HYPERLINK("x")');
    const grant = await trpcCall(
      server.url,
      'admin.credits.grant',
      'mutation',
      { userId: user.id, amount: 3, reason: 'Refund, "late"\nsecond line' },
      { token: adminToken, headers: { 'x-request-id': '-1-1' } },
    );
    expect(grant.status).toBe(200);
    // Somebody else's event must not be in the file.
    await signUp('Noise');

    const { response, text } = await download({ userId: user.id }, adminToken);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="keel-audit-\d{8}T\d{6}Z\.csv"$/,
    );
    expect(response.headers.get('cache-control')).toBe('no-store');
    // Streamed as it is read: no length known up front.
    expect(response.headers.get('content-length')).toBeNull();

    const [header, ...rows] = parseCsv(text);
    expect(header).toEqual([
      'id',
      'at',
      'action',
      'actorId',
      'actorEmail',
      'actorName',
      'targetType',
      'targetId',
      'ip',
      'requestId',
      'metadata',
    ]);
    expect(rows.map((row) => row[2])).toEqual(['credits.grant', 'auth.register']);
    const [granted, registered] = rows;
    expect([granted?.[3], granted?.[4], granted?.[6], granted?.[7]]).toEqual([adminId, ADMIN.email, 'user', user.id]);
    expect(granted?.[9]).toBe("'-1-1");
    expect(JSON.parse(granted?.[10] ?? '')).toMatchObject({ amount: 3, reason: 'Refund, "late"\nsecond line' });
    expect(registered?.slice(3, 6)).toEqual([user.id, user.email, `'=HYPERLINK("x")`]);
    // In the raw text the name is one quoted field whose quotes are doubled.
    expect(text).toContain(`,"'=HYPERLINK(""x"")",`);

    const exports = await trpcCall(
      server.url,
      'admin.audit.list',
      'query',
      { action: 'admin.audit_exported', limit: 1 },
      { token: adminToken },
    );
    expect(exports.body.result.data.items[0]?.metadata).toEqual({ filters: { userId: user.id }, maxRows: MAX_ROWS });
  });

  it('stops at AUDIT_EXPORT_MAX_ROWS and says so in a last line', async () => {
    const user = await signUp('Many Logins');
    for (let i = 0; i < MAX_ROWS + 2; i += 1) {
      const login = await trpcCall(server.url, 'auth.login', 'mutation', { email: user.email, password: PASSWORD });
      expect(login.status).toBe(200);
    }
    const { response, text } = await download({ userId: user.id, action: 'auth.login' }, adminToken);
    expect(response.status).toBe(200);
    const records = parseCsv(text);
    expect(records).toHaveLength(1 + MAX_ROWS + 1);
    expect(records.slice(1, -1).every((row) => row[2] === 'auth.login')).toBe(true);
    expect(records.at(-1)).toEqual([
      `# truncated: more than ${MAX_ROWS} events match; narrow the filters (from, to) to export the rest`,
    ]);
  });

  it('filters by target and time range, and refuses a reversed range as VALIDATION_ERROR', async () => {
    const user = await signUp('Range');
    const future = await download({ targetId: user.id, from: '2999-01-01T00:00:00Z' }, adminToken);
    expect(parseCsv(future.text)).toHaveLength(1);
    const past = await download({ targetId: user.id, to: new Date(Date.now() + 60_000).toISOString() }, adminToken);
    expect(parseCsv(past.text).map((row) => row[2])).toEqual(['action', 'auth.register']);

    const reversed = await download({ from: '2030-01-02T00:00:00Z', to: '2030-01-01T00:00:00Z' }, adminToken);
    const body = expectEnvelope(reversed, 400, 'VALIDATION_ERROR');
    expect(body.error.details).toEqual([{ field: 'to', message: expect.any(String) }]);
  });

  it('answers 401 without a valid token and 403 to a USER, in the /api envelope', async () => {
    const user = await signUp('Plain User');
    expectEnvelope(await download({}), 401, 'UNAUTHORIZED');
    expectEnvelope(await download({}, 'not-a-token'), 401, 'UNAUTHORIZED');
    expectEnvelope(await download({}, user.token), 403, 'FORBIDDEN');
  });
});
