// Token lifetimes in the browser: a 2-second access token refreshed transparently, and two tabs refreshing together.
import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  captureFailure,
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
  afterEach(async (test) => {
    if (test.task.result?.state === 'fail') {
      await captureFailure(test.task.name, Object.fromEntries(context.pages().map((page, i) => [`tab${i + 1}`, page])));
    }
  });
  afterAll(async () => {
    await closeAll(context);
  });

  it('an access token expiring during use is refreshed transparently', async () => {
    const refreshes = recordRefreshes(context);
    const page = await context.newPage();
    await signUp(page, { name: 'Tess Timer', email: `tess-${run}@keel.test`, password: 'Tess-Passw0rd' });
    // (The profile's very first refresh, the silent restore before signing up, found no cookie: 401.)
    const before = refreshes.length;

    // Without the live stream (which renews its token on its own), only requests meet the expiry.
    await page.route('**/trpc/events.onEvent**', (route) => route.abort());
    const refused: string[] = [];
    page.on('response', (response) => {
      const path = new URL(response.url()).pathname;
      if (response.status() === 401 && path !== '/trpc/auth.refresh') refused.push(path);
    });

    // Keep writing until some request was refused for an expired token, and check each write landed.
    let round = 0;
    await eventually(
      async () => {
        round += 1;
        await page.getByRole('button', { name: 'New project' }).click();
        await page.getByLabel('Project name').fill(`Round ${round}`);
        await page.getByRole('button', { name: 'Create project' }).click();
        await page.getByRole('cell', { name: `Round ${round}`, exact: true }).waitFor();
        expect(await page.locator('.state-error, .alert-error').count()).toBe(0);
        expect(await showsDashboard(page)).toBe(true);
        return refused.length >= 2;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'two requests refused for an expired token' },
    );
    expect(refreshes.slice(before).filter((status) => status !== 200)).toEqual([]);
    expect(refreshes.length - before).toBeGreaterThanOrEqual(1);
    await page.getByRole('link', { name: 'Credits', exact: true }).click();
    await page.getByTestId('balance').waitFor();

    // With the stream back, it outlives its tokens: it renews them by itself while the page sits idle.
    await page.unroute('**/trpc/events.onEvent**');
    await page.reload();
    await waitForLive(page);
    const idleFrom = refreshes.length;
    await eventually(async () => refreshes.length - idleFrom >= 2, {
      timeoutMs: 20_000,
      what: 'the live stream renewing its token twice',
    });
    expect(refreshes.slice(idleFrom).filter((status) => status !== 200)).toEqual([]);
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
