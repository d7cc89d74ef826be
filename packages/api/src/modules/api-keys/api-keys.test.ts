// API keys as a script's author lives them: created once and shown once, then sent as
// `Authorization: Bearer keel_…` by every call; read keys read, write keys write, no key signs in,
// manages keys or does admin work, and a key stops at revocation, expiry or its owner's deactivation.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mailer } from '../../common/mailer.js';
import {
  callerFor,
  createTestDeps,
  createUser,
  outcome,
  refusal,
  startTestSmtpServer,
  TEST_PASSWORD,
  type TestDeps,
  type TestSmtpServer,
  type TestUser,
  testMailer,
  until,
  workAppJobs,
} from '../../testing/index.js';
import { createApiKeyVerifier } from './api-keys.service.js';

const NOTICE_SUBJECT = 'A new API key was created for your Keel account';

let smtp: TestSmtpServer;
let deps: TestDeps;
let mailer: Mailer;
beforeAll(async () => {
  smtp = await startTestSmtpServer();
  deps = await createTestDeps();
  mailer = testMailer(deps, smtp.url);
  await workAppJobs(deps, mailer);
});
afterAll(async () => {
  await deps.close();
  mailer.close();
  await smtp.close();
});

/** A caller that sends `key` as its bearer credential, as a script's next request would. */
const withKey = (key: string) => callerFor(deps, { accessToken: key });

async function keyOf(user: TestUser, scope: 'read' | 'write' = 'write') {
  return user.caller.apiKeys.create({ name: `${scope} key`, scope });
}

describe('apiKeys.create', () => {
  it('shows the key once, stores only its SHA-256, expires it in 90 days by default, audits and mails a notice', async () => {
    const user = await createUser(deps);
    const created = await keyOf(user);

    expect(created.key).toMatch(/^keel_[a-z0-9]{8}_[A-Za-z0-9_-]{43}$/);
    expect(created.key.startsWith(`keel_${created.prefix}_`)).toBe(true);
    const days = (Date.parse(created.expiresAt) - Date.parse(created.createdAt)) / 86_400_000;
    expect(Math.round(days)).toBe(90);
    const listed = await user.caller.apiKeys.list();
    expect(listed.items).toEqual([
      expect.objectContaining({ id: created.id, prefix: created.prefix, status: 'active', lastUsedAt: null }),
    ]);
    expect(JSON.stringify(listed)).not.toContain(created.key);

    const row = await deps.db.selectFrom('api_keys').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(row.key_hash).toBe(createHash('sha256').update(created.key).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(created.key.split('_')[2]);
    const audited = await deps.db
      .selectFrom('audit_events')
      .select('metadata')
      .where('action', '=', 'apikey.created')
      .where('target_id', '=', created.id)
      .executeTakeFirst();
    expect(audited?.metadata).toMatchObject({ name: 'write key', prefix: created.prefix, scope: 'write' });
    const notice = await smtp.next((mail) => mail.to === user.email && mail.subject === NOTICE_SUBJECT);
    expect(notice.text).toContain('/account');
  });

  it('refuses an expiry under a day or over a year, on the field', async () => {
    const user = await createUser(deps);
    for (const expiresInDays of [0, 366]) {
      expect(await refusal(user.caller.apiKeys.create({ name: 'Bad', scope: 'read', expiresInDays }))).toMatchObject({
        code: 'VALIDATION_ERROR',
        details: [expect.objectContaining({ field: 'expiresInDays' })],
      });
    }
  });
});

describe('calling with a key', () => {
  it('a write key acts as its owner: what it creates is theirs, auth.me says who they are', async () => {
    const user = await createUser(deps);
    const { key } = await keyOf(user, 'write');
    const script = await withKey(key);

    await expect(script.auth.me()).resolves.toMatchObject({ id: user.id, email: user.email });
    const project = await script.projects.create({ name: 'From CI' });
    expect(project.ownerId).toBe(user.id);
    expect((await user.caller.projects.list({})).items.map((item) => item.id)).toContain(project.id);
  });

  it('a read key reads, and is refused every mutation', async () => {
    const user = await createUser(deps);
    const { key } = await keyOf(user, 'read');
    const script = await withKey(key);

    await expect(script.projects.list({})).resolves.toMatchObject({ total: 0 });
    expect(await refusal(script.projects.create({ name: 'No' }))).toEqual({
      code: 'FORBIDDEN',
      message: 'This API key is read-only',
    });
  });

  it('no key signs in or out, changes credentials, manages keys or does admin work', async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    const { key } = await keyOf(admin, 'write');
    const script = await withKey(key);
    const closed = [
      script.auth.changePassword({ currentPassword: TEST_PASSWORD, newPassword: 'N3w-Passw0rd!' }),
      script.auth.sessions(),
      script.auth.logoutAll(),
      script.apiKeys.list(),
      script.apiKeys.create({ name: 'Another', scope: 'write' }),
      script.admin.users.list({}),
      script.admin.stats(),
    ];
    for (const call of closed) {
      expect(await refusal(call)).toEqual({
        code: 'FORBIDDEN',
        message: 'An API key cannot call this procedure: sign in to do this',
      });
    }
    // The owner's own sign-in is untouched by any of it.
    await expect(admin.caller.auth.me()).resolves.toMatchObject({ id: admin.id });
  });

  it('records its last use, at most once a minute', async () => {
    const user = await createUser(deps);
    const created = await keyOf(user, 'read');
    await (await withKey(created.key)).projects.list({});
    const lastUsed = async () =>
      (
        await deps.db
          .selectFrom('api_keys')
          .select('last_used_at')
          .where('id', '=', created.id)
          .executeTakeFirstOrThrow()
      ).last_used_at;
    // The write is off the call's path: wait for it.
    const first = await until(lastUsed, (value) => value !== null);

    deps.apiKeys.forgetKey(created.id);
    await (await withKey(created.key)).projects.list({});
    expect(await lastUsed()).toEqual(first);
    expect((await user.caller.apiKeys.list()).items[0]?.lastUsedAt).toBe(first?.toISOString());
  });
});

describe('a key stops working', () => {
  it('at once when its owner revokes it, on the instance that revoked it', async () => {
    const user = await createUser(deps);
    const created = await keyOf(user, 'read');
    await (await withKey(created.key)).projects.list({});

    await expect(user.caller.apiKeys.revoke({ id: created.id })).resolves.toEqual({ success: true });

    expect(await refusal((await withKey(created.key)).projects.list({}))).toEqual({
      code: 'UNAUTHORIZED',
      message: 'Invalid or expired access token',
    });
    expect((await user.caller.apiKeys.list()).items[0]).toMatchObject({ status: 'revoked' });
    expect((await refusal(user.caller.apiKeys.revoke({ id: created.id }))).code).toBe('CONFLICT');
  });

  it('within a second on another instance', async () => {
    const user = await createUser(deps);
    const created = await keyOf(user, 'read');
    let clock = Date.now();
    const elsewhere = createApiKeyVerifier({ db: deps.db, logger: deps.logger, now: () => clock });
    expect(await elsewhere.verify(created.key)).toMatchObject({ userId: user.id });

    await user.caller.apiKeys.revoke({ id: created.id });

    clock += 1_001;
    expect(await elsewhere.verify(created.key)).toBeUndefined();
  });

  it("when its owner is deactivated, and it follows the owner's role", async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    const owner = await createUser(deps);
    const { key } = await keyOf(owner, 'write');
    await (await withKey(key)).projects.create({ name: 'Before' });

    await admin.caller.admin.users.setRole({ userId: owner.id, role: 'GUEST' });
    expect((await refusal((await withKey(key)).projects.create({ name: 'As a guest' }))).code).toBe('FORBIDDEN');

    await admin.caller.admin.users.setActive({ userId: owner.id, active: false });
    expect(await outcome((await withKey(key)).projects.list({}))).toBe('UNAUTHORIZED');
  });

  it('at its expiry', async () => {
    const user = await createUser(deps);
    const created = await keyOf(user, 'read');
    await deps.db
      .updateTable('api_keys')
      .set({ expires_at: sql<Date>`now() - interval '1 second'` })
      .where('id', '=', created.id)
      .execute();
    deps.apiKeys.forgetKey(created.id);

    expect(await outcome((await withKey(created.key)).projects.list({}))).toBe('UNAUTHORIZED');
    expect((await user.caller.apiKeys.list()).items[0]).toMatchObject({ status: 'expired' });
  });

  it("a key that is not anyone's, or mangled, is refused like a bad token", async () => {
    const user = await createUser(deps);
    const { key } = await keyOf(user, 'read');
    const wrongSecret = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;
    for (const credential of [wrongSecret, 'keel_notakey', `${key}x`]) {
      expect(await outcome((await withKey(credential)).projects.list({}))).toBe('UNAUTHORIZED');
    }
  });
});

describe('revoking', () => {
  it("someone else's key is unknown to you; an admin lists and revokes every key", async () => {
    const owner = await createUser(deps, { name: 'Key Owner' });
    const other = await createUser(deps);
    const admin = await createUser(deps, { role: 'ADMIN' });
    const created = await keyOf(owner, 'write');

    expect(await refusal(other.caller.apiKeys.revoke({ id: created.id }))).toEqual({
      code: 'NOT_FOUND',
      message: 'API key not found',
    });
    const listed = await admin.caller.admin.apiKeys.list({ limit: 100 });
    expect(listed.items).toContainEqual(
      expect.objectContaining({ id: created.id, owner: { id: owner.id, name: 'Key Owner', email: owner.email } }),
    );
    await admin.caller.admin.apiKeys.revoke({ id: created.id });
    expect(await outcome((await withKey(created.key)).auth.me())).toBe('UNAUTHORIZED');
    const audited = await deps.db
      .selectFrom('audit_events')
      .select(['actor_id', 'metadata'])
      .where('action', '=', 'apikey.revoked')
      .where('target_id', '=', created.id)
      .executeTakeFirst();
    expect(audited).toMatchObject({ actor_id: admin.id, metadata: { ownerId: owner.id, prefix: created.prefix } });
  });
});
