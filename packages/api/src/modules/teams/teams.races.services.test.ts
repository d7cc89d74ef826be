// Membership changes racing each other on PostgreSQL: whatever the interleaving, a team keeps an
// OWNER, because every change takes the team row's lock before it counts the owners.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeps, createUser, outcome, type TestDeps, type TestUser } from '../../testing/index.js';

const ROUNDS = 10;

let deps: TestDeps;
let first: TestUser;
let second: TestUser;
beforeAll(async () => {
  deps = await createTestDeps();
  first = await createUser(deps);
  second = await createUser(deps);
});
afterAll(async () => {
  await deps.close();
});

/** A team with `first` and `second` as its two owners. */
async function twoOwnerTeam(): Promise<string> {
  const team = await first.caller.teams.create({ name: `Race ${randomUUID().slice(0, 8)}` });
  await deps.db.insertInto('team_members').values({ team_id: team.id, user_id: second.id, role: 'OWNER' }).execute();
  return team.id;
}

async function ownersOf(teamId: string): Promise<string[]> {
  const rows = await deps.db
    .selectFrom('team_members')
    .select('user_id')
    .where('team_id', '=', teamId)
    .where('role', '=', 'OWNER')
    .execute();
  return rows.map((row) => row.user_id);
}

describe('membership changes under concurrency', () => {
  it('two owners demoting each other at once leave exactly one owner', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const teamId = await twoOwnerTeam();
      const results = await Promise.all([
        outcome(first.caller.teams.members.setRole({ teamId, userId: second.id, role: 'MEMBER' })),
        outcome(second.caller.teams.members.setRole({ teamId, userId: first.id, role: 'MEMBER' })),
      ]);
      const owners = await ownersOf(teamId);
      expect(owners).toHaveLength(1);
      // The one demoted first is no longer an owner, so the other change is refused.
      expect(results.sort()).toEqual(['FORBIDDEN', 'OK']);
    }
  });

  it('two owners both leaving at once: one leaves, the other is kept as the last owner', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const teamId = await twoOwnerTeam();
      const results = await Promise.all([
        outcome(first.caller.teams.members.remove({ teamId, userId: first.id })),
        outcome(second.caller.teams.members.remove({ teamId, userId: second.id })),
      ]);
      expect(results.sort()).toEqual(['CONFLICT', 'OK']);
      expect(await ownersOf(teamId)).toHaveLength(1);
    }
  });

  it('a member removed while creating projects: each create either committed before the removal or was refused', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const teamId = await twoOwnerTeam();
      const member = await createUser(deps);
      await deps.db
        .insertInto('team_members')
        .values({ team_id: teamId, user_id: member.id, role: 'MEMBER' })
        .execute();
      const creates = Array.from({ length: 6 }, (_, index) =>
        outcome(member.caller.projects.create({ name: `Racing ${index}`, teamId })),
      );
      const removal = outcome(first.caller.teams.members.remove({ teamId, userId: member.id }));
      const results = await Promise.all(creates);
      expect(await removal).toBe('OK');

      // Nothing half-done: exactly the creates that answered OK left a project, each in the team.
      const projects = await deps.db
        .selectFrom('projects')
        .select('team_id')
        .where('owner_id', '=', member.id)
        .execute();
      expect(projects).toHaveLength(results.filter((result) => result === 'OK').length);
      expect(projects.every((project) => project.team_id === teamId)).toBe(true);
      expect(results.every((result) => result === 'OK' || result === 'NOT_FOUND')).toBe(true);
      // Once the removal answered, the former member creates nothing more.
      expect(await outcome(member.caller.projects.create({ name: 'Too late', teamId }))).toBe('NOT_FOUND');
    }
  });

  it('a team deleted while a member adds a project: the project wins (409) or the team is gone (404), never a 500', async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const teamId = await twoOwnerTeam();
      const [created, deleted] = await Promise.all([
        outcome(second.caller.projects.create({ name: 'Last minute', teamId })),
        outcome(first.caller.teams.delete({ teamId })),
      ]);
      expect([
        ['OK', 'CONFLICT'],
        ['NOT_FOUND', 'OK'],
      ]).toContainEqual([created, deleted]);
      const team = await deps.db.selectFrom('teams').select('id').where('id', '=', teamId).executeTakeFirst();
      expect(team !== undefined).toBe(created === 'OK');
    }
  });
});
