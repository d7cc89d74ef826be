// Token lifetimes in the browser: a 2-second access token refreshed transparently, and two tabs refreshing together.
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closeAll,
  type DashboardServer,
  eventually,
  launchChromium,
  newProfile,
  signUp,
  startDashboardServer,
  waitForLive,
} from './harness.js';

const TTL_SECONDS = 2;
const run = Date.now().toString(36);

let server: DashboardServer;
let browser: Browser;

beforeAll(async () => {
  server = await startDashboardServer({ ACCESS_TOKEN_TTL_SECONDS: String(TTL_SECONDS) });
  browser = await launchChromium();
});

afterAll(async () => {
  await closeAll(browser, server);
});

/** Every answer to auth.refresh seen by a browser profile, in order. */
function recordRefreshes(context: BrowserContext) {
  const statuses: number[] = [];
  context.on('response', (response: Response) => {
    if (new URL(response.url()).pathname === '/trpc/auth.refresh') statuses.push(response.status());
  });
  return statuses;
}

async function showsDashboard(page: Page): Promise<boolean> {
  return (
    (await page.getByRole('button', { name: 'Sign out', exact: true }).isVisible()) &&
    !(await page.getByRole('heading', { name: 'Sign in to Keel' }).isVisible())
  );
}

describe(`sessions with a ${TTL_SECONDS}-second access token`, () => {
  let context: BrowserContext;
  let problems: string[];

  beforeAll(async () => {
    ({ context, problems } = await newProfile(browser, server.url));
  });
  afterAll(async () => {
    await closeAll(context);
  });

  it('an access token expiring during use is refreshed transparently', async () => {
    const refreshes = recordRefreshes(context);
    const page = await context.newPage();
    await signUp(page, { name: 'Tess Timer', email: `tess-${run}@keel.test`, password: 'Tess-Passw0rd' });
    const before = refreshes.length;

    // Keep using the dashboard until the token has expired and been replaced at least twice.
    let round = 0;
    await eventually(
      async () => {
        round += 1;
        await page.getByRole('link', { name: round % 2 ? 'Credits' : 'Projects', exact: true }).click();
        const heading = round % 2 ? 'Credits' : 'Projects';
        await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
        expect(await page.locator('.state-error').count()).toBe(0);
        expect(await showsDashboard(page)).toBe(true);
        return refreshes.length - before >= 2;
      },
      { timeoutMs: 30_000, intervalMs: 400, what: 'two token refreshes during use' },
    );
    // (The profile's very first refresh, the silent restore before signing up, found no cookie: 401.)
    expect(refreshes.slice(before).filter((status) => status !== 200)).toEqual([]);

    // A write after expiry goes through too, and the live stream came back after its token ended.
    await page.getByRole('link', { name: 'Projects', exact: true }).click();
    await page.getByRole('button', { name: 'New project' }).click();
    await page.getByLabel('Project name').fill('Written after expiry');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('cell', { name: 'Written after expiry', exact: true }).waitFor();
    await waitForLive(page);
    expect(await showsDashboard(page)).toBe(true);
    await page.close();
  });

  it('two tabs sharing the cookie refresh together without signing each other out', async () => {
    const refreshes = recordRefreshes(context);
    const first = await context.newPage();
    const second = await context.newPage();
    // Both tabs restore the session from the shared cookie at the same moment.
    await Promise.all([first.goto('/projects'), second.goto('/projects')]);
    for (const page of [first, second]) await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();

    // Reloading together makes both restore through the cookie at once, again and again.
    for (let i = 0; i < 3; i++) {
      await Promise.all([first.reload(), second.reload()]);
      for (const page of [first, second]) await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
    }

    // Then both tabs' tokens keep expiring together (their live streams end and reconnect).
    const before = refreshes.length;
    await eventually(
      async () => {
        await Promise.all([
          first.getByRole('link', { name: 'Credits', exact: true }).click(),
          second.getByRole('link', { name: 'Credits', exact: true }).click(),
        ]);
        await Promise.all([first.getByTestId('balance').waitFor(), second.getByTestId('balance').waitFor()]);
        await Promise.all([
          first.getByRole('link', { name: 'Projects', exact: true }).click(),
          second.getByRole('link', { name: 'Projects', exact: true }).click(),
        ]);
        return refreshes.length - before >= 4;
      },
      { timeoutMs: 40_000, intervalMs: 300, what: 'four refreshes across the two tabs' },
    );

    // No refresh was refused (a refused one would be a race lost), and neither tab was signed out.
    expect(refreshes.filter((status) => status !== 200)).toEqual([]);
    for (const page of [first, second]) {
      expect(await showsDashboard(page)).toBe(true);
      await waitForLive(page);
    }
    // The session family is intact: a third tab still restores from the cookie.
    const third = await context.newPage();
    await third.goto('/credits');
    await third.getByTestId('balance').waitFor();
    expect(await showsDashboard(third)).toBe(true);
    expect(problems).toEqual([]);
  });
});
