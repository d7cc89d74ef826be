import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContextInner } from '../../context.js';
import {
  createTestDeps,
  createUser,
  outcome,
  parseCsv,
  recordingResponse,
  type TestDeps,
} from '../../testing/index.js';
import { createCallerFactory } from '../../trpc.js';
import { csvCell, csvLine } from './admin.csv.js';
import { adminHostRouter } from './admin.router.js';
import type { AuditExportInput } from './admin.schema.js';
import { type AuditExportOptions, exportAudit } from './admin.service.js';

/** The export's header as a spreadsheet or script reading the file sees it, spelled out so a change to it fails here. */
const HEADER = 'id,at,action,actorId,actorEmail,actorName,targetType,targetId,ip,requestId,metadata';

let deps: TestDeps;
beforeAll(async () => {
  deps = await createTestDeps();
});
afterAll(async () => {
  await deps.close();
});

const createHostCaller = createCallerFactory(adminHostRouter);

async function contextFor(accessToken: string | undefined) {
  return createContextInner(deps, {
    requestId: `req-${randomBytes(4).toString('hex')}`,
    ip: '127.0.0.1',
    userAgent: 'vitest',
    authorization: accessToken ? `Bearer ${accessToken}` : undefined,
    refreshCookie: undefined,
    mfaCookie: undefined,
    response: recordingResponse(),
  });
}

async function insertEvents(action: string, count: number, metadata: Record<string, unknown> = {}): Promise<void> {
  await sql`insert into audit_events (action, metadata)
    select ${action}, ${JSON.stringify(metadata)}::jsonb || jsonb_build_object('n', n)
    from generate_series(1, ${count}) as n order by n`.execute(deps.db);
}

/** Runs the export service for the admin holding `accessToken`, with a small bound or batch when given. */
async function exportText(accessToken: string, input: AuditExportInput, options: AuditExportOptions = {}) {
  const ctx = await contextFor(accessToken);
  if (!ctx.token) throw new Error('setup: the token did not verify');
  const user = { id: ctx.token.userId, role: ctx.token.role, sessionId: ctx.token.sessionId };
  const exported = await exportAudit({ ...ctx, user }, input, options);
  let text = '';
  for await (const chunk of exported.chunks) text += chunk;
  return { exported, text, records: parseCsv(text) };
}

describe('csvCell', () => {
  it('quotes by RFC 4180 and neutralises every formula start', () => {
    const cases: [string | null, string][] = [
      [null, ''],
      ['', ''],
      ['plain', 'plain'],
      ['a,b', '"a,b"'],
      ['say "hi"', '"say ""hi"""'],
      ['two\nlines', '"two\nlines"'],
      ['cr\rhere', '"cr\rhere"'],
      ['=HYPERLINK("x")', `"'=HYPERLINK(""x"")"`],
      ['+1', "'+1"],
      ['-1-1', "'-1-1"],
      ['@SUM(A1)', "'@SUM(A1)"],
      ['\tcmd', "'\tcmd"],
      ['\rcmd', `"'\rcmd"`],
      ['a=b', 'a=b'],
    ];
    expect(cases.map(([value]) => csvCell(value))).toEqual(cases.map(([, expected]) => expected));
    expect(csvLine(['a', null, 'b,c'])).toBe('a,,"b,c"\r\n');
  });
});

describe('admin.audit.export', () => {
  it('writes the header and the filtered events newest first, across batches, then records the export', async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    const action = `test.export_${randomBytes(4).toString('hex')}`;
    await insertEvents(action, 7);
    const { records, exported } = await exportText(admin.accessToken, { action }, { batchSize: 3 });
    expect(exported.filename).toMatch(/^keel-audit-\d{8}T\d{6}Z\.csv$/);
    expect(records[0]).toEqual(HEADER.split(','));
    const rows = records.slice(1);
    expect(rows.map((row) => JSON.parse(row[10] ?? '').n)).toEqual([7, 6, 5, 4, 3, 2, 1]);
    expect(rows.every((row) => row[2] === action)).toBe(true);

    const recorded = await deps.db
      .selectFrom('audit_events')
      .select(['actor_id', 'metadata'])
      .where('action', '=', 'admin.audit_exported')
      .where('actor_id', '=', admin.id)
      .execute();
    expect(recorded.map((row) => row.metadata)).toEqual([{ filters: { action }, maxRows: 100_000 }]);
  });

  it('stops at the bound with a last line saying so, and has no such line when everything fit', async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    const action = `test.bound_${randomBytes(4).toString('hex')}`;
    await insertEvents(action, 5);
    for (const batchSize of [2, 4, 10]) {
      const cut = await exportText(admin.accessToken, { action }, { maxRows: 4, batchSize });
      expect([batchSize, cut.records.length]).toEqual([batchSize, 6]);
      expect(cut.records.slice(1, 5).map((row) => JSON.parse(row[10] ?? '').n)).toEqual([5, 4, 3, 2]);
      expect(cut.records.at(-1)?.[0]).toMatch(/^# truncated: more than 4 events match/);
    }
    const exact = await exportText(admin.accessToken, { action }, { maxRows: 5, batchSize: 5 });
    expect(exact.records.slice(1).map((row) => JSON.parse(row[10] ?? '').n)).toEqual([5, 4, 3, 2, 1]);
    const empty = await exportText(admin.accessToken, { action: `${action}.none` }, { maxRows: 5 });
    expect(empty.text).toBe(`${HEADER}\r\n`);
  });

  it('puts the actor and metadata in their cells, quoted and neutralised', async () => {
    const admin = await createUser(deps, { role: 'ADMIN', name: '=HYPERLINK("x")' });
    const user = await createUser(deps, { name: 'Doe, "Jane"\nSecond line' });
    await admin.caller.admin.credits.grant({ userId: user.id, amount: 1, reason: '@SUM(1+1), "quoted"' });
    const { records } = await exportText(admin.accessToken, { userId: user.id }, {});
    const byAction = new Map(records.slice(1).map((row) => [row[2], row]));
    const grant = byAction.get('credits.grant');
    expect(grant?.slice(3, 8)).toEqual([admin.id, admin.email, `'=HYPERLINK("x")`, 'user', user.id]);
    expect(JSON.parse(grant?.[10] ?? '')).toMatchObject({ reason: '@SUM(1+1), "quoted"' });
    expect(byAction.get('auth.register')?.[5]).toBe('Doe, "Jane"\nSecond line');
  });

  it('is for admins only, through the same authentication as every procedure', async () => {
    const user = await createUser(deps);
    const admin = await createUser(deps, { role: 'ADMIN' });
    expect(await outcome(createHostCaller(await contextFor(user.accessToken)).admin.audit.export({}))).toBe(
      'FORBIDDEN',
    );
    expect(await outcome(createHostCaller(await contextFor(undefined)).admin.audit.export({}))).toBe('UNAUTHORIZED');
    expect(await outcome(createHostCaller(await contextFor(admin.accessToken)).admin.audit.export({ from: 'x' }))).toBe(
      'BAD_REQUEST',
    );
    const exported = await createHostCaller(await contextFor(admin.accessToken)).admin.audit.export({});
    const first = await exported.chunks.next();
    expect(first.value).toBe(`${HEADER}\r\n`);
    await exported.chunks.return();
  });
});
