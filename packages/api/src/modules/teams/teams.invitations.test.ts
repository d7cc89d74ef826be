// Team invitations as people live them: the mail arrives at a real SMTP server, the test reads the
// link out of it and joins — signed in as the invited address, or creating that account.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mailer } from '../../common/mailer.js';
import {
  callerFor,
  createTestDeps,
  createUser,
  linkToken,
  refusal,
  startTestSmtpServer,
  TEST_PUBLIC_URL,
  type TestDeps,
  type TestSmtpServer,
  type TestUser,
  testMailer,
  workAppJobs,
} from '../../testing/index.js';

const NEW_PASSWORD = 'N3w-Passw0rd!';
const NO_LONGER_VALID = { code: 'NOT_FOUND', message: 'This invitation is no longer valid' };

let smtp: TestSmtpServer;
let deps: TestDeps;
let mailer: Mailer;
let owner: TestUser;
let teamId: string;

beforeAll(async () => {
  smtp = await startTestSmtpServer();
  deps = await createTestDeps();
  mailer = testMailer(deps, smtp.url);
  await workAppJobs(deps, mailer);
  owner = await verifiedUser();
  teamId = (await owner.caller.teams.create({ name: 'Platform' })).id;
});
afterAll(async () => {
  await deps.close();
  mailer.close();
  await smtp.close();
});

const uniqueEmail = () => `invitee-${randomUUID()}@example.com`;

/** A signed-in account whose address is verified. */
async function verifiedUser(options: { role?: 'ADMIN' | 'USER' | 'GUEST'; email?: string } = {}): Promise<TestUser> {
  const user = await createUser(deps, options);
  await deps.db.updateTable('users').set({ email_verified: true }).where('id', '=', user.id).execute();
  return user;
}

async function inviteLink(email: string, role: 'OWNER' | 'ADMIN' | 'MEMBER' | 'VIEWER' = 'MEMBER', by = owner) {
  const invitation = await by.caller.teams.invitations.create({ teamId, email, role });
  const mail = await smtp.next(
    (received) => received.to === email && received.subject.startsWith('You are invited to the team'),
  );
  expect(mail.subject).toBe('You are invited to the team Platform on Keel');
  const token = linkToken(mail.text, TEST_PUBLIC_URL, '/team-invite');
  expect(linkToken(mail.html, TEST_PUBLIC_URL, '/team-invite')).toBe(token);
  return { invitation, token };
}

const anonymous = () => callerFor(deps);

async function roleIn(userId: string) {
  const row = await deps.db
    .selectFrom('team_members')
    .select('role')
    .where('team_id', '=', teamId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.role;
}

describe('inviting', () => {
  it('mails a link; the preview names the team, the address, the role and the inviter', async () => {
    const email = uniqueEmail();
    const { invitation, token } = await inviteLink(email, 'VIEWER');
    expect(invitation).toMatchObject({ email, role: 'VIEWER', status: 'pending', invitedBy: { id: owner.id } });

    await expect((await anonymous()).teams.invitation({ token })).resolves.toEqual({
      team: { id: teamId, name: 'Platform' },
      email,
      role: 'VIEWER',
      invitedBy: { name: 'Test User' },
      expiresAt: expect.any(String),
    });
    // The link's 7 days start with its mail, a moment after the invitation was created.
    const preview = await (await anonymous()).teams.invitation({ token });
    expect(Date.parse(preview.expiresAt)).toBeGreaterThanOrEqual(Date.parse(invitation.expiresAt));
    const audit = await deps.db
      .selectFrom('audit_events')
      .select('metadata')
      .where('action', '=', 'team.invitation_created')
      .where('target_id', '=', invitation.id)
      .executeTakeFirst();
    expect(audit?.metadata).toEqual({ teamId, email, role: 'VIEWER' });
  });

  it('an ADMIN invites below their role only; an OWNER may invite an OWNER', async () => {
    const admin = await verifiedUser();
    await deps.db.insertInto('team_members').values({ team_id: teamId, user_id: admin.id, role: 'ADMIN' }).execute();
    const invite = (role: 'OWNER' | 'ADMIN' | 'MEMBER') =>
      admin.caller.teams.invitations.create({ teamId, email: uniqueEmail(), role });

    expect(await refusal(invite('ADMIN'))).toEqual({
      code: 'FORBIDDEN',
      message: 'Only an owner may invite to a role at or above your own',
    });
    expect((await refusal(invite('OWNER'))).code).toBe('FORBIDDEN');
    await expect(invite('MEMBER')).resolves.toMatchObject({ role: 'MEMBER' });
    await expect(
      owner.caller.teams.invitations.create({ teamId, email: uniqueEmail(), role: 'OWNER' }),
    ).resolves.toMatchObject({ role: 'OWNER' });
  });

  it('refuses a second open invitation to one address, and a current member', async () => {
    const email = uniqueEmail();
    await owner.caller.teams.invitations.create({ teamId, email, role: 'MEMBER' });
    expect((await refusal(owner.caller.teams.invitations.create({ teamId, email, role: 'VIEWER' }))).code).toBe(
      'CONFLICT',
    );
    expect(
      await refusal(owner.caller.teams.invitations.create({ teamId, email: owner.email, role: 'MEMBER' })),
    ).toEqual({
      code: 'CONFLICT',
      message: 'This person is already a member of the team',
    });
  });
});

describe('accepting while signed in', () => {
  it('joins the team at the invited role when the verified address is the invited one', async () => {
    const invitee = await verifiedUser({ email: uniqueEmail() });
    const { invitation, token } = await inviteLink(invitee.email, 'MEMBER');

    const team = await invitee.caller.teams.invitations.accept({ token });
    expect(team).toMatchObject({ id: teamId, name: 'Platform', role: 'MEMBER' });
    expect(await invitee.caller.teams.list()).toEqual([expect.objectContaining({ id: teamId, role: 'MEMBER' })]);
    expect(await refusal(invitee.caller.teams.invitations.accept({ token }))).toEqual(NO_LONGER_VALID);
    const listed = await owner.caller.teams.invitations.list({ teamId, status: 'accepted' });
    expect(listed.items.map((item) => item.id)).toContain(invitation.id);
    const added = await deps.db
      .selectFrom('audit_events')
      .select('metadata')
      .where('action', '=', 'team.member_added')
      .where('target_id', '=', invitee.id)
      .executeTakeFirst();
    expect(added?.metadata).toEqual({ teamId, userId: invitee.id, role: 'MEMBER', invitationId: invitation.id });
  });

  it('refuses another address and an unverified one, and the link still works for the right account', async () => {
    const email = uniqueEmail();
    const { token } = await inviteLink(email);
    const someoneElse = await verifiedUser();
    expect((await refusal(someoneElse.caller.teams.invitations.accept({ token }))).code).toBe('FORBIDDEN');

    const unverified = await createUser(deps, { email });
    const unverifiedCaller = unverified.caller;
    expect(await refusal(unverifiedCaller.teams.invitations.accept({ token }))).toEqual({
      code: 'EMAIL_NOT_VERIFIED',
      message: 'Confirm your email address first, then accept the invitation',
    });

    await deps.db.updateTable('users').set({ email_verified: true }).where('id', '=', unverified.id).execute();
    await expect(unverifiedCaller.teams.invitations.accept({ token })).resolves.toMatchObject({ role: 'MEMBER' });
  });

  it('a global GUEST invited as MEMBER joins as VIEWER', async () => {
    const guest = await verifiedUser({ role: 'GUEST', email: uniqueEmail() });
    const { token } = await inviteLink(guest.email, 'MEMBER');
    await expect(guest.caller.teams.invitations.accept({ token })).resolves.toMatchObject({ role: 'VIEWER' });
    expect(await roleIn(guest.id)).toBe('VIEWER');
  });
});

describe('accepting while signed out', () => {
  it('creates the account (verified, whatever SIGNUP_MODE), signs it in and makes it a member', async () => {
    const email = uniqueEmail();
    const { token } = await inviteLink(email, 'VIEWER');

    // Sign-up closed: the invitation still creates the account.
    deps.config.signupMode = 'invite';
    const joined = await (await anonymous()).teams.invitations
      .accept({ token, name: 'Nia New', password: NEW_PASSWORD })
      .finally(() => {
        deps.config.signupMode = 'open';
      });
    if (!('accessToken' in joined)) throw new Error('expected a sign-in for the new account');
    expect(joined.user).toMatchObject({ email, name: 'Nia New', emailVerified: true, role: 'USER' });
    expect(joined.team).toMatchObject({ id: teamId, role: 'VIEWER' });
    const signedIn = await callerFor(deps, { accessToken: joined.accessToken });
    expect(await signedIn.teams.list()).toEqual([expect.objectContaining({ id: teamId, role: 'VIEWER' })]);
    await (await anonymous()).auth.login({ email, password: NEW_PASSWORD });
  });

  it('asks for a name and a password, field by field, and keeps the link', async () => {
    const email = uniqueEmail();
    const { token } = await inviteLink(email);
    expect(await refusal((await anonymous()).teams.invitations.accept({ token }))).toEqual({
      code: 'VALIDATION_ERROR',
      message: 'Sign in to accept, or choose a name and a password',
      details: [
        { field: 'name', message: 'Name is required to create your account' },
        { field: 'password', message: 'Password is required to create your account' },
      ],
    });
    expect(
      (await refusal((await anonymous()).teams.invitations.accept({ token, name: 'X', password: 'weak' }))).code,
    ).toBe('VALIDATION_ERROR');
    await expect(
      (await anonymous()).teams.invitations.accept({ token, name: 'Late Joiner', password: NEW_PASSWORD }),
    ).resolves.toMatchObject({ team: { id: teamId } });
  });

  it('an address that already has an account must sign in instead', async () => {
    const existing = await verifiedUser({ email: uniqueEmail() });
    const { token } = await inviteLink(existing.email);
    expect(
      await refusal((await anonymous()).teams.invitations.accept({ token, name: 'Impostor', password: NEW_PASSWORD })),
    ).toEqual({ code: 'CONFLICT', message: 'An account already uses this address: sign in with it to accept' });
    await existing.caller.teams.invitations.accept({ token });
  });

  it('under PASSWORD_LOGIN=false creates no account with a password, and the invitee signed in joins', async () => {
    const ssoOnly = { ...deps, config: { ...deps.config, passwordLogin: false } };
    const invitee = await verifiedUser({ email: uniqueEmail() });
    const { token } = await inviteLink(invitee.email);
    const signedOut = await callerFor(ssoOnly);
    expect(
      await refusal(signedOut.teams.invitations.accept({ token, name: 'Someone', password: NEW_PASSWORD })),
    ).toEqual({
      code: 'FORBIDDEN',
      message: 'Passwords do not sign in here: use single sign-on',
    });
    const signedIn = await callerFor(ssoOnly, { accessToken: invitee.accessToken });
    expect(await signedIn.teams.invitations.accept({ token })).toMatchObject({ id: teamId, role: 'MEMBER' });
  });
});

describe('revoking', () => {
  it('a revoked link no longer works, and the address may be invited again', async () => {
    const email = uniqueEmail();
    const { invitation, token } = await inviteLink(email);
    await expect(owner.caller.teams.invitations.revoke({ teamId, id: invitation.id })).resolves.toEqual({
      success: true,
    });
    expect(await refusal((await anonymous()).teams.invitation({ token }))).toEqual(NO_LONGER_VALID);
    expect(await refusal(owner.caller.teams.invitations.revoke({ teamId, id: invitation.id }))).toEqual({
      code: 'CONFLICT',
      message: 'This invitation was already revoked',
    });
    await inviteLink(email);
  });

  it("another team's invitation is unknown here, even to that team's owner", async () => {
    const otherOwner = await verifiedUser();
    const otherTeam = await otherOwner.caller.teams.create({ name: 'Other' });
    const foreign = await otherOwner.caller.teams.invitations.create({
      teamId: otherTeam.id,
      email: uniqueEmail(),
      role: 'MEMBER',
    });
    expect(await refusal(owner.caller.teams.invitations.revoke({ teamId, id: foreign.id }))).toEqual({
      code: 'NOT_FOUND',
      message: 'Invitation not found',
    });
    expect(await refusal(otherOwner.caller.teams.invitations.revoke({ teamId, id: foreign.id }))).toMatchObject({
      code: 'NOT_FOUND',
      message: 'Team not found',
    });
    expect((await otherOwner.caller.teams.invitations.list({ teamId: otherTeam.id })).items[0]?.status).toBe('pending');
  });
});

describe('two acceptances of one link at once', () => {
  it('make one account and one membership', async () => {
    const email = uniqueEmail();
    const { token } = await inviteLink(email);
    const results = await Promise.allSettled(
      ['First', 'Second', 'Third'].map(async (name) =>
        (await anonymous()).teams.invitations.accept({ token, name, password: NEW_PASSWORD }),
      ),
    );
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const accounts = await deps.db.selectFrom('users').select('id').where('email', '=', email).execute();
    expect(accounts).toHaveLength(1);
    expect(await roleIn(accounts[0]?.id ?? '')).toBe('MEMBER');
  });
});
