// Invitations in Chromium, with mail sent over real SMTP: an admin invites an address from the
// Invitations page, the invitee opens the mailed link in a fresh browser, sees who invited her as
// what, chooses a name and a password and lands signed in on her projects; the admin's list shows
// it accepted; a revoked invitation's link and a link replaced by "Resend" are refused.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  ADMIN,
  accessibilityViolations,
  browserSuite,
  callsOf,
  mailedLink as mailedLinkOf,
  screenshot,
  signIn,
  signOut,
} from './harness.js';

const run = Date.now().toString(36);
const ivy = { name: 'Ivy Invited', email: `ivy-${run}@keel.test`, password: 'Ivy-Passw0rd1' };
const rex = `rex-${run}@keel.test`;
const sam = `sam-${run}@keel.test`;
const REFUSED = 'This invitation is no longer valid';

/** admin: the bootstrapped administrator; ivy: a browser that never opened Keel; visitor: opens the refused links. */
const suite = browserSuite(['admin', 'ivy', 'visitor'] as const, async ({ admin }) => signIn(admin, ADMIN), {
  mail: true,
});

/** The invitation link of the next mail to `to`, as the mail gives it (the same in its text and HTML parts). */
async function invitationLink(to: string, role: string): Promise<string> {
  const { link, text } = await mailedLinkOf(suite, (mail) => mail.to === to, '/invite');
  expect(text).toContain(`Administrator invited you to Keel as ${role}.`);
  return link;
}

const row = (email: string) => suite.pages.admin.locator(`tr[data-invitation-email="${email}"]`);
const statusOf = (email: string) => row(email).locator('td[data-label="Status"]').textContent();
const card = (page: Page) => page.getByRole('region', { name: 'Accept your invitation' });

async function invite(email: string, role: 'ADMIN' | 'USER' | 'GUEST') {
  const { admin } = suite.pages;
  await admin.getByLabel('Email').fill(email);
  await admin.getByLabel('Role').selectOption(role);
  await admin.getByRole('button', { name: 'Send invitation' }).click();
  await admin.getByText(`Invitation sent to ${email} as ${role}.`).waitFor();
  await expect.poll(() => statusOf(email)).toBe('Pending');
}

async function rowAction(email: string, action: string) {
  await suite.pages.admin.getByRole('button', { name: `Actions for the invitation of ${email}` }).click();
  await suite.pages.admin.getByRole('menuitem', { name: action }).click();
}

describe('an invitation accepted', () => {
  let link = '';

  it('an admin invites an address as USER from the Invitations page, and it is mailed a link', async () => {
    const { admin } = suite.pages;
    await admin.getByRole('link', { name: 'Invitations', exact: true }).click();
    await admin.getByRole('heading', { name: 'Invitations', level: 1 }).waitFor();
    await invite(ivy.email, 'USER');
    expect(await row(ivy.email).textContent()).toContain('Administrator');
    link = await invitationLink(ivy.email, 'USER');

    // A second invitation of the address, and one of an address that has an account, are refused at the field.
    await admin.getByLabel('Email').fill(ivy.email);
    await admin.getByRole('button', { name: 'Send invitation' }).click();
    await admin.getByText('This address is already invited: resend the invitation instead').waitFor();
    await admin.getByLabel('Email').fill(ADMIN.email);
    await admin.getByRole('button', { name: 'Send invitation' }).click();
    await admin.getByText('An account already uses this address').waitFor();
    expect(await row(ADMIN.email).count()).toBe(0);
  });

  it('the invitee opens the link in a fresh browser, sees who invited her as what, and lands signed in on her projects', async () => {
    const { ivy: page } = suite.pages;
    const calls = callsOf(page, 'auth.acceptInvitation');
    await page.goto(link);
    await card(page).getByText('Administrator invited you to Keel as USER.').waitFor();
    expect(await card(page).textContent()).toContain(ivy.email);
    expect(await page.getByLabel('Email').inputValue()).toBe(ivy.email);

    await page.getByLabel('Name').fill(ivy.name);
    await page.getByLabel('Password', { exact: true }).fill(ivy.password);
    await page.getByLabel('Confirm the password').fill(ivy.password);
    await screenshot(page, 'invite-accept');
    expect(await accessibilityViolations(page)).toEqual([]);

    // Two different passwords are refused in the page: nothing is sent, the link stays good.
    await page.getByLabel('Confirm the password').fill(`${ivy.password}x`);
    await page.getByRole('button', { name: 'Create my account' }).click();
    await page.getByText('The two passwords differ: type the same one twice').waitFor();
    expect(calls).toEqual([]);
    await page.getByLabel('Confirm the password').fill(ivy.password);

    await page.getByRole('button', { name: 'Create my account' }).click();
    await page.getByRole('heading', { name: 'Projects', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/projects');
    expect(calls).toEqual(['POST']);
    // Her account has the invited role, and her address counts as confirmed (the link proved it).
    expect(await page.locator('.whoami').textContent()).toBe(`${ivy.name} USER`);
    expect(await page.getByRole('region', { name: 'Unconfirmed email address' }).count()).toBe(0);
    // She signs in again with the password she chose.
    await signOut(page);
    await signIn(page, ivy);
  });

  it('the admin list shows it accepted, and the status filter in the URL narrows the list', async () => {
    const { admin, visitor } = suite.pages;
    await admin.reload();
    await expect.poll(() => statusOf(ivy.email)).toBe('Accepted');
    expect(await row(ivy.email).locator('td[data-label="Sent / expires"] .cell-note').textContent()).toMatch(
      /^accepted /,
    );

    await admin.getByLabel('Status').selectOption('pending');
    await admin.getByText('No pending invitation.').waitFor();
    expect(new URL(admin.url()).searchParams.get('status')).toBe('pending');
    await admin.goto('/admin/invitations?status=accepted');
    await expect.poll(() => statusOf(ivy.email)).toBe('Accepted');
    expect(await admin.getByLabel('Status').inputValue()).toBe('accepted');
    await admin.getByLabel('Status').selectOption('');
    await expect.poll(() => new URL(admin.url()).search).toBe('');

    // The link worked once.
    await visitor.goto(link);
    await card(visitor).getByText(REFUSED).waitFor();
  });
});

describe('a revoked or resent invitation', () => {
  it("a revoked invitation's link says it is no longer valid", async () => {
    const { admin, visitor } = suite.pages;
    await invite(rex, 'GUEST');
    const link = await invitationLink(rex, 'GUEST');
    await rowAction(rex, 'Revoke…');
    const dialog = admin.getByRole('dialog', { name: 'Revoke the invitation?' });
    expect(await dialog.textContent()).toContain(rex);
    await dialog.getByRole('button', { name: 'Revoke' }).click();
    await admin.getByText(`The invitation of ${rex} is revoked.`).waitFor();
    await expect.poll(() => statusOf(rex)).toBe('Revoked');

    await visitor.goto(link);
    await card(visitor).getByText(REFUSED).waitFor();
    expect(await card(visitor).getByRole('button', { name: 'Create my account' }).count()).toBe(0);
  });

  it('Resend from the row menu mails a new link, and the old one is refused', async () => {
    const { admin, visitor, ivy: signedIn } = suite.pages;
    await invite(sam, 'USER');
    const first = await invitationLink(sam, 'USER');
    await rowAction(sam, 'Resend');
    await admin.getByText(`A new invitation is on its way to ${sam}; the earlier link no longer works.`).waitFor();
    const second = await invitationLink(sam, 'USER');
    expect(second).not.toBe(first);
    expect(await statusOf(sam)).toBe('Pending');
    // Reloaded, without the notices over the list: one invitation in each state.
    await admin.reload();
    await expect.poll(() => statusOf(sam)).toBe('Pending');
    await screenshot(admin, 'admin-invitations');
    expect(await accessibilityViolations(admin)).toEqual([]);

    await visitor.goto(first);
    await card(visitor).getByText(REFUSED).waitFor();
    await visitor.goto(second);
    await card(visitor).getByRole('button', { name: 'Create my account' }).waitFor();

    // Someone signed in is asked to sign out first; once out, the same page shows the form.
    await signedIn.goto(second);
    await card(signedIn).getByText(`You are signed in as ${ivy.name} (${ivy.email}).`).waitFor();
    await card(signedIn).getByRole('button', { name: 'Sign out to accept' }).click();
    await card(signedIn).getByRole('button', { name: 'Create my account' }).waitFor();
    expect(new URL(signedIn.url()).pathname).toBe('/invite');
  });

  it('raised no page error and no CSP violation in any profile', () => {
    expect(suite.problems.flat()).toEqual([]);
  });
});
