// The charts in Chromium: the admin overview's activity (admin.activity) drawn from seeded sign-ups,
// a refused sign-in and a transfer, and a user's balance over time (credits.balanceHistory).
import { trpcCall } from '@keel/server/src/testing/server.js';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ADMIN, accessibilityViolations, browserSuite, screenshot, signIn } from './harness.js';

const run = Date.now().toString(36);
const carol = { name: 'Carol Chart', email: `carol-${run}@keel.test`, password: 'Carol-Passw0rd' };
const dave = { name: 'Dave Data', email: `dave-${run}@keel.test`, password: 'Dave-Passw0rd1' };

let baseUrl = '';
let carolToken = '';

async function post(path: string, body: unknown, token?: string): Promise<Response> {
  return fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
}

async function register(user: typeof carol): Promise<{ accessToken: string; user: { id: string } }> {
  const response = await post('/api/auth/register', user);
  expect(response.status).toBe(200);
  return (await response.json()) as { accessToken: string; user: { id: string } };
}

const suite = browserSuite(['admin', 'carol']);

/** The chart card under `title`. */
function chart(page: Page, title: string) {
  return page.getByRole('region', { name: title, exact: true });
}

describe('charts in a real browser', () => {
  it('the admin overview charts the seeded activity and names who acted', async () => {
    const { admin } = suite.pages;
    // The server's address, from a first navigation (the suite opens blank pages).
    await admin.goto('/sign-in');
    baseUrl = new URL(admin.url()).origin;
    // On a server whose database is new: the admin it creates at start, two sign-ups, one refused
    // sign-in, the admin's sign-in (here, then in the browser), a grant and one transfer.

    const carolAccount = await register(carol);
    carolToken = carolAccount.accessToken;
    const daveAccount = await register(dave);
    expect((await post('/api/auth/login', { email: carol.email, password: 'Not-her-passw0rd' })).status).toBe(401);
    const adminLogin = await post('/api/auth/login', ADMIN);
    const { accessToken: adminToken } = (await adminLogin.json()) as { accessToken: string };
    const grant = await trpcCall(
      baseUrl,
      'admin.credits.grant',
      'mutation',
      { userId: carolAccount.user.id, amount: 100, reason: 'Chart seed' },
      { token: adminToken },
    );
    expect(grant.status).toBe(200);
    expect(
      (await post('/api/credits/transfers', { toUserId: daveAccount.user.id, amount: 40 }, carolToken)).status,
    ).toBe(200);

    await signIn(admin, ADMIN);
    await admin.goto('/admin');
    await admin.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    const signIns = chart(admin, 'Sign-ins');
    const signUps = chart(admin, 'Sign-ups');
    const transfers = chart(admin, 'Transfers');
    // Totals of the last 30 days: the admin and the two accounts; the admin's two sign-ins and
    // Carol's refused one; the one transfer of 40 credits.
    await signIns.getByText('2 sign-ins and 1 failed sign-in in the last 30 days.').waitFor();
    await signUps.getByText('3 sign-ups in the last 30 days.').waitFor();
    await transfers.getByText('1 transfer moving 40 credits in the last 30 days.').waitFor();
    for (const card of [signIns, signUps, transfers]) {
      await expect.poll(() => card.locator('svg path[d]').count()).toBeGreaterThan(0);
      // The day-by-day table behind each chart: 30 rows.
      expect(await card.locator('table tbody tr').count()).toBe(30);
    }
    // Today's row of the transfers table carries the seeded numbers.
    expect(await transfers.locator('table tbody tr').last().locator('td').allTextContents()).toEqual(['1', '40']);

    const recent = admin.getByRole('region', { name: 'Recent activity' });
    const item = (action: string) => recent.locator(`li[data-action="${action}"]`);
    await expect
      .poll(() => item('credits.transfer').textContent())
      .toContain(`${carol.name} (${carol.email}) sent credits`);
    expect(await item('credits.grant').textContent()).toContain('Administrator');
    expect(await item('auth.login_failed').textContent()).toContain(`${carol.name} (${carol.email}) failed to sign in`);
    expect(await item('auth.register').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining(dave.name), expect.stringContaining(carol.name)]),
    );
    expect(await recent.locator('li[data-action="auth.login"]').count()).toBe(0);
    await screenshot(admin, 'admin-overview-activity');

    // The range changes the series and its wording.
    await admin.getByLabel('Range').selectOption('7');
    await signUps.getByText('3 sign-ups in the last 7 days.').waitFor();
    expect(await signUps.locator('table tbody tr').count()).toBe(7);
    expect(await accessibilityViolations(admin)).toEqual([]);
  });

  it("the credits page charts the user's balance and follows a transfer", async () => {
    const { carol: page } = suite.pages;
    await signIn(page, carol);
    await page.goto('/credits');
    const balance = chart(page, 'Balance over time');
    await balance.getByText(/^0 credits at the end of .+, 60 credits now\.$/).waitFor();
    await expect.poll(() => balance.locator('svg path[d]').count()).toBeGreaterThan(0);
    expect(await balance.locator('table tbody tr').last().locator('td').textContent()).toBe('60');

    await page.getByLabel('Recipient').fill('Dave Dat');
    await page.getByRole('button', { name: new RegExp(dave.email) }).click();
    await page.getByLabel('Amount').fill('15');
    await page.getByRole('button', { name: 'Send credits' }).click();
    await page.getByText('Sent 15 credits to Dave Data.').waitFor();
    await balance.getByText(/, 45 credits now\.$/).waitFor();
    expect(await balance.locator('table tbody tr').last().locator('td').textContent()).toBe('45');
    await screenshot(page, 'credits-balance');
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('raised no page error and no CSP violation', () => {
    expect(suite.problems.flat()).toEqual([]);
  });
});
