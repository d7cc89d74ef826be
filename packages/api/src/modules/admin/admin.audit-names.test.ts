// admin.audit.list names the people of each event (actor, user target, the user its metadata
// names) as they are now, in the one statement that reads the page.
import { randomBytes, randomUUID } from 'node:crypto';
import { type KyselyPlugin, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, createTestDeps, createUser, TEST_PASSWORD, type TestDeps } from '../../testing/index.js';

let deps: TestDeps;
beforeAll(async () => {
  deps = await createTestDeps();
});
afterAll(async () => {
  await deps.close();
});

/** A name no other test file's users share, so a search or a filter finds only this test's. */
function uniqueName(first: string): string {
  return `${first} ${randomBytes(4).toString('hex')}`;
}

async function insertEvent(event: {
  actorId: string | null;
  action: string;
  targetType?: string;
  targetId?: string;
  metadata?: Record<string, unknown>;
}): Promise<void> {
  await sql`insert into audit_events (actor_id, action, target_type, target_id, metadata)
    values (${event.actorId}, ${event.action}, ${event.targetType ?? null}, ${event.targetId ?? null},
      ${JSON.stringify(event.metadata ?? {})}::jsonb)`.execute(deps.db);
}

describe('admin.audit.list names people', () => {
  it('gives the actor and the target user their current name and email', async () => {
    const adminName = uniqueName('Ada');
    const userName = uniqueName('Bob');
    const admin = await createUser(deps, { role: 'ADMIN', name: adminName });
    const user = await createUser(deps, { name: userName });
    await admin.caller.admin.users.setRole({ userId: user.id, role: 'ADMIN' });

    const page = await admin.caller.admin.audit.list({ userId: user.id, action: 'admin.role_changed' });
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({
      actorId: admin.id,
      actor: { id: admin.id, name: adminName, email: admin.email },
      targetType: 'user',
      targetId: user.id,
      target: { name: userName, email: user.email },
      relatedUser: null,
      metadata: { from: 'USER', to: 'ADMIN' },
    });
  });

  it('names the recipient of a transfer, whose target is the transfer itself', async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    const senderName = uniqueName('Carol');
    const recipientName = uniqueName('Dan');
    const sender = await createUser(deps, { name: senderName, balance: 100 });
    const recipient = await createUser(deps, { name: recipientName });
    await sender.caller.credits.transfer({ toUserId: recipient.id, amount: 25 });

    const page = await admin.caller.admin.audit.list({ userId: sender.id, action: 'credits.transfer' });
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({
      actor: { id: sender.id, name: senderName, email: sender.email },
      targetType: 'transfer',
      target: null,
      relatedUser: { id: recipient.id, name: recipientName, email: recipient.email },
      metadata: { toUserId: recipient.id, amount: 25 },
    });
  });

  it('an event with no actor, or whose actor or target user is gone, keeps its ids and names nobody', async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    const anonymous = await callerFor(deps);
    const unknownEmail = `nobody-${randomBytes(4).toString('hex')}@example.com`;
    await expect(anonymous.auth.login({ email: unknownEmail, password: TEST_PASSWORD })).rejects.toThrow();
    const failed = await admin.caller.admin.audit.list({ action: 'auth.login_failed', limit: 100 });
    const unknown = failed.items.find((event) => event.actorId === null && event.targetId === null);
    expect(unknown).toMatchObject({ actorId: null, actor: null, target: null, relatedUser: null });

    const gone = await createUser(deps, { name: uniqueName('Gone') });
    const action = `test.gone_${randomBytes(4).toString('hex')}`;
    await insertEvent({ actorId: admin.id, action, targetType: 'user', targetId: gone.id });
    await insertEvent({ actorId: gone.id, action, metadata: { toUserId: gone.id } });
    await deps.db.deleteFrom('users').where('id', '=', gone.id).execute();

    const page = await admin.caller.admin.audit.list({ action });
    expect(
      page.items.map((event) => [event.actorId, event.actor, event.targetId, event.target, event.relatedUser]),
    ).toEqual([
      // The actor column is set null with the user; the target id is text and stays.
      [null, null, null, null, null],
      [admin.id, expect.objectContaining({ id: admin.id }), gone.id, null, null],
    ]);
  });

  it('names a target only when its type is user, and a malformed user id fails nothing', async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    const user = await createUser(deps, { name: uniqueName('Eve') });
    const action = `test.targets_${randomBytes(4).toString('hex')}`;
    // A session's id that happens to equal a user's is still not that user.
    await insertEvent({ actorId: null, action, targetType: 'session', targetId: user.id });
    await insertEvent({ actorId: null, action, targetType: 'user', targetId: 'not-a-uuid' });
    await insertEvent({ actorId: null, action, targetType: 'user', targetId: user.id.toUpperCase() });
    await insertEvent({ actorId: null, action, metadata: { ownerId: 'not-a-uuid', toUserId: randomUUID() } });

    const page = await admin.caller.admin.audit.list({ action });
    expect(page.items.map((event) => [event.targetType, event.target, event.relatedUser])).toEqual([
      [null, null, null],
      ['user', { name: expect.stringMatching(/^Eve /), email: user.email }, null],
      ['user', null, null],
      ['session', null, null],
    ]);
  });

  it('reads a page and its names in one SQL statement, whatever the page size', async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    const action = `test.counted_${randomBytes(4).toString('hex')}`;
    for (let i = 0; i < 12; i++) {
      const user = await createUser(deps);
      await insertEvent({ actorId: user.id, action, targetType: 'user', targetId: admin.id });
    }
    let statements = 0;
    const counter: KyselyPlugin = {
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        statements++;
        return args.result;
      },
    };
    const caller = await callerFor({ ...deps, db: deps.db.withPlugin(counter) }, { accessToken: admin.accessToken });
    const small = await caller.admin.audit.list({ action, limit: 2 });
    expect(small.items.every((event) => event.actor !== null && event.target !== null)).toBe(true);
    expect(statements).toBe(1);
    statements = 0;
    expect((await caller.admin.audit.list({ action, limit: 50 })).items).toHaveLength(12);
    expect(statements).toBe(1);
  });
});
