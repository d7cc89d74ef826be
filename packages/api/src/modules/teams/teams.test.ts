// Teams as their members live them: creating one, the roles and who may change them, the last
// owner, leaving, a global GUEST held to VIEWER, a global ADMIN's access on the record.
import { randomUUID } from 'node:crypto';
import type { TeamRole } from '@keel/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeps, createUser, refusal, type TestDeps, type TestUser } from '../../testing/index.js';

let deps: TestDeps;
beforeAll(async () => {
  deps = await createTestDeps();
});
afterAll(async () => {
  await deps.close();
});

/** A team `owner` created, with `members` added at their roles (as an accepted invitation adds them). */
async function teamOf(owner: TestUser, members: [TestUser, TeamRole][] = []) {
  const team = await owner.caller.teams.create({ name: `Team ${randomUUID().slice(0, 8)}` });
  // One second apart, after the owner: the order they joined in, whatever the clock's resolution.
  for (const [index, [user, role]] of members.entries()) {
    const joinedAt = new Date(Date.parse(team.createdAt) + (index + 1) * 1000);
    await deps.db
      .insertInto('team_members')
      .values({ team_id: team.id, user_id: user.id, role, joined_at: joinedAt })
      .execute();
  }
  return team;
}

async function rolesOf(teamId: string): Promise<Record<string, TeamRole>> {
  const rows = await deps.db
    .selectFrom('team_members')
    .select(['user_id', 'role'])
    .where('team_id', '=', teamId)
    .execute();
  return Object.fromEntries(rows.map((row) => [row.user_id, row.role]));
}

async function auditOf(action: string, targetId: string) {
  return deps.db
    .selectFrom('audit_events')
    .select(['actor_id', 'metadata'])
    .where('action', '=', action)
    .where('target_id', '=', targetId)
    .orderBy('seq')
    .execute();
}

describe('teams.create, list, get, update', () => {
  it('makes the creator its OWNER, lists it with that role, and audits it', async () => {
    const owner = await createUser(deps);
    const team = await owner.caller.teams.create({ name: '  Platform  ' });

    expect(team).toMatchObject({ name: 'Platform', role: 'OWNER' });
    expect(await owner.caller.teams.list()).toEqual([team]);
    expect(await owner.caller.teams.get({ teamId: team.id })).toEqual(team);
    expect(await auditOf('team.created', team.id)).toEqual([
      { actor_id: owner.id, metadata: { teamId: team.id, name: 'Platform' } },
    ]);
  });

  it('lists only the caller’s teams, each with the caller’s own role, by name', async () => {
    const alice = await createUser(deps);
    const bob = await createUser(deps);
    const zeta = await bob.caller.teams.create({ name: 'Zeta' });
    const alpha = await alice.caller.teams.create({ name: 'alpha' });
    await deps.db.insertInto('team_members').values({ team_id: zeta.id, user_id: alice.id, role: 'MEMBER' }).execute();
    await bob.caller.teams.create({ name: 'Bob only' });

    expect((await alice.caller.teams.list()).map((team) => [team.name, team.role])).toEqual([
      ['alpha', 'OWNER'],
      ['Zeta', 'MEMBER'],
    ]);
    expect(alpha.role).toBe('OWNER');
  });

  it('a global GUEST may not create a team', async () => {
    const guest = await createUser(deps, { role: 'GUEST' });
    expect((await refusal(guest.caller.teams.create({ name: 'Nope' }))).code).toBe('FORBIDDEN');
  });

  it('renames for ADMIN+, not for a MEMBER; a non-member learns nothing (404, as for no team at all)', async () => {
    const owner = await createUser(deps);
    const admin = await createUser(deps);
    const member = await createUser(deps);
    const outsider = await createUser(deps);
    const team = await teamOf(owner, [
      [admin, 'ADMIN'],
      [member, 'MEMBER'],
    ]);

    await expect(admin.caller.teams.update({ teamId: team.id, name: 'Renamed' })).resolves.toMatchObject({
      name: 'Renamed',
      role: 'ADMIN',
    });
    expect((await refusal(member.caller.teams.update({ teamId: team.id, name: 'No' }))).code).toBe('FORBIDDEN');
    const hidden = await refusal(outsider.caller.teams.get({ teamId: team.id }));
    const missing = await refusal(outsider.caller.teams.get({ teamId: randomUUID() }));
    expect(hidden).toEqual({ code: 'NOT_FOUND', message: 'Team not found' });
    expect(missing).toEqual(hidden);
  });
});

describe('teams.delete', () => {
  it('deletes a team without projects (OWNER only) and audits it', async () => {
    const owner = await createUser(deps);
    const admin = await createUser(deps);
    const team = await teamOf(owner, [[admin, 'ADMIN']]);

    expect((await refusal(admin.caller.teams.delete({ teamId: team.id }))).code).toBe('FORBIDDEN');
    await expect(owner.caller.teams.delete({ teamId: team.id })).resolves.toEqual({ success: true });
    expect(await owner.caller.teams.list()).toEqual([]);
    expect(await auditOf('team.deleted', team.id)).toEqual([
      { actor_id: owner.id, metadata: { teamId: team.id, name: team.name } },
    ]);
  });

  it('refuses a team that still has projects with a 409 that says what to do', async () => {
    const owner = await createUser(deps);
    const team = await teamOf(owner);
    await deps.db
      .insertInto('projects')
      .values({ owner_id: owner.id, team_id: team.id, name: 'Shared', description: null })
      .execute();

    expect(await refusal(owner.caller.teams.delete({ teamId: team.id }))).toEqual({
      code: 'CONFLICT',
      message: 'The team still has 1 project: move or delete them first',
    });
    expect(await owner.caller.teams.get({ teamId: team.id })).toMatchObject({ id: team.id });
  });
});

describe('teams.members.list', () => {
  it('pages the members in the order they joined, for any member', async () => {
    const owner = await createUser(deps, { name: 'Olga Owner' });
    const others = [await createUser(deps), await createUser(deps), await createUser(deps)];
    const team = await teamOf(owner, [
      [others[0] as TestUser, 'ADMIN'],
      [others[1] as TestUser, 'MEMBER'],
      [others[2] as TestUser, 'VIEWER'],
    ]);
    const viewer = others[2] as TestUser;

    const first = await viewer.caller.teams.members.list({ teamId: team.id, limit: 3 });
    expect(first.items.map((member) => member.userId)).toEqual([owner.id, others[0]?.id, others[1]?.id]);
    expect(first.items[0]).toMatchObject({ name: 'Olga Owner', email: owner.email, role: 'OWNER' });
    expect(first.nextCursor).not.toBeNull();
    const second = await viewer.caller.teams.members.list({
      teamId: team.id,
      limit: 3,
      cursor: first.nextCursor ?? undefined,
    });
    expect(second).toEqual({
      items: [expect.objectContaining({ userId: viewer.id, role: 'VIEWER' })],
      nextCursor: null,
    });
  });

  it('refuses a mangled cursor on the cursor field', async () => {
    const owner = await createUser(deps);
    const team = await teamOf(owner);
    expect(await refusal(owner.caller.teams.members.list({ teamId: team.id, cursor: 'bm90LWEtdXVpZA' }))).toMatchObject(
      {
        code: 'VALIDATION_ERROR',
        details: [{ field: 'cursor', message: 'Invalid cursor' }],
      },
    );
  });
});

describe('teams.members.setRole: who may grant what', () => {
  it('an OWNER grants any role, OWNER included, and it is audited with the team id', async () => {
    const owner = await createUser(deps);
    const member = await createUser(deps);
    const team = await teamOf(owner, [[member, 'MEMBER']]);

    await expect(
      owner.caller.teams.members.setRole({ teamId: team.id, userId: member.id, role: 'OWNER' }),
    ).resolves.toMatchObject({ userId: member.id, role: 'OWNER' });
    expect(await auditOf('team.member_role_changed', member.id)).toEqual([
      { actor_id: owner.id, metadata: { teamId: team.id, userId: member.id, from: 'MEMBER', to: 'OWNER' } },
    ]);
  });

  it('an ADMIN changes roles below their own, and nothing at or above it', async () => {
    const owner = await createUser(deps);
    const admin = await createUser(deps);
    const otherAdmin = await createUser(deps);
    const viewer = await createUser(deps);
    const team = await teamOf(owner, [
      [admin, 'ADMIN'],
      [otherAdmin, 'ADMIN'],
      [viewer, 'VIEWER'],
    ]);
    const setRole = (userId: string, role: TeamRole) =>
      admin.caller.teams.members.setRole({ teamId: team.id, userId, role });

    await expect(setRole(viewer.id, 'MEMBER')).resolves.toMatchObject({ role: 'MEMBER' });
    expect(await refusal(setRole(viewer.id, 'ADMIN'))).toEqual({
      code: 'FORBIDDEN',
      message: 'Only an owner may grant a role at or above your own',
    });
    expect((await refusal(setRole(viewer.id, 'OWNER'))).code).toBe('FORBIDDEN');
    expect(await refusal(setRole(otherAdmin.id, 'MEMBER'))).toEqual({
      code: 'FORBIDDEN',
      message: 'Only an owner may change the role of a member at or above your role',
    });
    expect((await refusal(setRole(owner.id, 'VIEWER'))).code).toBe('FORBIDDEN');
    expect(await rolesOf(team.id)).toEqual({
      [owner.id]: 'OWNER',
      [admin.id]: 'ADMIN',
      [otherAdmin.id]: 'ADMIN',
      [viewer.id]: 'MEMBER',
    });
  });

  it('a MEMBER changes no one', async () => {
    const owner = await createUser(deps);
    const member = await createUser(deps);
    const viewer = await createUser(deps);
    const team = await teamOf(owner, [
      [member, 'MEMBER'],
      [viewer, 'VIEWER'],
    ]);
    expect(
      (await refusal(member.caller.teams.members.setRole({ teamId: team.id, userId: viewer.id, role: 'VIEWER' }))).code,
    ).toBe('FORBIDDEN');
  });

  it('the last OWNER cannot step down (409); with a second owner they can', async () => {
    const owner = await createUser(deps);
    const admin = await createUser(deps);
    const team = await teamOf(owner, [[admin, 'ADMIN']]);
    const stepDown = () => owner.caller.teams.members.setRole({ teamId: team.id, userId: owner.id, role: 'ADMIN' });

    expect(await refusal(stepDown())).toEqual({
      code: 'CONFLICT',
      message: 'A team keeps at least one owner: make another member an owner first',
    });
    await owner.caller.teams.members.setRole({ teamId: team.id, userId: admin.id, role: 'OWNER' });
    await expect(stepDown()).resolves.toMatchObject({ role: 'ADMIN' });
    expect(await rolesOf(team.id)).toEqual({ [owner.id]: 'ADMIN', [admin.id]: 'OWNER' });
  });

  it('a member who is not in the team is a 404 naming the member', async () => {
    const owner = await createUser(deps);
    const team = await teamOf(owner);
    expect(
      await refusal(owner.caller.teams.members.setRole({ teamId: team.id, userId: randomUUID(), role: 'MEMBER' })),
    ).toEqual({ code: 'NOT_FOUND', message: 'Member not found' });
  });
});

describe('a global GUEST in a team', () => {
  it('is only ever a VIEWER: a higher stored role reads as VIEWER, and cannot be granted', async () => {
    const owner = await createUser(deps);
    const guest = await createUser(deps, { role: 'GUEST' });
    const team = await teamOf(owner, [[guest, 'ADMIN']]);

    expect(await guest.caller.teams.list()).toEqual([expect.objectContaining({ id: team.id, role: 'VIEWER' })]);
    expect(
      (await refusal(guest.caller.teams.members.setRole({ teamId: team.id, userId: guest.id, role: 'VIEWER' }))).code,
    ).toBe('FORBIDDEN');
    await owner.caller.teams.members.setRole({ teamId: team.id, userId: guest.id, role: 'VIEWER' });
    expect(
      await refusal(owner.caller.teams.members.setRole({ teamId: team.id, userId: guest.id, role: 'MEMBER' })),
    ).toEqual({ code: 'BAD_REQUEST', message: 'A guest account can only be a VIEWER in a team' });
  });
});

describe('teams.members.remove and leaving', () => {
  it('any member may leave; the team is gone from their list', async () => {
    const owner = await createUser(deps);
    const viewer = await createUser(deps);
    const team = await teamOf(owner, [[viewer, 'VIEWER']]);

    await expect(viewer.caller.teams.members.remove({ teamId: team.id, userId: viewer.id })).resolves.toEqual({
      success: true,
    });
    expect(await viewer.caller.teams.list()).toEqual([]);
    expect((await refusal(viewer.caller.teams.get({ teamId: team.id }))).code).toBe('NOT_FOUND');
    expect(await auditOf('team.member_removed', viewer.id)).toEqual([
      { actor_id: viewer.id, metadata: { teamId: team.id, userId: viewer.id, role: 'VIEWER', left: true } },
    ]);
  });

  it('an ADMIN removes members below them, not another ADMIN; a MEMBER removes no one', async () => {
    const owner = await createUser(deps);
    const admin = await createUser(deps);
    const otherAdmin = await createUser(deps);
    const member = await createUser(deps);
    const viewer = await createUser(deps);
    const team = await teamOf(owner, [
      [admin, 'ADMIN'],
      [otherAdmin, 'ADMIN'],
      [member, 'MEMBER'],
      [viewer, 'VIEWER'],
    ]);

    expect((await refusal(member.caller.teams.members.remove({ teamId: team.id, userId: viewer.id }))).code).toBe(
      'FORBIDDEN',
    );
    expect((await refusal(admin.caller.teams.members.remove({ teamId: team.id, userId: otherAdmin.id }))).code).toBe(
      'FORBIDDEN',
    );
    await admin.caller.teams.members.remove({ teamId: team.id, userId: viewer.id });
    await owner.caller.teams.members.remove({ teamId: team.id, userId: otherAdmin.id });
    expect(Object.keys(await rolesOf(team.id)).sort()).toEqual([owner.id, admin.id, member.id].sort());
  });

  it('the last OWNER can neither leave nor be removed', async () => {
    const owner = await createUser(deps);
    const team = await teamOf(owner);
    expect(await refusal(owner.caller.teams.members.remove({ teamId: team.id, userId: owner.id }))).toMatchObject({
      code: 'CONFLICT',
    });
    expect(await rolesOf(team.id)).toEqual({ [owner.id]: 'OWNER' });
  });
});

describe("a global ADMIN's access to a team they are not in", () => {
  it('reads it as OWNER, each read on the record; manages members, audited as such; may not rename or delete it', async () => {
    const owner = await createUser(deps);
    const member = await createUser(deps);
    const globalAdmin = await createUser(deps, { role: 'ADMIN' });
    const team = await teamOf(owner, [[member, 'MEMBER']]);

    await expect(globalAdmin.caller.teams.get({ teamId: team.id })).resolves.toMatchObject({ role: 'OWNER' });
    expect(await auditOf('team.admin_read', team.id)).toEqual([
      { actor_id: globalAdmin.id, metadata: { teamId: team.id, procedure: 'teams.get', asGlobalAdmin: true } },
    ]);

    await globalAdmin.caller.teams.members.setRole({ teamId: team.id, userId: member.id, role: 'ADMIN' });
    expect(await auditOf('team.member_role_changed', member.id)).toEqual([
      {
        actor_id: globalAdmin.id,
        metadata: { teamId: team.id, userId: member.id, from: 'MEMBER', to: 'ADMIN', asGlobalAdmin: true },
      },
    ]);
    expect(await refusal(globalAdmin.caller.teams.update({ teamId: team.id, name: 'Taken over' }))).toEqual({
      code: 'FORBIDDEN',
      message: 'Only the team’s own members may do this',
    });
    expect((await refusal(globalAdmin.caller.teams.delete({ teamId: team.id }))).code).toBe('FORBIDDEN');
    // Not a member: the admin's own list is unchanged.
    expect(await globalAdmin.caller.teams.list()).toEqual([]);
  });
});

describe('the role is read on every call', () => {
  it('a demoted ADMIN loses ADMIN rights on the next call, with the same token', async () => {
    const owner = await createUser(deps);
    const admin = await createUser(deps);
    const viewer = await createUser(deps);
    const team = await teamOf(owner, [
      [admin, 'ADMIN'],
      [viewer, 'VIEWER'],
    ]);
    await admin.caller.teams.update({ teamId: team.id, name: 'Before' });

    await owner.caller.teams.members.setRole({ teamId: team.id, userId: admin.id, role: 'VIEWER' });

    expect((await refusal(admin.caller.teams.update({ teamId: team.id, name: 'After' }))).code).toBe('FORBIDDEN');
    expect(
      (await refusal(admin.caller.teams.members.setRole({ teamId: team.id, userId: viewer.id, role: 'MEMBER' }))).code,
    ).toBe('FORBIDDEN');
  });
});
