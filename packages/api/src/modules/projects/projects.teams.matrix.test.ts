// The team authorization matrix of projects.*: each procedure on a team project (or with a
// teamId) called by each standing a person can have toward the team. The team is always the
// project row's, so a member of another team reaches nothing.
import { randomUUID } from 'node:crypto';
import type { TeamRole } from '@keel/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeps, createUser, outcome, type TestDeps, type TestUser } from '../../testing/index.js';

type Standing = TeamRole | 'otherTeam' | 'nonMember' | 'globalAdmin';
const STANDINGS: Standing[] = ['OWNER', 'ADMIN', 'MEMBER', 'VIEWER', 'otherTeam', 'nonMember', 'globalAdmin'];
type Outcome = 'OK' | 'FORBIDDEN' | 'NOT_FOUND';

interface Fixture {
  teamId: string;
  /** A project of the team, created by its OWNER. */
  projectId: string;
}

const HIDDEN = { otherTeam: 'NOT_FOUND', nonMember: 'NOT_FOUND' } as const;

const MATRIX: Record<
  string,
  { call: (caller: TestUser['caller'], f: Fixture) => Promise<unknown>; expect: Record<Standing, Outcome> }
> = {
  'projects.list': {
    call: (caller, f) => caller.projects.list({ teamId: f.teamId }),
    expect: { OWNER: 'OK', ADMIN: 'OK', MEMBER: 'OK', VIEWER: 'OK', ...HIDDEN, globalAdmin: 'OK' },
  },
  'projects.create': {
    call: (caller, f) => caller.projects.create({ name: `New ${randomUUID().slice(0, 8)}`, teamId: f.teamId }),
    expect: { OWNER: 'OK', ADMIN: 'OK', MEMBER: 'OK', VIEWER: 'FORBIDDEN', ...HIDDEN, globalAdmin: 'FORBIDDEN' },
  },
  'projects.get': {
    call: (caller, f) => caller.projects.get({ id: f.projectId }),
    expect: { OWNER: 'OK', ADMIN: 'OK', MEMBER: 'OK', VIEWER: 'OK', ...HIDDEN, globalAdmin: 'OK' },
  },
  'projects.update': {
    call: (caller, f) => caller.projects.update({ id: f.projectId, description: 'edited' }),
    expect: { OWNER: 'OK', ADMIN: 'OK', MEMBER: 'OK', VIEWER: 'FORBIDDEN', ...HIDDEN, globalAdmin: 'OK' },
  },
  'projects.delete': {
    call: (caller, f) => caller.projects.delete({ id: f.projectId }),
    expect: { OWNER: 'OK', ADMIN: 'OK', MEMBER: 'FORBIDDEN', VIEWER: 'FORBIDDEN', ...HIDDEN, globalAdmin: 'OK' },
  },
};

let deps: TestDeps;
const people = {} as Record<Standing, TestUser>;

beforeAll(async () => {
  deps = await createTestDeps();
  for (const standing of STANDINGS) {
    people[standing] = await createUser(deps, { role: standing === 'globalAdmin' ? 'ADMIN' : 'USER' });
  }
  await people.otherTeam.caller.teams.create({ name: 'The other team' });
});
afterAll(async () => {
  await deps.close();
});

async function fixture(): Promise<Fixture> {
  const team = await people.OWNER.caller.teams.create({ name: `Matrix ${randomUUID().slice(0, 8)}` });
  const members: [Standing, TeamRole][] = [
    ['ADMIN', 'ADMIN'],
    ['MEMBER', 'MEMBER'],
    ['VIEWER', 'VIEWER'],
  ];
  await deps.db
    .insertInto('team_members')
    .values(members.map(([standing, role]) => ({ team_id: team.id, user_id: people[standing].id, role })))
    .execute();
  const project = await people.OWNER.caller.projects.create({ name: 'Matrix project', teamId: team.id });
  return { teamId: team.id, projectId: project.id };
}

describe('team projects authorization matrix', () => {
  it('covers every projects.* procedure but the personal-only ones', async () => {
    const { appRouter } = await import('../../root.js');
    const procedures = Object.keys(appRouter._def.procedures).filter((path) => path.startsWith('projects.'));
    expect(Object.keys(MATRIX).sort()).toEqual(procedures.sort());
  });

  const cases = Object.entries(MATRIX).flatMap(([path, row]) =>
    STANDINGS.map((standing) => [path, standing, row.expect[standing]] as const),
  );

  it.each(cases)('%s as %s: %s', async (path, standing, expected) => {
    const f = await fixture();
    expect(await outcome(MATRIX[path]?.call(people[standing].caller, f) ?? Promise.resolve())).toBe(expected);
    if (expected !== 'OK') {
      // A refused call changed nothing.
      const project = await deps.db
        .selectFrom('projects')
        .select(['name', 'description', 'team_id'])
        .where('id', '=', f.projectId)
        .executeTakeFirst();
      expect(project).toEqual({ name: 'Matrix project', description: null, team_id: f.teamId });
    }
  });
});
