// The dashboard's main journey in Chromium: sign up, projects, a live credit transfer, admin role change, sign out.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN,
  captureFailure,
  closeAll,
  type DashboardServer,
  eventually,
  launchChromium,
  openProfiles,
  screenshot,
  signIn,
  signUp,
  startDashboardServer,
  WEB_DIST,
  waitForLive,
} from './harness.js';

const run = Date.now().toString(36);
const alice = { name: 'Alice Archer', email: `alice-${run}@keel.test`, password: 'Alice-Passw0rd' };
const bob = { name: 'Bob Baker', email: `bob-${run}@keel.test`, password: 'Bob-Passw0rd1' };

let server: DashboardServer;
let browser: Browser;
let contexts: BrowserContext[] = [];
let alicePage: Page;
let bobPage: Page;
let adminPage: Page;
let problems: string[][] = [];

beforeAll(async () => {
  server = await startDashboardServer();
  browser = await launchChromium();
  ({
    pages: { alice: alicePage, bob: bobPage, admin: adminPage },
    contexts,
    problems,
  } = await openProfiles(browser, server.url, ['alice', 'bob', 'admin']));
});

afterEach(async (context) => {
  if (context.task.result?.state === 'fail') {
    await captureFailure(context.task.name, { alice: alicePage, bob: bobPage, admin: adminPage });
  }
});

afterAll(async () => {
  await closeAll(...contexts, browser, server);
});

describe('the dashboard in a real browser', () => {
  it('the production bundle holds no server code', () => {
    const assets = readdirSync(join(WEB_DIST, 'assets')).filter((f) => f.endsWith('.js'));
    expect(assets.length).toBeGreaterThan(0);
    for (const file of assets) {
      const code = readFileSync(join(WEB_DIST, 'assets', file), 'utf8');
      for (const marker of ['argon2', 'kysely', 'pg-pool', 'ioredis', 'createCallerFactory', 'JWT_ACCESS_SECRET']) {
        expect(code.includes(marker), `${marker} in ${file}`).toBe(false);
      }
    }
  });

  it('sign-up refuses what the server schema refuses, next to each field, before any request', async () => {
    let trpcCalls = 0;
    alicePage.on('request', (request) => {
      if (request.url().includes('/trpc/auth.register')) trpcCalls += 1;
    });
    await alicePage.goto('/sign-up');
    await alicePage.getByLabel('Email').fill('not-an-email');
    await alicePage.getByLabel('Password').fill('short');
    await alicePage.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => alicePage.getByText('Name is required').isVisible()).toBe(true);
    expect(await alicePage.getByText('Invalid email format').isVisible()).toBe(true);
    expect(await alicePage.getByText('Password must be at least 8 characters').isVisible()).toBe(true);
    expect(await alicePage.getByLabel('Email').getAttribute('aria-invalid')).toBe('true');
    // Focus moves to the summary above the form, so the failure is announced where the user is.
    const summary = alicePage.getByRole('alert').filter({ hasText: 'Please fix the fields marked below.' });
    expect(await summary.evaluate((element) => element === document.activeElement)).toBe(true);
    expect(trpcCalls).toBe(0);
    await screenshot(alicePage, 'sign-up-validation');
  });

  it('a taken email comes back from the server next to the email field', async () => {
    await alicePage.getByLabel('Name').fill('Someone');
    await alicePage.getByLabel('Email').fill(ADMIN.email);
    await alicePage.getByLabel('Password').fill('Valid-Passw0rd');
    await alicePage.getByRole('button', { name: 'Create account' }).click();
    const emailError = alicePage.locator('.field', { has: alicePage.getByLabel('Email') }).locator('.field-error');
    await expect.poll(() => emailError.textContent()).toMatch(/.+/);
  });

  it('a new user signs up and lands on an empty projects page', async () => {
    await signUp(alicePage, alice);
    await alicePage.getByText('No projects yet').waitFor();
    // The access token lives in memory only; the refresh cookie is out of the page's reach.
    const stored = await alicePage.evaluate(() => ({
      local: localStorage.length,
      session: sessionStorage.length,
      cookie: document.cookie,
    }));
    expect(stored).toEqual({ local: 0, session: 0, cookie: '' });
    // Non-admins never see the admin navigation.
    expect(await alicePage.getByRole('navigation', { name: 'Main' }).getByText('Audit log').count()).toBe(0);
  });

  it('creates projects, finds one by search (kept in the URL) and edits it', async () => {
    for (const [name, description] of [
      ['Apollo launch', 'Ship the first release'],
      ['Zephyr notes', 'Meeting notes'],
      ['Scratch pad', ''],
    ] as const) {
      await alicePage.getByRole('button', { name: 'New project' }).click();
      await alicePage.getByLabel('Project name').fill(name);
      await alicePage.getByLabel('Description').fill(description);
      await alicePage.getByRole('button', { name: 'Create project' }).click();
      await alicePage.getByRole('cell', { name, exact: true }).waitFor();
    }

    await alicePage.getByLabel('Search by name').fill('apollo');
    await eventually(async () => new URL(alicePage.url()).searchParams.get('q') === 'apollo', { what: '?q=apollo' });
    await expect.poll(() => alicePage.locator('tbody tr').count()).toBe(1);
    await alicePage.getByRole('cell', { name: 'Apollo launch', exact: true }).waitFor();

    // The URL alone restores the list (and the session comes back through the refresh cookie).
    await alicePage.reload();
    await alicePage.getByRole('cell', { name: 'Apollo launch', exact: true }).waitFor();
    expect(await alicePage.getByLabel('Search by name').inputValue()).toBe('apollo');
    await expect.poll(() => alicePage.locator('tbody tr').count()).toBe(1);

    // Row actions sit in a menu: open it, pick Edit.
    await alicePage.getByRole('button', { name: 'Actions for Apollo launch' }).click();
    await alicePage.getByRole('menuitem', { name: 'Edit' }).click();
    await alicePage.getByLabel('Project name').fill('Apollo launch v2');
    await screenshot(alicePage, 'projects-edit');
    await alicePage.getByRole('button', { name: 'Save changes' }).click();
    await alicePage.getByRole('cell', { name: 'Apollo launch v2', exact: true }).waitFor();

    // A success notice belongs to its action: the next one clears it, so a new error never sits under an old "saved".
    const notices = alicePage.locator('.alert-success');
    await expect.poll(() => notices.count()).toBe(1);
    await alicePage.getByRole('button', { name: 'New project' }).click();
    await expect.poll(() => notices.count()).toBe(0);
    await alicePage.getByRole('button', { name: 'Create project' }).click();
    await alicePage.getByText('Please fix the field marked below.').waitFor();
    expect(await notices.count()).toBe(0);
    await alicePage.getByRole('button', { name: 'Cancel' }).click();
  });

  it('sorts by name from the column header through the URL and deletes a project after confirmation', async () => {
    await alicePage.getByLabel('Search by name').fill('');
    await eventually(async () => !new URL(alicePage.url()).searchParams.has('q'), { what: 'search cleared' });
    const names = () => alicePage.locator('tbody tr td:first-child').allTextContents();
    const nameHeader = alicePage.getByRole('columnheader', { name: /^Name/ });
    await nameHeader.getByRole('button').click();
    await eventually(async () => new URL(alicePage.url()).searchParams.get('sort') === 'name', { what: '?sort=name' });
    await expect.poll(names).toEqual(['Apollo launch v2', 'Scratch pad', 'Zephyr notes']);
    expect(await nameHeader.getAttribute('aria-sort')).toBe('ascending');
    // A second click reverses the order, and the sort select (the phone layout's control) follows.
    await nameHeader.getByRole('button').click();
    await expect.poll(names).toEqual(['Zephyr notes', 'Scratch pad', 'Apollo launch v2']);
    expect(await nameHeader.getAttribute('aria-sort')).toBe('descending');
    expect(await alicePage.getByLabel('Sort').inputValue()).toBe('-name');
    await alicePage.getByLabel('Sort').selectOption('name');
    await expect.poll(names).toEqual(['Apollo launch v2', 'Scratch pad', 'Zephyr notes']);
    await screenshot(alicePage, 'projects');

    // Cancel gives focus back to the row's menu button, which opened the dialog.
    const actionsButton = alicePage.getByRole('button', { name: 'Actions for Scratch pad' });
    const openDeleteDialog = async () => {
      await actionsButton.click();
      await alicePage.getByRole('menuitem', { name: 'Delete…' }).click();
    };
    await openDeleteDialog();
    const dialog = alicePage.getByRole('dialog', { name: 'Delete project?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(() => actionsButton.evaluate((button) => button === document.activeElement)).toBe(true);

    await openDeleteDialog();
    await dialog.waitFor();
    await screenshot(alicePage, 'projects-delete-confirm');
    await dialog.getByRole('button', { name: 'Delete project' }).click();
    await expect.poll(() => alicePage.locator('tbody tr').count()).toBe(2);
    expect(await alicePage.getByRole('cell', { name: 'Scratch pad', exact: true }).count()).toBe(0);
  });

  it('works at phone width: the menu folds under a button and tables stack', async () => {
    await alicePage.setViewportSize({ width: 390, height: 844 });
    try {
      const menu = alicePage.getByRole('button', { name: 'Menu' });
      await menu.click();
      expect(await menu.getAttribute('aria-expanded')).toBe('true');
      await screenshot(alicePage, 'phone-menu');
      // Escape folds it again and leaves focus on the button.
      await alicePage.keyboard.press('Escape');
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
      expect(await menu.evaluate((button) => button === document.activeElement)).toBe(true);
      await menu.click();
      await alicePage.getByRole('link', { name: 'Projects', exact: true }).click();
      expect(await menu.getAttribute('aria-expanded')).toBe('false');
      await alicePage.getByText('Apollo launch v2', { exact: true }).waitFor();
      const width = await alicePage.evaluate(() => document.documentElement.scrollWidth);
      expect(width).toBeLessThanOrEqual(390);
      await screenshot(alicePage, 'phone-projects');
    } finally {
      await alicePage.setViewportSize({ width: 1280, height: 860 });
    }
  });

  it('a non-admin opening an admin URL sees a clear "not allowed" page', async () => {
    await alicePage.goto('/admin/users');
    await alicePage.getByRole('heading', { name: 'Not allowed' }).waitFor();
    await screenshot(alicePage, 'not-allowed');
  });

  it('an admin grants credits to the first user', async () => {
    await signIn(adminPage, ADMIN);
    await adminPage.getByRole('link', { name: 'Overview', exact: true }).click();
    await adminPage.getByRole('heading', { name: 'Overview' }).waitFor();
    await screenshot(adminPage, 'admin-overview');

    await adminPage.getByRole('link', { name: 'Users', exact: true }).click();
    await adminPage.getByLabel('Search name or email').fill(alice.email);
    await expect.poll(() => adminPage.locator('tbody tr').count()).toBe(1);
    await adminPage.getByRole('button', { name: `Actions for ${alice.email}` }).click();
    await adminPage.getByRole('menuitem', { name: 'Grant credits…' }).click();
    await adminPage.getByLabel('Amount').fill('500');
    await adminPage.getByLabel('Reason').fill('Welcome credits');
    await adminPage.getByRole('button', { name: 'Grant credits', exact: true }).click();
    await adminPage.getByText(/Granted 500 credits to Alice Archer/).waitFor();
  });

  it("an admin's every-owner project list names each project's owner", async () => {
    await adminPage.getByRole('link', { name: 'Projects', exact: true }).click();
    await adminPage.getByLabel("Every owner's projects").check();
    await eventually(async () => new URL(adminPage.url()).searchParams.get('scope') === 'all', { what: '?scope=all' });
    await adminPage.getByLabel('Search by name').fill('Apollo launch v2');
    const row = adminPage.locator('tbody tr', { hasText: 'Apollo launch v2' });
    const owner = row.getByRole('cell', { name: new RegExp(`^${alice.name}`) });
    await owner.waitFor();
    expect(await owner.textContent()).toContain(alice.email);
    expect(await adminPage.getByRole('columnheader', { name: 'Owner' }).count()).toBe(1);
  });

  it('a transfer reaches the second user, whose open page shows the new balance without a reload', async () => {
    await signUp(bobPage, bob);
    await bobPage.getByRole('link', { name: 'Credits', exact: true }).click();
    await expect.poll(() => bobPage.getByTestId('balance').textContent()).toMatch(/^0\b/);
    await waitForLive(bobPage);
    let bobNavigations = 0;
    bobPage.on('framenavigated', (frame) => {
      if (frame === bobPage.mainFrame()) bobNavigations += 1;
    });

    await alicePage.goto('/credits');
    await expect.poll(() => alicePage.getByTestId('balance').textContent()).toMatch(/^500\b/);
    await alicePage.getByLabel('Recipient').fill('Bob Bak');
    await alicePage.getByRole('button', { name: new RegExp(bob.email) }).click();
    await alicePage.getByLabel('Amount').fill('120');
    await alicePage.getByLabel('Note (optional)').fill('Lunch');
    await alicePage.getByRole('button', { name: 'Send credits' }).click();
    await alicePage.getByText('Sent 120 credits to Bob Baker.').waitFor();
    await expect.poll(() => alicePage.getByTestId('balance').textContent()).toMatch(/^380\b/);
    await alicePage.getByRole('cell', { name: 'Lunch', exact: true }).waitFor();
    await screenshot(alicePage, 'credits');

    await expect.poll(() => bobPage.getByTestId('balance').textContent(), { timeout: 15_000 }).toMatch(/^120\b/);
    await bobPage.getByText('You received 120 credits.').waitFor();
    expect(bobNavigations).toBe(0);
    await bobPage.getByRole('cell', { name: 'Lunch', exact: true }).waitFor();
    // The history names the sender, not an id.
    await bobPage.getByRole('cell', { name: alice.name, exact: true }).waitFor();
    await screenshot(bobPage, 'credits-received-live');

    // A second transfer while the notice shows adds up in it instead of stacking another one.
    await alicePage.getByLabel('Recipient').fill('Bob Bak');
    await alicePage.getByRole('button', { name: new RegExp(bob.email) }).click();
    await alicePage.getByLabel('Amount').fill('1');
    await alicePage.getByRole('button', { name: 'Send credits' }).click();
    await alicePage.getByText('Sent 1 credit to Bob Baker.').waitFor();
    await bobPage.getByText('You received 121 credits in 2 transfers.').waitFor();
    expect(await bobPage.locator('.toast').count()).toBe(1);
  });

  it("an admin changes the second user's role, which reaches their open page, and finds it in the audit log", async () => {
    await adminPage.goto(`/admin/users?q=${encodeURIComponent(bob.email)}`);
    const role = adminPage.getByLabel(`Role of ${bob.email}`);
    await role.waitFor();
    await role.selectOption('GUEST');
    await adminPage.getByText('Bob Baker is now GUEST.').waitFor();
    await expect.poll(() => role.inputValue()).toBe('GUEST');
    await screenshot(adminPage, 'admin-users');

    await adminPage.getByRole('link', { name: 'Audit log', exact: true }).click();
    await adminPage.getByLabel('Action').fill('admin.role_changed');
    await adminPage.getByRole('button', { name: 'Apply filters' }).click();
    const row = adminPage.locator('tbody tr[data-action="admin.role_changed"]').first();
    await row.waitFor();
    const bobId = await eventually(
      async () => (await row.locator('td[data-label="Target"]').getAttribute('title')) ?? undefined,
      { what: 'the audit row target' },
    );
    expect(await row.textContent()).toContain('GUEST');
    await screenshot(adminPage, 'admin-audit');

    // The role change reaches Bob's open dashboard, without a reload: a guest cannot send credits.
    await bobPage.getByText('Your role is now GUEST.').waitFor();
    await bobPage.getByText('Guests can read their balance but cannot send credits.').waitFor();
    expect(bobId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('the account page lists the sessions and updates the profile', async () => {
    // A second session (a script signing in), so the page has one to revoke.
    const login = await fetch(`${server.url}/trpc/auth.login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0' },
      body: JSON.stringify({ email: alice.email, password: alice.password }),
    });
    expect(login.status).toBe(200);
    await alicePage.goto('/account');
    await alicePage.getByText('this device').waitFor();
    // Each Revoke button says which session it ends.
    await alicePage
      .getByRole('button', { name: /^Revoke Firefox 140 on Linux at [\d.:a-f]+, last used (just now|1 min ago)$/ })
      .waitFor();
    await alicePage.getByLabel('Name', { exact: true }).fill('Alice A. Archer');
    await alicePage.getByRole('button', { name: 'Save profile' }).click();
    await alicePage.getByText('Profile saved.').waitFor();
    await expect.poll(() => alicePage.locator('.whoami').textContent()).toContain('Alice A. Archer');
    await screenshot(alicePage, 'account');
  });

  it('the user signs out, and a reload does not bring the session back', async () => {
    await alicePage.getByRole('button', { name: 'Sign out', exact: true }).click();
    await alicePage.getByRole('heading', { name: 'Sign in to Keel' }).waitFor();
    await screenshot(alicePage, 'sign-in');
    await alicePage.reload();
    await alicePage.getByRole('heading', { name: 'Sign in to Keel' }).waitFor();
    expect(new URL(alicePage.url()).pathname).toBe('/sign-in');
  });

  it('raised no page error and no CSP violation in any profile', () => {
    expect(problems.flat()).toEqual([]);
  });
});
