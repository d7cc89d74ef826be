import { randomUUID } from 'node:crypto';
import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, createTestDeps, createUser, type TestDeps } from '../../testing/index.js';

let deps: TestDeps;
beforeAll(async () => {
  deps = await createTestDeps();
});
afterAll(async () => {
  await deps.close();
});

async function userRow(id: string) {
  return deps.db.selectFrom('users').select(['role', 'balance', 'name']).where('id', '=', id).executeTakeFirstOrThrow();
}

describe('users.updateProfile', () => {
  it('changes the name and returns the updated user', async () => {
    const user = await createUser(deps, { name: 'Before' });
    const updated = await user.caller.users.updateProfile({ name: '  After  ' });
    expect(updated).toMatchObject({ id: user.id, name: 'After', email: user.email, role: 'USER' });
    expect((await userRow(user.id)).name).toBe('After');
  });

  it('sets an https avatar and clears it with null', async () => {
    const user = await createUser(deps);
    const set = await user.caller.users.updateProfile({ avatarUrl: 'https://cdn.example.com/a.png' });
    expect(set.avatarUrl).toBe('https://cdn.example.com/a.png');
    const cleared = await user.caller.users.updateProfile({ avatarUrl: null });
    expect(cleared.avatarUrl).toBeNull();
  });

  it.each(['http://cdn.example.com/a.png', 'javascript:alert(1)', 'ftp://example.com/a.png', 'not a url'])(
    'refuses the avatar %s with BAD_REQUEST',
    async (avatarUrl) => {
      const user = await createUser(deps);
      await expect(user.caller.users.updateProfile({ avatarUrl })).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    },
  );

  it('ignores role, balance and other fields it does not own', async () => {
    const user = await createUser(deps);
    const input = { name: 'Sneaky', role: 'ADMIN', balance: 1_000_000, id: randomUUID(), active: false };
    const updated = await user.caller.users.updateProfile(input);
    expect(updated).toMatchObject({ id: user.id, name: 'Sneaky', role: 'USER', active: true });
    expect(await userRow(user.id)).toEqual({ role: 'USER', balance: 0, name: 'Sneaky' });
  });

  it('lets a GUEST update its own profile', async () => {
    const guest = await createUser(deps, { role: 'GUEST' });
    const updated = await guest.caller.users.updateProfile({ name: 'Guest Name' });
    expect(updated).toMatchObject({ id: guest.id, name: 'Guest Name', role: 'GUEST' });
  });

  it('refuses an anonymous caller with UNAUTHORIZED', async () => {
    const anonymous = await callerFor(deps);
    await expect(anonymous.users.updateProfile({ name: 'x' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});

describe('users.search', () => {
  it('finds users by partial email case-insensitively', async () => {
    const target = await createUser(deps, { email: 'findme-casey@example.com', name: 'Casey' });
    const searcher = await createUser(deps);
    const result = await searcher.caller.users.search({ query: 'FINDME-CAS' });
    expect(result.items).toEqual([{ id: target.id, name: 'Casey', email: 'findme-casey@example.com' }]);
  });

  it('finds users by partial name case-insensitively', async () => {
    const target = await createUser(deps, { name: 'Zebulon Quartz' });
    const searcher = await createUser(deps, { role: 'ADMIN' });
    const result = await searcher.caller.users.search({ query: 'bulon qua' });
    expect(result.items.map((item) => item.id)).toEqual([target.id]);
  });

  it('excludes inactive users', async () => {
    const inactive = await createUser(deps, { name: 'Dormant Marker' });
    await deps.db.updateTable('users').set({ active: false }).where('id', '=', inactive.id).execute();
    const searcher = await createUser(deps);
    expect((await searcher.caller.users.search({ query: 'Dormant Marker' })).items).toEqual([]);
  });

  it('matches % _ and \\ literally', async () => {
    const percent = await createUser(deps, { name: 'lit%pct' });
    await createUser(deps, { name: 'litXpct' });
    const underscore = await createUser(deps, { name: 'lit_und' });
    await createUser(deps, { name: 'litYund' });
    const backslash = await createUser(deps, { name: 'lit\\bsl' });
    await createUser(deps, { name: 'litbsl' });
    const searcher = await createUser(deps);
    const ids = async (query: string) => (await searcher.caller.users.search({ query })).items.map((i) => i.id);
    expect(await ids('lit%p')).toEqual([percent.id]);
    expect(await ids('lit_u')).toEqual([underscore.id]);
    expect(await ids('lit\\b')).toEqual([backslash.id]);
    expect(await ids('%')).toEqual([percent.id]);
    expect(await ids('_')).toEqual([underscore.id]);
  });

  it('returns at most limit users', async () => {
    for (let i = 0; i < 4; i++) await createUser(deps, { name: `Limit Probe ${i}` });
    const searcher = await createUser(deps);
    expect((await searcher.caller.users.search({ query: 'limit probe', limit: 3 })).items).toHaveLength(3);
  });

  it.each([
    { query: '' },
    { query: '   ' },
    { query: 'x'.repeat(101) },
    { query: 'x', limit: 0 },
    { query: 'x', limit: 51 },
  ])('refuses %o with BAD_REQUEST', async (input) => {
    const searcher = await createUser(deps);
    await expect(searcher.caller.users.search(input)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('refuses a GUEST with FORBIDDEN', async () => {
    const guest = await createUser(deps, { role: 'GUEST' });
    await expect(guest.caller.users.search({ query: 'a' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('runs one SQL statement whatever the limit', async () => {
    for (let i = 0; i < 12; i++) await createUser(deps, { name: `Counted Person ${i}` });
    const searcher = await createUser(deps);
    let statements = 0;
    const counter: KyselyPlugin = {
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        statements++;
        return args.result;
      },
    };
    const caller = await callerFor({ ...deps, db: deps.db.withPlugin(counter) }, { accessToken: searcher.accessToken });
    await caller.users.search({ query: 'counted person', limit: 2 });
    const small = statements;
    statements = 0;
    await caller.users.search({ query: 'counted person', limit: 50 });
    expect(statements).toBe(small);
    expect(small).toBe(1);
  });
});
