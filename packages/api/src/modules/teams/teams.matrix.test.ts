// The team authorization matrix: every team-scoped procedure (its input starts from
// TeamScopedInput) called by each standing a person can have toward one team. A team-scoped
// procedure added without a row here fails the first test.
import { randomUUID } from 'node:crypto';
import type { TeamRole } from '@keel/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from '../../root.js';
import { createTestDeps, createUser, outcome, type TestDeps, type TestUser } from '../../testing/index.js';
import { TeamScopedInput } from './teams.schema.js';

type Standing = TeamRole | 'otherTeam' | 'nonMember' | 'globalAdmin';
const STANDINGS: Standing[] = ['OWNER', 'ADMIN', 'MEMBER', 'VIEWER', 'otherTeam', 'nonMember', 'globalAdmin'];

interface Team {
  id: string;
  /** A VIEWER of the team who is not the caller: the member the membership procedures act on. */
  subject: TestUser;
  /** An open invitation of the team. */
  invitationId: string;
}

interface Row {
  input: (team: Team) => unknown;
  /** The outcome per standing: 'OK', or the tRPC code the call is refused with. */
  expect: Record<Standing, 'OK' | 'FORBIDDEN' | 'NOT_FOUND'>;
}

const HIDDEN = { otherTeam: 'NOT_FOUND', nonMember: 'NOT_FOUND' } as const;

const MATRIX: Record<string, Row> = {
  'teams.get': {
    input: (team) => ({ teamId: team.id }),
    expect: { OWNER: 'OK', ADMIN: 'OK', MEMBER: 'OK', VIEWER: 'OK', ...HIDDEN, globalAdmin: 'OK' },
  },
  'teams.update': {
    input: (team) => ({ teamId: team.id, name: 'Renamed' }),
    expect: { OWNER: 'OK', ADMIN: 'OK', MEMBER: 'FORBIDDEN', VIEWER: 'FORBIDDEN', ...HIDDEN, globalAdmin: 'FORBIDDEN' },
  },
  'teams.delete': {
    input: (team) => ({ teamId: team.id }),
    expect: {
      OWNER: 'OK',
      ADMIN: 'FORBIDDEN',
      MEMBER: 'FORBIDDEN',
      VIEWER: 'FORBIDDEN',
      ...HIDDEN,
      globalAdmin: 'FORBIDDEN',
    },
  },
  'teams.members.list': {
    input: (team) => ({ teamId: team.id }),
    expect: { OWNER: 'OK', ADMIN: 'OK', MEMBER: 'OK', VIEWER: 'OK', ...HIDDEN, globalAdmin: 'OK' },
  },
  'teams.members.setRole': {
    input: (team) => ({ teamId: team.id, userId: team.subject.id, role: 'MEMBER' }),
    expect: { OWNER: 'OK', ADMIN: 'OK', MEMBER: 'FORBIDDEN', VIEWER: 'FORBIDDEN', ...HIDDEN, globalAdmin: 'OK' },
  },
  'teams.members.remove': {
    input: (team) => ({ teamId: team.id, userId: team.subject.id }),
    expect: { OWNER: 'OK', ADMIN: 'OK', MEMBER: 'FORBIDDEN', VIEWER: 'FORBIDDEN', ...HIDDEN, globalAdmin: 'OK' },
  },
  'teams.invitations.create': {
    input: (team) => ({ teamId: team.id, email: `matrix-${randomUUID()}@example.com`, role: 'VIEWER' }),
    expect: { OWNER: 'OK', ADMIN: 'OK', MEMBER: 'FORBIDDEN', VIEWER: 'FORBIDDEN', ...HIDDEN, globalAdmin: 'OK' },
  },
  'teams.invitations.list': {
    input: (team) => ({ teamId: team.id }),
    expect: { OWNER: 'OK', ADMIN: 'OK', MEMBER: 'FORBIDDEN', VIEWER: 'FORBIDDEN', ...HIDDEN, globalAdmin: 'OK' },
  },
  'teams.invitations.revoke': {
    input: (team) => ({ teamId: team.id, id: team.invitationId }),
    expect: { OWNER: 'OK', ADMIN: 'OK', MEMBER: 'FORBIDDEN', VIEWER: 'FORBIDDEN', ...HIDDEN, globalAdmin: 'OK' },
  },
  // gen:module matrix entries (pnpm gen:module --scope team inserts new modules' rows above this line)
};

let deps: TestDeps;
/** One person per standing, shared by every case; each case gets a team of its own. */
const people = {} as Record<Standing, TestUser>;
let otherTeamId: string;

beforeAll(async () => {
  deps = await createTestDeps();
  for (const standing of STANDINGS) {
    people[standing] = await createUser(deps, { role: standing === 'globalAdmin' ? 'ADMIN' : 'USER' });
  }
  otherTeamId = (await people.otherTeam.caller.teams.create({ name: 'The other team' })).id;
});
afterAll(async () => {
  await deps.close();
});

/** A fresh team: OWNER created it; ADMIN, MEMBER, VIEWER and a VIEWER subject are added. */
async function freshTeam(): Promise<Team> {
  const team = await people.OWNER.caller.teams.create({ name: `Matrix ${randomUUID().slice(0, 8)}` });
  const subject = await createUser(deps);
  const members: [TestUser, TeamRole][] = [
    [people.ADMIN, 'ADMIN'],
    [people.MEMBER, 'MEMBER'],
    [people.VIEWER, 'VIEWER'],
    [subject, 'VIEWER'],
  ];
  await deps.db
    .insertInto('team_members')
    .values(members.map(([user, role]) => ({ team_id: team.id, user_id: user.id, role })))
    .execute();
  const invitation = await people.OWNER.caller.teams.invitations.create({
    teamId: team.id,
    email: `open-${randomUUID()}@example.com`,
    role: 'VIEWER',
  });
  return { id: team.id, subject, invitationId: invitation.id };
}

function procedureAt(caller: unknown, path: string) {
  return path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller) as (
    input: unknown,
  ) => Promise<unknown>;
}

describe('team authorization matrix', () => {
  it('has a row for every team-scoped procedure, and none for one that is gone', () => {
    const teamScoped = Object.entries(appRouter._def.procedures)
      .filter(([, procedure]) =>
        (procedure as unknown as { _def: { inputs: unknown[] } })._def.inputs.includes(TeamScopedInput),
      )
      .map(([path]) => path)
      .sort();
    expect(Object.keys(MATRIX).sort()).toEqual(teamScoped);
  });

  const cases = Object.entries(MATRIX).flatMap(([path, row]) =>
    STANDINGS.map((standing) => [path, standing, row.expect[standing]] as const),
  );

  it.each(cases)('%s as %s: %s', async (path, standing, expected) => {
    const team = await freshTeam();
    const result = await outcome(procedureAt(people[standing].caller, path)(MATRIX[path]?.input(team)));
    expect(result).toBe(expected);
    // A refused call changed nothing: the team and its subject are as they were.
    if (expected !== 'OK') {
      const subject = await deps.db
        .selectFrom('team_members')
        .select('role')
        .where('team_id', '=', team.id)
        .where('user_id', '=', team.subject.id)
        .executeTakeFirst();
      expect(subject?.role).toBe('VIEWER');
      const stillThere = await deps.db.selectFrom('teams').select('name').where('id', '=', team.id).executeTakeFirst();
      expect(stillThere?.name).toMatch(/^Matrix /);
    }
  });

  it('a member of another team reaches nothing of this one even naming its own team', async () => {
    const team = await freshTeam();
    const outsider = people.otherTeam.caller;
    // Its own team id with this team's member: the membership procedures act within its own team only.
    expect(
      await outcome(outsider.teams.members.setRole({ teamId: otherTeamId, userId: team.subject.id, role: 'MEMBER' })),
    ).toBe('NOT_FOUND');
    expect(await outcome(outsider.teams.members.remove({ teamId: otherTeamId, userId: team.subject.id }))).toBe(
      'NOT_FOUND',
    );
  });
});
