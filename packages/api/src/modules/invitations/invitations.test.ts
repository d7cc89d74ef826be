// Invitations as an admin and an invitee live them: the mail arrives at a real SMTP server (sent by
// the job worker), the test reads the link out of it, previews the invitation and accepts it through
// the procedures; the same on PostgreSQL and on PGlite.
import { randomBytes } from 'node:crypto';
import type { Role } from '@keel/db';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Mailer } from '../../common/mailer.js';
import type { ApiConfig } from '../../config.js';
import {
  callerFor,
  createTestDeps,
  createUser,
  linkToken,
  type ReceivedMail,
  refusal,
  startTestSmtpServer,
  TEST_PASSWORD,
  TEST_PUBLIC_URL,
  type TestDeps,
  type TestSmtpServer,
  type TestUser,
  testMailer,
  tokensOf,
  workAppJobs,
} from '../../testing/index.js';
import { INVITATION_SUBJECT } from './invitations.mail.js';

const NEW_PASSWORD = 'Inv1ted-Passw0rd';
const NO_LONGER_VALID = { code: 'NOT_FOUND', message: 'This invitation is no longer valid' };
const DAY_MS = 24 * 60 * 60 * 1000;

let smtp: TestSmtpServer;
let deps: TestDeps;
let mailer: Mailer;
let admin: TestUser;

beforeAll(async () => {
  smtp = await startTestSmtpServer();
  deps = await createTestDeps();
  mailer = testMailer(deps, smtp.url);
  await workAppJobs(deps, mailer);
  admin = await createUser(deps, { role: 'ADMIN', name: 'Ada Admin' });
});
afterAll(async () => {
  await deps.close();
  mailer.close();
  await smtp.close();
});

const uniqueEmail = (prefix = 'invitee') => `${prefix}-${randomBytes(5).toString('hex')}@example.com`;

/** The next invitation mail to this address (waits for it). */
const invitationMailTo = (email: string) =>
  smtp.next((mail) => mail.to === email && mail.subject === INVITATION_SUBJECT);

/** The token of the mail's `/invite` link, the same in the text and the HTML part. */
function tokenOf(mail: ReceivedMail): string {
  const token = linkToken(mail.text, TEST_PUBLIC_URL, '/invite');
  expect(linkToken(mail.html, TEST_PUBLIC_URL, '/invite')).toBe(token);
  return token;
}

/** Invites `email` as `role` and reads the link's token out of the mail that arrives. */
async function invite(email = uniqueEmail(), role: Role = 'USER') {
  const invitation = await admin.caller.admin.invitations.create({ email, role });
  return { invitation, email, token: tokenOf(await invitationMailTo(email)) };
}

const anonymous = () => callerFor(deps);
const accept = async (token: string, name = 'Ivy Invitee', password = NEW_PASSWORD) =>
  (await anonymous()).auth.acceptInvitation({ token, name, password });
const preview = async (token: string) => (await anonymous()).auth.invitation({ token });

/** Moves an invitation's expiry into the past, as 7 days going by would. */
async function expire(id: string): Promise<void> {
  await deps.db
    .updateTable('invitations')
    .set({ expires_at: sql<Date>`now() - interval '1 minute'` })
    .where('id', '=', id)
    .execute();
}

/** Runs `body` with SIGNUP_MODE (and SIGNUP_DOMAINS) set, then restores the open default. */
async function withSignUpMode(mode: ApiConfig['signupMode'], domains: string[], body: () => Promise<void>) {
  deps.config.signupMode = mode;
  deps.config.signupDomains = domains;
  try {
    await body();
  } finally {
    deps.config.signupMode = 'open';
    deps.config.signupDomains = [];
  }
}

async function auditOf(targetId: string) {
  return deps.db
    .selectFrom('audit_events')
    .select(['action', 'actor_id', 'metadata'])
    .where('target_id', '=', targetId)
    .orderBy('seq')
    .execute();
}

describe('inviting and accepting', () => {
  it('an invitation mails a link; its preview names the inviter; accepting signs in a verified account with the role', async () => {
    const email = uniqueEmail();
    const invitation = await admin.caller.admin.invitations.create({ email, role: 'GUEST' });
    expect(invitation).toMatchObject({
      email,
      role: 'GUEST',
      status: 'pending',
      invitedBy: { id: admin.id, name: 'Ada Admin', email: admin.email },
      acceptedAt: null,
    });
    const expiresIn = Date.parse(invitation.expiresAt) - Date.now();
    expect(expiresIn).toBeGreaterThan(7 * DAY_MS - 60_000);
    expect(expiresIn).toBeLessThanOrEqual(7 * DAY_MS);

    const mail = await invitationMailTo(email);
    expect(mail.text).toContain('Ada Admin invited you to Keel as GUEST. The link works for 7 days.');
    expect(mail.text).toContain(`${TEST_PUBLIC_URL}/invite?token=`);
    const token = tokenOf(mail);

    expect(await preview(token)).toEqual({
      email,
      role: 'GUEST',
      invitedBy: { name: 'Ada Admin' },
      expiresAt: expect.any(String),
    });

    const signedIn = await accept(token, 'Gus Guest');
    expect(signedIn.user).toMatchObject({ email, name: 'Gus Guest', role: 'GUEST', emailVerified: true });
    const me = await (await callerFor(deps, { accessToken: signedIn.accessToken })).auth.me();
    expect(me).toMatchObject({ id: signedIn.user.id, role: 'GUEST', emailVerified: true });
    // The password chosen on the accept page is the account's.
    const login = tokensOf(await (await anonymous()).auth.login({ email, password: NEW_PASSWORD }));
    expect(login.user.id).toBe(signedIn.user.id);

    const page = await admin.caller.admin.invitations.list({ status: 'accepted' });
    expect(page.items.find((item) => item.id === invitation.id)).toMatchObject({
      status: 'accepted',
      acceptedAt: expect.any(String),
    });
    expect((await auditOf(invitation.id)).map((event) => event.action)).toEqual(['admin.invitation_created']);
    expect(await auditOf(signedIn.user.id)).toEqual([
      {
        action: 'auth.invitation_accepted',
        actor_id: signedIn.user.id,
        metadata: { invitationId: invitation.id, role: 'GUEST' },
      },
    ]);
  });

  it('a link works once: accepting it again is refused as no longer valid', async () => {
    const { token } = await invite();
    await accept(token);
    expect(await refusal(accept(token, 'Second Try'))).toEqual(NO_LONGER_VALID);
    expect(await refusal(preview(token))).toEqual(NO_LONGER_VALID);
  });

  it('a too-weak password is a VALIDATION_ERROR and leaves the link usable', async () => {
    const { token, email } = await invite();
    expect(await refusal(accept(token, 'Ivy', 'weak'))).toMatchObject({ code: 'VALIDATION_ERROR' });
    expect((await accept(token)).user.email).toBe(email);
  });

  it('an unknown token is refused as no longer valid', async () => {
    const token = randomBytes(32).toString('base64url');
    expect(await refusal(preview(token))).toEqual(NO_LONGER_VALID);
    expect(await refusal(accept(token))).toEqual(NO_LONGER_VALID);
  });
});

describe('admin.invitations.create refusals', () => {
  it('an address that already has an account is a 409', async () => {
    const user = await createUser(deps);
    expect(await refusal(admin.caller.admin.invitations.create({ email: user.email, role: 'USER' }))).toEqual({
      code: 'CONFLICT',
      message: 'An account already uses this address',
    });
  });

  it('an address with a pending invitation is a 409 asking for a resend, whatever its case', async () => {
    const email = uniqueEmail();
    await admin.caller.admin.invitations.create({ email, role: 'USER' });
    expect(await refusal(admin.caller.admin.invitations.create({ email: email.toUpperCase(), role: 'ADMIN' }))).toEqual(
      {
        code: 'CONFLICT',
        message: 'This address is already invited: resend the invitation instead',
      },
    );
  });

  it('an account created for the address after the invitation makes accepting it a 409', async () => {
    const { token, email, invitation } = await invite();
    await createUser(deps, { email });
    expect(await refusal(accept(token))).toMatchObject({ code: 'CONFLICT' });
    // Nothing was spent: the invitation is still open (the admin may revoke it).
    expect((await admin.caller.admin.invitations.list({ status: 'pending' })).items.map((i) => i.id)).toContain(
      invitation.id,
    );
  });
});

describe('resend, revoke and expiry', () => {
  it('a resend mails a new link and the old one no longer works', async () => {
    const { invitation, email, token: first } = await invite();
    await expect(admin.caller.admin.invitations.resend({ id: invitation.id })).resolves.toEqual({ success: true });
    const second = tokenOf(await invitationMailTo(email));
    expect(second).not.toBe(first);

    expect(await refusal(preview(first))).toEqual(NO_LONGER_VALID);
    expect(await refusal(accept(first))).toEqual(NO_LONGER_VALID);
    expect((await accept(second)).user.email).toBe(email);
    expect((await auditOf(invitation.id)).map((event) => event.action)).toEqual([
      'admin.invitation_created',
      'admin.invitation_resent',
    ]);
  });

  it('a revoked invitation no longer works, shows as revoked, and lets the address be invited again', async () => {
    const { invitation, email, token } = await invite();
    await expect(admin.caller.admin.invitations.revoke({ id: invitation.id })).resolves.toEqual({ success: true });

    expect(await refusal(preview(token))).toEqual(NO_LONGER_VALID);
    expect(await refusal(accept(token))).toEqual(NO_LONGER_VALID);
    const revoked = await admin.caller.admin.invitations.list({ status: 'revoked' });
    expect(revoked.items.find((item) => item.id === invitation.id)?.status).toBe('revoked');
    expect(await refusal(admin.caller.admin.invitations.revoke({ id: invitation.id }))).toMatchObject({
      code: 'CONFLICT',
    });
    expect(await refusal(admin.caller.admin.invitations.resend({ id: invitation.id }))).toMatchObject({
      code: 'CONFLICT',
    });
    expect((await auditOf(invitation.id)).map((event) => event.action)).toEqual([
      'admin.invitation_created',
      'admin.invitation_revoked',
    ]);

    const again = await admin.caller.admin.invitations.create({ email, role: 'USER' });
    expect(again.status).toBe('pending');
  });

  it('revoking or resending an unknown invitation is a 404', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    expect((await refusal(admin.caller.admin.invitations.revoke({ id }))).code).toBe('NOT_FOUND');
    expect((await refusal(admin.caller.admin.invitations.resend({ id }))).code).toBe('NOT_FOUND');
  });

  it('an expired invitation no longer works until a resend renews it with a new link', async () => {
    const { invitation, email, token } = await invite();
    await expire(invitation.id);

    expect(await refusal(preview(token))).toEqual(NO_LONGER_VALID);
    expect(await refusal(accept(token))).toEqual(NO_LONGER_VALID);
    const expired = await admin.caller.admin.invitations.list({ status: 'expired' });
    expect(expired.items.find((item) => item.id === invitation.id)?.status).toBe('expired');

    await admin.caller.admin.invitations.resend({ id: invitation.id });
    const renewed = tokenOf(await invitationMailTo(email));
    expect((await preview(renewed)).email).toBe(email);
    expect((await accept(renewed)).user.email).toBe(email);
  });
});

describe('admin.invitations.list', () => {
  it('filters by status, newest first, and pages with a cursor', async () => {
    const pending = await invite();
    const accepted = await invite();
    await accept(accepted.token);
    const revoked = await invite();
    await admin.caller.admin.invitations.revoke({ id: revoked.invitation.id });
    const expired = await invite();
    await expire(expired.invitation.id);
    const mine = new Map(
      [pending, accepted, revoked, expired].map((entry, index) => [
        entry.invitation.id,
        ['pending', 'accepted', 'revoked', 'expired'][index],
      ]),
    );

    for (const status of ['pending', 'accepted', 'revoked', 'expired'] as const) {
      const page = await admin.caller.admin.invitations.list({ status, limit: 100 });
      expect(page.items.every((item) => item.status === status)).toBe(true);
      const ours = page.items.filter((item) => mine.has(item.id)).map((item) => item.id);
      expect(ours.map((id) => mine.get(id))).toEqual([status]);
    }

    // The four newest of all, newest first, one page at a time.
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < 4; i++) {
      const page = await admin.caller.admin.invitations.list({ limit: 1, ...(cursor ? { cursor } : {}) });
      expect(page.items).toHaveLength(1);
      seen.push(page.items[0]?.id ?? '');
      cursor = page.nextCursor ?? undefined;
    }
    expect(seen).toEqual([expired, revoked, accepted, pending].map((entry) => entry.invitation.id));
  });

  it('refuses a cursor it did not hand out', async () => {
    expect(await refusal(admin.caller.admin.invitations.list({ cursor: 'not-a-cursor' }))).toMatchObject({
      code: 'VALIDATION_ERROR',
      details: [{ field: 'cursor', message: 'Invalid cursor' }],
    });
  });
});

describe('SIGNUP_MODE', () => {
  it('invite: auth.register is refused with 403, and an invitation still creates the account', async () => {
    const { token, email } = await invite(uniqueEmail('invite-mode'), 'USER');
    await withSignUpMode('invite', [], async () => {
      const register = (await anonymous()).auth.register({ email: uniqueEmail(), password: TEST_PASSWORD, name: 'N' });
      expect(await refusal(register)).toEqual({
        code: 'FORBIDDEN',
        message: 'Sign-up is by invitation only: ask an administrator for an invitation',
      });
      expect((await accept(token)).user).toMatchObject({ email, role: 'USER', emailVerified: true });
    });
  });

  it('domain: auth.register takes addresses at SIGNUP_DOMAINS only, and an invitation to any address works', async () => {
    const { token, email } = await invite(uniqueEmail('domain-mode'), 'USER');
    await withSignUpMode('domain', ['keel.test', 'corp.keel.test'], async () => {
      const other = (await anonymous()).auth.register({ email: uniqueEmail(), password: TEST_PASSWORD, name: 'N' });
      expect(await refusal(other)).toEqual({
        code: 'FORBIDDEN',
        message: 'Sign-up is open to addresses at keel.test, corp.keel.test only',
      });
      const inside = `member-${randomBytes(4).toString('hex')}@corp.keel.test`;
      const registered = await (await anonymous()).auth.register({ email: inside, password: TEST_PASSWORD, name: 'M' });
      expect(registered.user.email).toBe(inside);
      expect((await accept(token)).user.email).toBe(email);
    });
  });
});
