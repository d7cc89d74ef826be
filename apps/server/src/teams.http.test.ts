// Teams over HTTP: the invitation journey on the REST routes with mail through a real SMTP server,
// one team's member finding nothing of another team through REST, tRPC calls and tRPC batches,
// and a team's refusals in the REST error envelope.
import { request } from 'node:http';
import {
  linkToken,
  type OutputAt,
  type ReceivedMail,
  startTestSmtpServer,
  type TestSmtpServer,
} from '@keel/api/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectRestEnvelope, type RestErrorBody, readJson, type TrpcEnvelope } from './testing/bodies.js';
import { startTestServer, type TestServer, trpcCall } from './testing/server.js';

/** The dashboard's origin: not the server's own address, so a link can only have come from here. */
const PUBLIC_URL = 'https://dashboard.keel.test';
const PASSWORD = 'Passw0rd!';
let smtp: TestSmtpServer;
let server: TestServer;
let counter = 0;
const email = () => `teams${++counter}-${Date.now()}@example.com`;

type Team = OutputAt<'teams.create'>;
type Session = OutputAt<'auth.register'>;
/** What a signed-out acceptance answers: the new account's sign-in and the team it joined. */
type JoinedSession = Extract<OutputAt<'teams.invitations.accept'>, { accessToken: string }>;

interface Answer<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** `METHOD /api<path>` as a REST client sends it: JSON on every POST and PATCH (the CSRF guard asks it). */
async function api<T = unknown>(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (method === 'POST' || method === 'PATCH') headers['content-type'] = 'application/json';
  const response = await fetch(`${server.url}/api${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  return { status: response.status, headers: response.headers, body: await readJson<T>(response) };
}

async function signUp(name: string): Promise<Session> {
  const res = await api<Session>('POST', '/auth/register', { body: { email: email(), password: PASSWORD, name } });
  expect(res.status).toBe(200);
  return res.body;
}

async function createTeam(owner: Session, name: string): Promise<Team> {
  const res = await api<Team>('POST', '/teams', { token: owner.accessToken, body: { name } });
  expect(res.status).toBe(200);
  return res.body;
}

const invitationTo = (address: string) => (mail: ReceivedMail) =>
  mail.to === address && /invited to the team/i.test(mail.subject);

/** Invites `address` over REST and returns the invitation and the token of the link mailed to it. */
async function invite(teamId: string, inviter: Session, address: string, role: Team['role']) {
  const created = await api<OutputAt<'teams.invitations.create'>>('POST', `/teams/${teamId}/invitations`, {
    token: inviter.accessToken,
    body: { email: address, role },
  });
  expect(created.status).toBe(200);
  const mail = await smtp.next(invitationTo(address));
  return { invitation: created.body, mail, token: linkToken(mail.text, PUBLIC_URL, '/team-invite') };
}

/** A new account in the team at `role`, made the only way there is: an invitation accepted signed out. */
async function join(teamId: string, inviter: Session, role: Team['role'], name: string): Promise<JoinedSession> {
  const { token } = await invite(teamId, inviter, email(), role);
  const accepted = await api<JoinedSession>('POST', '/teams/invitations/accept', {
    body: { token, name, password: PASSWORD },
  });
  expect(accepted.status).toBe(200);
  expect(accepted.body.team).toMatchObject({ id: teamId, role });
  return accepted.body;
}

/** Every http(s) link in a message, in its text and its HTML parts. */
function linksIn(mail: ReceivedMail): string[] {
  return [...`${mail.text}\n${mail.html}`.matchAll(/https?:\/\/[^\s"<>&]+/g)].map((match) => match[0]);
}

/**
 * `POST /api<path>` as JSON naming another host, directly and as a trusted proxy would forward it
 * (fetch cannot set Host, so node:http sends it); resolves with the status.
 */
function postFromForgedHost(path: string, body: unknown, token: string): Promise<number> {
  const url = new URL(server.url);
  return new Promise<number>((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: `/api${path}`,
        headers: {
          host: 'evil.test',
          'x-forwarded-host': 'evil.test',
          'x-forwarded-proto': 'http',
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** One tRPC batch over HTTP: every call's own envelope, in the order of `calls`. */
async function trpcBatch(kind: 'query' | 'mutation', calls: [path: string, input: unknown][], token: string) {
  const paths = calls.map(([path]) => path).join(',');
  const inputs = JSON.stringify(Object.fromEntries(calls.map(([, input], index) => [index, input])));
  const headers = { authorization: `Bearer ${token}` };
  const response =
    kind === 'query'
      ? await fetch(`${server.url}/trpc/${paths}?batch=1&input=${encodeURIComponent(inputs)}`, { headers })
      : await fetch(`${server.url}/trpc/${paths}?batch=1`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: inputs,
        });
  return { status: response.status, body: await readJson<TrpcEnvelope[]>(response) };
}

beforeAll(async () => {
  smtp = await startTestSmtpServer();
  // TRUST_PROXY: even the forwarded headers of a trusted proxy never choose where links point.
  server = await startTestServer({ SMTP_URL: smtp.url, PUBLIC_URL, TRUST_PROXY: 'true' });
});
afterAll(async () => {
  await server?.close();
  await smtp?.close();
});

describe('joining a team by invitation over REST', () => {
  it('an invitee follows the mailed link, previews it, and accepting it signed out creates the account in the team', async () => {
    const owner = await signUp('Olga Owner');
    const team = await createTeam(owner, 'Orbit');
    expect(team).toMatchObject({ name: 'Orbit', role: 'OWNER' });

    const address = email();
    const { invitation, mail, token } = await invite(team.id, owner, address, 'MEMBER');
    expect(invitation).toMatchObject({ email: address, role: 'MEMBER', status: 'pending' });
    expect(mail.subject).toContain('Orbit');
    expect(mail.text).toContain(`${PUBLIC_URL}/team-invite?token=`);
    expect(mail.html).toContain(`${PUBLIC_URL}/team-invite?token=`);

    const preview = await api<OutputAt<'teams.invitation'>>(
      'GET',
      `/teams/invitations/preview?${new URLSearchParams({ token })}`,
    );
    expect(preview.status).toBe(200);
    expect(preview.body).toMatchObject({
      team: { id: team.id, name: 'Orbit' },
      email: address,
      role: 'MEMBER',
      invitedBy: { name: 'Olga Owner' },
    });

    const accepted = await api<JoinedSession>('POST', '/teams/invitations/accept', {
      body: { token, name: 'Mia Member', password: PASSWORD },
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body.accessToken).toEqual(expect.any(String));
    expect(accepted.body.user).toMatchObject({ email: address, name: 'Mia Member', role: 'USER' });
    expect(accepted.body.team).toEqual({ ...team, role: 'MEMBER' });

    const listed = await api<OutputAt<'teams.list'>>('GET', '/teams', { token: accepted.body.accessToken });
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([{ ...team, role: 'MEMBER' }]);
    const members = await api<OutputAt<'teams.members.list'>>('GET', `/teams/${team.id}/members`, {
      token: owner.accessToken,
    });
    expect(members.body.items.map((member) => [member.email, member.role])).toEqual([
      [owner.user.email, 'OWNER'],
      [address, 'MEMBER'],
    ]);

    // The link worked once: it previews nothing now, and cannot make a second account.
    const previewPath = `/teams/invitations/preview?${new URLSearchParams({ token })}`;
    const usedPreview = await api<RestErrorBody>('GET', previewPath);
    // The envelope names the route without its query: the token is not echoed back.
    expectRestEnvelope(usedPreview, 404, 'NOT_FOUND', '/api/teams/invitations/preview');
    expect(usedPreview.body.error.message).toBe('This invitation is no longer valid');
    const again = await api<RestErrorBody>('POST', '/teams/invitations/accept', {
      body: { token, name: 'Mia Again', password: PASSWORD },
    });
    expectRestEnvelope(again, 404, 'NOT_FOUND', '/api/teams/invitations/accept');
    expect(again.body.error.message).toBe('This invitation is no longer valid');
  });

  it('mails the invitation link under PUBLIC_URL, whatever Host and X-Forwarded-Host the request carries', async () => {
    const owner = await signUp('Hana Host');
    const team = await createTeam(owner, 'Harbour');
    const address = email();
    const status = await postFromForgedHost(
      `/teams/${team.id}/invitations`,
      { email: address, role: 'VIEWER' },
      owner.accessToken,
    );
    expect(status).toBe(200);
    const mail = await smtp.next(invitationTo(address));
    const links = linksIn(mail);
    expect(links.length).toBeGreaterThan(0);
    for (const link of links) expect(link.startsWith(`${PUBLIC_URL}/`)).toBe(true);
    expect(`${mail.text}${mail.html}`).not.toContain('evil.test');
    expect(linkToken(mail.text, PUBLIC_URL, '/team-invite')).toBeTruthy();
  });
});

describe('a member of one team, with every id of another team guessed right, finds nothing of it', () => {
  /** Team A's admin probes team B, whose owner, member and open invitation it knows by id. */
  let teamA: Team;
  let teamB: Team;
  let adminA: JoinedSession;
  let ownerB: Session;
  let memberB: JoinedSession;
  let invitationB: string;
  let teamBBefore: Awaited<ReturnType<typeof teamBAsItsOwnerSeesIt>>;

  /** Team B's name, members and invitations, as its owner reads them. */
  async function teamBAsItsOwnerSeesIt() {
    const token = ownerB.accessToken;
    const [team, members, invitations] = await Promise.all([
      api<Team>('GET', `/teams/${teamB.id}`, { token }),
      api<OutputAt<'teams.members.list'>>('GET', `/teams/${teamB.id}/members`, { token }),
      api<OutputAt<'teams.invitations.list'>>('GET', `/teams/${teamB.id}/invitations`, { token }),
    ]);
    expect([team.status, members.status, invitations.status]).toEqual([200, 200, 200]);
    return { team: team.body, members: members.body.items, invitations: invitations.body.items };
  }

  async function expectTeamBUnchanged() {
    expect(await teamBAsItsOwnerSeesIt()).toEqual(teamBBefore);
  }

  beforeAll(async () => {
    const ownerA = await signUp('Anna Owner');
    teamA = await createTeam(ownerA, 'Team A');
    // An ADMIN of A: the highest role below owner, enough for every procedure it probes B with.
    adminA = await join(teamA.id, ownerA, 'ADMIN', 'Adam Admin');
    expect(adminA.user.role).toBe('USER');

    ownerB = await signUp('Bella Owner');
    teamB = await createTeam(ownerB, 'Team B');
    memberB = await join(teamB.id, ownerB, 'MEMBER', 'Ben Member');
    invitationB = (await invite(teamB.id, ownerB, email(), 'VIEWER')).invitation.id;
    teamBBefore = await teamBAsItsOwnerSeesIt();
    expect(teamBBefore.members.map((member) => member.role)).toEqual(['OWNER', 'MEMBER']);
    expect(teamBBefore.invitations.map((invitation) => [invitation.id, invitation.status])).toContainEqual([
      invitationB,
      'pending',
    ]);
  });

  const restProbes: {
    label: string;
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
    path: () => string;
    body?: () => unknown;
  }[] = [
    { label: 'GET the team', method: 'GET', path: () => `/teams/${teamB.id}` },
    { label: 'PATCH the team', method: 'PATCH', path: () => `/teams/${teamB.id}`, body: () => ({ name: 'Taken' }) },
    { label: 'DELETE the team', method: 'DELETE', path: () => `/teams/${teamB.id}` },
    { label: 'GET its members', method: 'GET', path: () => `/teams/${teamB.id}/members` },
    {
      label: "PATCH a member's role",
      method: 'PATCH',
      path: () => `/teams/${teamB.id}/members/${memberB.user.id}`,
      body: () => ({ role: 'VIEWER' }),
    },
    { label: 'DELETE a member', method: 'DELETE', path: () => `/teams/${teamB.id}/members/${memberB.user.id}` },
    {
      label: 'POST an invitation',
      method: 'POST',
      path: () => `/teams/${teamB.id}/invitations`,
      body: () => ({ email: email(), role: 'VIEWER' }),
    },
    { label: 'GET its invitations', method: 'GET', path: () => `/teams/${teamB.id}/invitations` },
    { label: 'DELETE an invitation', method: 'DELETE', path: () => `/teams/${teamB.id}/invitations/${invitationB}` },
  ];

  it.each(restProbes)('REST: $label answers 404 "Team not found" and changes nothing', async (probe) => {
    const res = await api<RestErrorBody>(probe.method, probe.path(), {
      token: adminA.accessToken,
      body: probe.body?.(),
    });
    expectRestEnvelope(res, 404, 'NOT_FOUND', `/api${probe.path()}`);
    expect(res.body.error.message).toBe('Team not found');
    await expectTeamBUnchanged();
  });

  const trpcProbes: { path: string; kind: 'query' | 'mutation'; input: () => object }[] = [
    { path: 'teams.get', kind: 'query', input: () => ({ teamId: teamB.id }) },
    { path: 'teams.update', kind: 'mutation', input: () => ({ teamId: teamB.id, name: 'Taken' }) },
    { path: 'teams.delete', kind: 'mutation', input: () => ({ teamId: teamB.id }) },
    { path: 'teams.members.list', kind: 'query', input: () => ({ teamId: teamB.id }) },
    {
      path: 'teams.members.setRole',
      kind: 'mutation',
      input: () => ({ teamId: teamB.id, userId: memberB.user.id, role: 'VIEWER' }),
    },
    { path: 'teams.members.remove', kind: 'mutation', input: () => ({ teamId: teamB.id, userId: memberB.user.id }) },
    {
      path: 'teams.invitations.create',
      kind: 'mutation',
      input: () => ({ teamId: teamB.id, email: email(), role: 'VIEWER' }),
    },
    { path: 'teams.invitations.list', kind: 'query', input: () => ({ teamId: teamB.id }) },
    { path: 'teams.invitations.revoke', kind: 'mutation', input: () => ({ teamId: teamB.id, id: invitationB }) },
  ];

  it.each(trpcProbes)('tRPC: $path answers 404 NOT_FOUND and changes nothing', async (probe) => {
    const res = await trpcCall(server.url, probe.path, probe.kind, probe.input(), { token: adminA.accessToken });
    expect(res.status).toBe(404);
    expect(res.body.error.data.code).toBe('NOT_FOUND');
    expect(res.body.error.message).toBe('Team not found');
    await expectTeamBUnchanged();
  });

  it('a batch of queries answers the call on its own team and 404 for each call on the other', async () => {
    const batch = await trpcBatch(
      'query',
      [
        ['teams.get', { teamId: teamA.id }],
        ['teams.get', { teamId: teamB.id }],
        ['teams.members.list', { teamId: teamB.id }],
        ['teams.invitations.list', { teamId: teamB.id }],
      ],
      adminA.accessToken,
    );
    expect(batch.status).toBe(207);
    expect(batch.body).toHaveLength(4);
    const [own, ...foreign] = batch.body;
    expect(own?.result.data).toMatchObject({ id: teamA.id, role: 'ADMIN' });
    for (const entry of foreign) {
      expect(entry.result).toBeUndefined();
      expect(entry.error.data).toMatchObject({ code: 'NOT_FOUND', httpStatus: 404 });
    }
    // Nothing of B leaks into the batch's answer, not even its name.
    expect(JSON.stringify(batch.body)).not.toContain('Team B');
  });

  it('a batch of mutations carries out the one on its own team and refuses each on the other with 404', async () => {
    const batch = await trpcBatch(
      'mutation',
      [
        ['teams.update', { teamId: teamA.id, name: 'Team A renamed' }],
        ['teams.members.setRole', { teamId: teamB.id, userId: memberB.user.id, role: 'VIEWER' }],
        ['teams.members.remove', { teamId: teamB.id, userId: memberB.user.id }],
        ['teams.invitations.create', { teamId: teamB.id, email: email(), role: 'VIEWER' }],
        ['teams.invitations.revoke', { teamId: teamB.id, id: invitationB }],
        ['teams.delete', { teamId: teamB.id }],
      ],
      adminA.accessToken,
    );
    expect(batch.status).toBe(207);
    expect(batch.body).toHaveLength(6);
    const [own, ...foreign] = batch.body;
    expect(own?.result.data).toMatchObject({ id: teamA.id, name: 'Team A renamed' });
    for (const entry of foreign) {
      expect(entry.result).toBeUndefined();
      expect(entry.error.data).toMatchObject({ code: 'NOT_FOUND', httpStatus: 404 });
    }
    await expectTeamBUnchanged();
  });

  it('naming its own team with the other team\'s member is 404 "Member not found" and changes nothing', async () => {
    const setRole = await trpcCall(
      server.url,
      'teams.members.setRole',
      'mutation',
      { teamId: teamA.id, userId: memberB.user.id, role: 'VIEWER' },
      { token: adminA.accessToken },
    );
    expect(setRole.status).toBe(404);
    expect(setRole.body.error.data.code).toBe('NOT_FOUND');
    expect(setRole.body.error.message).toBe('Member not found');

    const remove = await trpcCall(
      server.url,
      'teams.members.remove',
      'mutation',
      { teamId: teamA.id, userId: memberB.user.id },
      { token: adminA.accessToken },
    );
    expect(remove.status).toBe(404);
    expect(remove.body.error.message).toBe('Member not found');
    await expectTeamBUnchanged();
    // The member of B still works in B as a MEMBER.
    const seen = await api<Team>('GET', `/teams/${teamB.id}`, { token: memberB.accessToken });
    expect(seen.body).toMatchObject({ id: teamB.id, role: 'MEMBER' });
  });

  it('naming its own team with the other team\'s invitation is 404 "Invitation not found" and the link stays open', async () => {
    const revoke = await api<RestErrorBody>('DELETE', `/teams/${teamA.id}/invitations/${invitationB}`, {
      token: adminA.accessToken,
    });
    expectRestEnvelope(revoke, 404, 'NOT_FOUND', `/api/teams/${teamA.id}/invitations/${invitationB}`);
    expect(revoke.body.error.message).toBe('Invitation not found');
    await expectTeamBUnchanged();
  });
});

describe('team refusals in the REST error envelope', () => {
  it('the only owner removing themself is 409 CONFLICT with the reason, and stays the owner', async () => {
    const owner = await signUp('Solo Owner');
    const team = await createTeam(owner, 'Solo');
    const path = `/teams/${team.id}/members/${owner.user.id}`;
    const refused = await api<RestErrorBody>('DELETE', path, { token: owner.accessToken });
    expectRestEnvelope(refused, 409, 'CONFLICT', `/api${path}`);
    expect(refused.body.error.message).toBe('A team keeps at least one owner: make another member an owner first');

    const still = await api<Team>('GET', `/teams/${team.id}`, { token: owner.accessToken });
    expect(still.status).toBe(200);
    expect(still.body.role).toBe('OWNER');
  });
});
