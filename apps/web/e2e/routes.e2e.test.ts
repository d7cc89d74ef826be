// The dashboard's routes in Chromium: the guards (signed out, not an admin, no such page) and the
// list state in the URL (malformed values fall back, defaults stay out of it, links carry filters).
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN,
  captureFailure,
  closeAll,
  type DashboardServer,
  launchChromium,
  openProfiles,
  signIn,
  signUp,
  startDashboardServer,
} from './harness.js';

const run = Date.now().toString(36);
const carol = { name: 'Carol Cole', email: `carol-${run}@keel.test`, password: 'Carol-Passw0rd' };

let server: DashboardServer;
let browser: Browser;
let contexts: BrowserContext[] = [];
let page: Page;
let admin: Page;
let problems: string[][] = [];

beforeAll(async () => {
  server = await startDashboardServer();
  browser = await launchChromium();
  ({
    pages: { user: page, admin },
    contexts,
    problems,
  } = await openProfiles(browser, server.url, ['user', 'admin']));
});

afterEach(async (context) => {
  if (context.task.result?.state === 'fail') await captureFailure(context.task.name, { user: page, admin });
});

afterAll(async () => {
  await closeAll(...contexts, browser, server);
});

const path = (p: Page) => new URL(p.url()).pathname;
const query = (p: Page) => new URL(p.url()).search;

describe('the routes in a real browser', () => {
  it('signed out, any page shows the sign-in form at its own URL; the root leads to sign-in', async () => {
    for (const at of ['/projects', '/admin/users', '/no-such-page']) {
      await page.goto(at);
      await page.getByRole('heading', { name: 'Sign in to Keel' }).waitFor();
      expect(path(page)).toBe(at);
    }
    await page.goto('/');
    await page.getByRole('heading', { name: 'Sign in to Keel' }).waitFor();
    await expect.poll(() => path(page)).toBe('/sign-in');
  });

  it('signed in, an unknown path is "Page not found" (under /admin too), an admin page "Not allowed"', async () => {
    await signUp(page, carol);
    for (const at of ['/no-such-page', '/admin/no-such-page']) {
      await page.goto(at);
      await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    }
    await page.goto('/admin');
    await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
  });

  it('signed in, the root and the sign-in page lead to the projects', async () => {
    for (const at of ['/', '/sign-in', '/sign-up']) {
      await page.goto(at);
      await page.getByRole('heading', { name: 'Projects', level: 1 }).waitFor();
      await expect.poll(() => path(page)).toBe('/projects');
    }
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link', { name: 'Projects' }).getAttribute('aria-current')).toBe('page');
    expect(await nav.getByRole('link', { name: 'Credits' }).getAttribute('aria-current')).toBeNull();
  });

  it('malformed list parameters fall back to the defaults, which stay out of the URL', async () => {
    await page.goto('/projects?page=abc&sort=owner&scope=everyone');
    await page.getByText('No projects yet').waitFor();
    expect(await page.getByLabel('Sort').inputValue()).toBe('-createdAt');
    await page.getByLabel('Sort').selectOption('name');
    await expect.poll(() => query(page)).toBe('?sort=name');
    await page.getByLabel('Sort').selectOption('-createdAt');
    await expect.poll(() => query(page)).toBe('');
  });

  it("an admin's user filters come from the URL, and a user's Activity menu item filters the audit log", async () => {
    await signIn(admin, ADMIN);
    await admin.goto(`/admin/users?q=${encodeURIComponent(carol.email)}&role=USER&active=true&sort=email`);
    await expect.poll(() => admin.locator('tbody tr').count()).toBe(1);
    expect(await admin.getByLabel('Role', { exact: true }).inputValue()).toBe('USER');
    expect(await admin.getByLabel('Status').inputValue()).toBe('true');
    expect(await admin.getByLabel('Sort').inputValue()).toBe('email');
    await admin.getByLabel('Status').selectOption('false');
    await expect.poll(() => new URL(admin.url()).searchParams.get('active')).toBe('false');
    await admin.getByText('No user matches these filters.').waitFor();
    await admin.getByLabel('Status').selectOption('');
    // The sort header reflects the URL's sort.
    expect(await admin.getByRole('columnheader', { name: /^Email/ }).getAttribute('aria-sort')).toBe('ascending');
    await admin.getByRole('button', { name: `Actions for ${carol.email}` }).click();
    await admin.getByRole('menuitem', { name: 'Activity in the audit log' }).click();

    await admin.getByRole('heading', { name: 'Audit log' }).waitFor();
    const userId = new URL(admin.url()).searchParams.get('userId');
    expect(userId).toMatch(/^[0-9a-f-]{36}$/);
    // The URL holds the id; the person picker shows whom it names.
    await expect.poll(() => admin.getByRole('combobox', { name: 'User' }).inputValue()).toBe(carol.name);
    await admin.locator('tbody tr[data-action="auth.register"]').waitFor();
  });

  it('a bad audit filter is shown next to its field, and lists nothing until fixed', async () => {
    await admin.goto('/admin/audit?userId=not-a-uuid');
    await admin.getByText('Fix the filters to see events.').waitFor();
    await admin.getByText('Invalid user id').waitFor();
    await admin.getByRole('button', { name: 'Clear' }).click();
    await expect.poll(() => query(admin)).toBe('');
    await admin.locator('tbody tr').first().waitFor();
  });

  it('raised no page error and no CSP violation in any profile', () => {
    expect(problems.flat()).toEqual([]);
  });
});
