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

describe('the last-owner guarantee under concurrency', () => {
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
});
