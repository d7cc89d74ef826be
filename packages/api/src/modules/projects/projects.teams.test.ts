// Team projects: every member reads them, MEMBER+ edit them, ADMIN+ or their creator delete them,
// a non-member learns nothing; the team is always the project row's, never the input's.
import { randomUUID } from 'node:crypto';
import type { TeamRole } from '@keel/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeps, createUser, refusal, type TestDeps, type TestUser, until } from '../../testing/index.js';
import type { LiveEvent } from '../events/events.schema.js';

let deps: TestDeps;
beforeAll(async () => {
  deps = await createTestDeps();
});
afterAll(async () => {
  await deps.close();
});

interface TeamOf {
  id: string;
  owner: TestUser;
  admin: TestUser;
  member: TestUser;
  viewer: TestUser;
}

/** A team with one person at each role. */
async function team(): Promise<TeamOf> {
  const [owner, admin, member, viewer] = [
    await createUser(deps),
    await createUser(deps),
    await createUser(deps),
    await createUser(deps),
  ] as [TestUser, TestUser, TestUser, TestUser];
  const created = await owner.caller.teams.create({ name: `Team ${randomUUID().slice(0, 8)}` });
  const members: [TestUser, TeamRole][] = [
    [admin, 'ADMIN'],
    [member, 'MEMBER'],
    [viewer, 'VIEWER'],
  ];
  await deps.db
    .insertInto('team_members')
    .values(members.map(([user, role]) => ({ team_id: created.id, user_id: user.id, role })))
    .execute();
  return { id: created.id, owner, admin, member, viewer };
}

describe('creating and listing team projects', () => {
  it('a MEMBER creates one; every member lists it with its owner; it is not among anyone’s personal projects', async () => {
    const t = await team();
    const project = await t.member.caller.projects.create({ name: 'Roadmap', teamId: t.id });
    expect(project).toMatchObject({ name: 'Roadmap', teamId: t.id, ownerId: t.member.id });

    const listed = await t.viewer.caller.projects.list({ teamId: t.id });
    expect(listed.items).toEqual([
      expect.objectContaining({ id: project.id, owner: { id: t.member.id, name: 'Test User', email: t.member.email } }),
    ]);
    expect(listed.total).toBe(1);
    expect((await t.member.caller.projects.list({})).items).toEqual([]);
    await expect(t.viewer.caller.projects.get({ id: project.id })).resolves.toMatchObject({ id: project.id });
  });

  it('a VIEWER may not create one, a non-member is told there is no such team', async () => {
    const t = await team();
    const outsider = await createUser(deps);
    expect((await refusal(t.viewer.caller.projects.create({ name: 'No', teamId: t.id }))).code).toBe('FORBIDDEN');
    expect(await refusal(outsider.caller.projects.create({ name: 'No', teamId: t.id }))).toEqual({
      code: 'NOT_FOUND',
      message: 'Team not found',
    });
    expect(await refusal(outsider.caller.projects.list({ teamId: t.id }))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('names are unique within a team and within one person’s personal projects, not across them', async () => {
    const t = await team();
    await t.member.caller.projects.create({ name: 'Plans' });
    await t.member.caller.projects.create({ name: 'Plans', teamId: t.id });
    expect(await refusal(t.admin.caller.projects.create({ name: 'Plans', teamId: t.id }))).toEqual({
      code: 'CONFLICT',
      message: 'A project with this name already exists',
    });
  });

  it("a global ADMIN lists any team's projects, on the record", async () => {
    const t = await team();
    const globalAdmin = await createUser(deps, { role: 'ADMIN' });
    await t.member.caller.projects.create({ name: 'Seen', teamId: t.id });
    expect((await globalAdmin.caller.projects.list({ teamId: t.id })).total).toBe(1);
    const reads = await deps.db
      .selectFrom('audit_events')
      .select('metadata')
      .where('action', '=', 'team.admin_read')
      .where('target_id', '=', t.id)
      .execute();
    expect(reads).toEqual([{ metadata: { teamId: t.id, procedure: 'projects.list', asGlobalAdmin: true } }]);
  });
});

describe('editing and deleting team projects', () => {
  it('MEMBER+ edit, a VIEWER does not; a non-member gets 404 for every id guessed right', async () => {
    const t = await team();
    const outsider = await createUser(deps);
    const project = await t.owner.caller.projects.create({ name: 'Shared', teamId: t.id });

    await expect(t.member.caller.projects.update({ id: project.id, description: 'edited' })).resolves.toMatchObject({
      description: 'edited',
    });
    expect((await refusal(t.viewer.caller.projects.update({ id: project.id, name: 'X' }))).code).toBe('FORBIDDEN');
    // Each call made only when awaited: a rejection nobody awaits yet is an unhandled one.
    for (const call of [
      () => outsider.caller.projects.get({ id: project.id }),
      () => outsider.caller.projects.update({ id: project.id, name: 'Stolen' }),
      () => outsider.caller.projects.delete({ id: project.id }),
    ]) {
      expect(await refusal(call())).toEqual({ code: 'NOT_FOUND', message: 'Project not found' });
    }
    expect((await t.owner.caller.projects.get({ id: project.id })).name).toBe('Shared');
  });

  it('its creator or a team ADMIN deletes it; another MEMBER does not', async () => {
    const t = await team();
    const other = await createUser(deps);
    await deps.db.insertInto('team_members').values({ team_id: t.id, user_id: other.id, role: 'MEMBER' }).execute();
    const mine = await t.member.caller.projects.create({ name: 'Mine', teamId: t.id });
    const theirs = await other.caller.projects.create({ name: 'Theirs', teamId: t.id });

    expect((await refusal(t.member.caller.projects.delete({ id: theirs.id }))).code).toBe('FORBIDDEN');
    await expect(t.member.caller.projects.delete({ id: mine.id })).resolves.toEqual({ success: true });
    await expect(t.admin.caller.projects.delete({ id: theirs.id })).resolves.toEqual({ success: true });
    const audited = await deps.db
      .selectFrom('audit_events')
      .select('metadata')
      .where('action', '=', 'project.deleted')
      .where('target_id', '=', theirs.id)
      .executeTakeFirst();
    expect(audited?.metadata).toMatchObject({ teamId: t.id, ownerId: other.id });
  });

  it('a member who left loses the team’s projects at once', async () => {
    const t = await team();
    const project = await t.member.caller.projects.create({ name: 'Left behind', teamId: t.id });
    await t.member.caller.teams.members.remove({ teamId: t.id, userId: t.member.id });

    expect((await refusal(t.member.caller.projects.get({ id: project.id }))).code).toBe('NOT_FOUND');
    expect((await refusal(t.member.caller.projects.delete({ id: project.id }))).code).toBe('NOT_FOUND');
    expect((await refusal(t.member.caller.projects.create({ name: 'After', teamId: t.id }))).code).toBe('NOT_FOUND');
  });
});

describe('moving a project into a team and back', () => {
  it('its owner moves a personal project into a team they are a MEMBER of, and back; each move is audited', async () => {
    const t = await team();
    const project = await t.member.caller.projects.create({ name: 'Travelling' });

    await expect(t.member.caller.projects.update({ id: project.id, teamId: t.id })).resolves.toMatchObject({
      teamId: t.id,
    });
    expect((await t.viewer.caller.projects.list({ teamId: t.id })).items.map((item) => item.id)).toEqual([project.id]);
    await expect(t.member.caller.projects.update({ id: project.id, teamId: null })).resolves.toMatchObject({
      teamId: null,
    });
    expect((await refusal(t.viewer.caller.projects.get({ id: project.id }))).code).toBe('FORBIDDEN');
    const moves = await deps.db
      .selectFrom('audit_events')
      .select('metadata')
      .where('action', '=', 'project.moved')
      .where('target_id', '=', project.id)
      .orderBy('seq')
      .execute();
    expect(moves.map((row) => row.metadata)).toEqual([
      { name: 'Travelling', fromTeamId: null, teamId: t.id },
      { name: 'Travelling', fromTeamId: t.id, teamId: null },
    ]);
  });

  it('refuses a mover who is only a VIEWER there, not a member, or not the owner', async () => {
    const t = await team();
    const outsider = await createUser(deps);
    const viewersOwn = await t.viewer.caller.projects.create({ name: 'Viewer’s own' });
    const outsidersOwn = await outsider.caller.projects.create({ name: 'Outsider’s own' });
    const teamProject = await t.member.caller.projects.create({ name: 'Team’s', teamId: t.id });

    expect((await refusal(t.viewer.caller.projects.update({ id: viewersOwn.id, teamId: t.id }))).code).toBe(
      'FORBIDDEN',
    );
    expect(await refusal(outsider.caller.projects.update({ id: outsidersOwn.id, teamId: t.id }))).toEqual({
      code: 'NOT_FOUND',
      message: 'Team not found',
    });
    expect(await refusal(t.admin.caller.projects.update({ id: teamProject.id, teamId: null }))).toEqual({
      code: 'FORBIDDEN',
      message: "Only the project's owner may move it",
    });
    expect((await t.viewer.caller.projects.get({ id: viewersOwn.id })).teamId).toBeNull();
  });

  it("naming another team's id never reaches that team's project", async () => {
    const a = await team();
    const b = await team();
    const bProject = await b.member.caller.projects.create({ name: 'B only', teamId: b.id });

    expect((await refusal(a.owner.caller.projects.update({ id: bProject.id, teamId: a.id }))).code).toBe('NOT_FOUND');
    expect((await refusal(a.owner.caller.projects.update({ id: bProject.id, name: 'Taken' }))).code).toBe('NOT_FOUND');
    expect(await b.member.caller.projects.get({ id: bProject.id })).toMatchObject({ name: 'B only', teamId: b.id });
  });
});

describe('live events of team projects', () => {
  it("never reach a member of another team, whatever happens to this team's projects", async () => {
    const a = await team();
    const b = await team();
    const heardByA: LiveEvent[] = [];
    const heardByB: LiveEvent[] = [];
    const unsubscribeA = deps.events.subscribe(a.owner.id, (event) => heardByA.push(event));
    const unsubscribeB = deps.events.subscribe(b.viewer.id, (event) => heardByB.push(event));
    try {
      const project = await b.member.caller.projects.create({ name: 'B private', teamId: b.id });
      await b.admin.caller.projects.update({ id: project.id, description: 'changed' });
      await b.admin.caller.projects.delete({ id: project.id });
      // B's viewer heard all three, so the bus delivered them; A's owner heard none.
      await until(
        () => heardByB.length,
        (count) => count === 3,
      );
      expect(heardByA).toEqual([]);
    } finally {
      unsubscribeA();
      unsubscribeB();
    }
  });

  it('reach every member of the team', async () => {
    const t = await team();
    const received = new Map<string, LiveEvent[]>();
    const everyone = [t.owner, t.admin, t.member, t.viewer];
    const unsubscribes = everyone.map((user) => {
      received.set(user.id, []);
      return deps.events.subscribe(user.id, (event) => received.get(user.id)?.push(event));
    });
    try {
      const project = await t.member.caller.projects.create({ name: 'Live', teamId: t.id });
      for (const user of everyone) {
        const events = await until(
          () => received.get(user.id) ?? [],
          (list) => list.length === 1,
        );
        expect(events[0]).toMatchObject({
          type: 'project.changed',
          data: { projectId: project.id, change: 'created' },
        });
      }
    } finally {
      for (const unsubscribe of unsubscribes) unsubscribe();
    }
  });
});
