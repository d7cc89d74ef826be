// The daily clean-up job (`maintenance.purge`) as the worker runs it: expired one-time links, and
// audit events past AUDIT_RETENTION_DAYS, go; everything still of use stays.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMailer } from './common/mailer.js';
import { appJobHandlers } from './jobs.js';
import { createTestDeps, createUser, type TestDeps } from './testing/index.js';

let deps: TestDeps;
let outbox: string;

beforeAll(async () => {
  deps = await createTestDeps();
  outbox = mkdtempSync(join(tmpdir(), 'keel-outbox-'));
});

afterAll(async () => {
  await deps.close();
  rmSync(outbox, { recursive: true, force: true });
});

function purgeWith(auditRetentionDays: number | undefined) {
  const mailer = createMailer({
    from: 'Keel <no-reply@keel.test>',
    outboxDir: outbox,
    logger: deps.logger,
    logLinks: false,
  });
  const handlers = appJobHandlers({
    db: deps.db,
    mailer,
    config: { publicUrl: undefined, auditRetentionDays },
    logger: deps.logger,
  });
  return handlers['maintenance.purge']({});
}

const daysAgo = (days: number) => new Date(Date.now() - days * 24 * 60 * 60 * 1000);

async function addToken(userId: string, email: string, expiresAt: Date): Promise<string> {
  const row = await deps.db
    .insertInto('one_time_tokens')
    .values({
      kind: 'password_reset',
      user_id: userId,
      email,
      token_hash: `hash-${Math.random()}`,
      expires_at: expiresAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

describe('the daily clean-up job', () => {
  it('deletes links that expired over a day ago, and keeps live and recently expired ones', async () => {
    const user = await createUser(deps);
    const old = await addToken(user.id, user.email, daysAgo(2));
    const recent = await addToken(user.id, user.email, daysAgo(0.5));
    const live = await addToken(user.id, user.email, daysAgo(-1));
    await purgeWith(undefined);
    const left = await deps.db
      .selectFrom('one_time_tokens')
      .select('id')
      .where('id', 'in', [old, recent, live])
      .execute();
    expect(left.map((row) => row.id).sort()).toEqual([recent, live].sort());
  });

  it('keeps every audit event without AUDIT_RETENTION_DAYS, and deletes those past it when set', async () => {
    const user = await createUser(deps);
    const insert = (at: Date, action: string) =>
      sql`insert into audit_events (at, actor_id, action) values (${at}, ${user.id}, ${action})`.execute(deps.db);
    await insert(daysAgo(100), 'test.old');
    await insert(daysAgo(10), 'test.recent');
    const actions = async () =>
      (
        await deps.db
          .selectFrom('audit_events')
          .select('action')
          .where('action', 'like', 'test.%')
          .orderBy('at')
          .execute()
      ).map((row) => row.action);

    await purgeWith(undefined);
    expect(await actions()).toEqual(['test.old', 'test.recent']);
    await purgeWith(30);
    expect(await actions()).toEqual(['test.recent']);
  });
});
