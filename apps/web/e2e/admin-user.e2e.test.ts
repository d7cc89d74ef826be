// The admin user page in Chromium: an admin opens a user from the users list, sees the profile,
// balance and sessions, grants credits, signs the user out everywhere (her open tab follows), and
// an unknown id says "No such user".
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ADMIN, browserSuite, screenshot, signIn, signUp, waitForLive } from './harness.js';

const run = Date.now().toString(36);
const uma = { name: 'Uma Umber', email: `uma-${run}@keel.test`, password: 'Uma-Passw0rd1' };

const suite = browserSuite(['admin', 'uma'], async ({ admin, uma: umaPage }) => {
  await signUp(umaPage, uma);
  await signIn(admin, ADMIN);
});

function sessionRows(page: Page) {
  return page.locator('section[aria-labelledby="user-sessions-title"] tbody tr');
}

describe('the admin user page', () => {
  it('an admin opens a user from the users list and sees her profile, balance and sessions', async () => {
    const { admin } = suite.pages;
    await admin.getByRole('link', { name: 'Users', exact: true }).click();
    await admin.getByLabel('Search name or email').fill(uma.email);
    await expect.poll(() => admin.locator('tbody tr').count()).toBe(1);
    await admin.getByRole('link', { name: uma.name, exact: true }).click();

    await admin.getByRole('heading', { name: uma.name, level: 1 }).waitFor();
    expect(new URL(admin.url()).pathname).toMatch(/^\/admin\/users\/[0-9a-f-]{36}$/);
    const profile = admin.locator('section[aria-labelledby="user-profile-title"]');
    expect(await profile.textContent()).toContain(uma.email);
    expect(await admin.getByLabel(`Role of ${uma.email}`).inputValue()).toBe('USER');
    expect(await admin.getByTestId('user-balance').textContent()).toBe('0 credits');
    // Her one session, the browser she signed up in.
    await expect.poll(() => sessionRows(admin).count()).toBe(1);
    expect(await sessionRows(admin).first().textContent()).toMatch(/Chrom(e|ium) \d+ on Linux/);
    // Her sign-up, done by herself, is in the recent activity.
    const signUpRow = admin.locator('tr[data-action="auth.register"]');
    expect(await signUpRow.textContent()).toContain(uma.name);
  });

  it('granting credits updates the balance and the activity', async () => {
    const { admin } = suite.pages;
    await admin.getByRole('button', { name: `Grant credits to ${uma.email}` }).click();
    await admin.getByLabel('Amount').fill('250');
    await admin.getByLabel('Reason').fill('Onboarding');
    await admin.getByRole('button', { name: 'Grant credits', exact: true }).click();
    await admin.getByText(/Granted 250 credits to Uma Umber/).waitFor();
    await expect.poll(() => admin.getByTestId('user-balance').textContent()).toBe('250 credits');
    const grantRow = admin.locator('tr[data-action="credits.grant"]');
    await grantRow.waitFor();
    expect(await grantRow.textContent()).toContain('Administrator');
    await screenshot(admin, 'admin-user');
  });

  it('signing her out everywhere ends the session of her open tab', async () => {
    const { admin, uma: umaPage } = suite.pages;
    await waitForLive(umaPage);
    await admin.getByRole('button', { name: 'Sign out everywhere' }).click();
    const dialog = admin.getByRole('dialog', { name: 'Sign out everywhere?' });
    expect(await dialog.textContent()).toContain('1 active session');
    await dialog.getByRole('button', { name: 'Sign out everywhere' }).click();

    await admin.getByText('Uma Umber is signed out of 1 session.').waitFor();
    await admin.getByText('No active sessions.').waitFor();
    expect(await sessionRows(admin).count()).toBe(0);
    await admin.locator('tr[data-action="admin.sessions_revoked"]').waitFor();
    // Still an active account: only the sessions ended.
    expect(await admin.locator('.page-header .tag').first().textContent()).toBe('Active');

    // Her tab hears the revocation on its live stream, and its refresh is refused: signed out.
    await umaPage.getByRole('heading', { name: 'Sign in to Keel' }).waitFor({ timeout: 15_000 });
    await umaPage.reload();
    await umaPage.getByRole('heading', { name: 'Sign in to Keel' }).waitFor();
    // She may sign in again, and the admin's page shows the new session.
    await signIn(umaPage, uma);
    await admin.reload();
    await expect.poll(() => sessionRows(admin).count()).toBe(1);
  });

  it('an unknown or malformed id shows "No such user" with a way back', async () => {
    const { admin } = suite.pages;
    for (const id of [randomUUID(), 'not-a-user']) {
      await admin.goto(`/admin/users/${id}`);
      await admin.getByRole('heading', { name: 'No such user', level: 1 }).waitFor();
    }
    await admin.getByRole('link', { name: 'Back to users' }).click();
    await admin.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
  });

  it('raised no page error and no CSP violation', () => {
    expect(suite.problems.flat()).toEqual([]);
  });
});
