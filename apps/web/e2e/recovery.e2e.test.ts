// Outages as a user lives them: the server restarts under an open page, and the browser goes offline.
// The page says what is going on, never passes rows loaded earlier off as fresh, and recovers by
// itself (no reload, no "Try again") once the server or the network is back.
import { describe, expect, it } from 'vitest';
import { browserSuite, signUp, waitForLive } from './harness.js';

const run = Date.now().toString(36);
const erin = { name: 'Erin Ellis', email: `erin-${run}@keel.test`, password: 'Erin-Passw0rd1' };

const suite = browserSuite(['user'], async ({ user }) => {
  await signUp(user, erin);
});

const SERVER_DOWN = 'The server cannot be reached.';
const OFFLINE = 'You are offline.';

describe('outages in a real browser', () => {
  it('a server restart: the page says the server is unreachable, then recovers what failed by itself', async () => {
    const page = suite.pages.user;
    const server = suite.server;
    if (!server) throw new Error('the suite has no server');
    await page.getByRole('button', { name: 'New project' }).click();
    await page.getByLabel('Project name').fill('Before the restart');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('cell', { name: 'Before the restart', exact: true }).waitFor();
    await waitForLive(page);

    await server.shutDown();
    await page.getByRole('status').filter({ hasText: SERVER_DOWN }).waitFor({ timeout: 15_000 });
    // A page opened during the outage fails, and says so rather than showing an empty ledger.
    await page.getByRole('link', { name: 'Credits', exact: true }).click();
    await page.getByRole('alert').first().waitFor({ timeout: 15_000 });

    await server.startAgain();
    await waitForLive(page);
    // What failed is fetched again once the live stream is back: the ledger shows, with no click.
    await page.getByText('No credits have moved yet.').waitFor({ timeout: 15_000 });
    await page.getByRole('status').filter({ hasText: SERVER_DOWN }).waitFor({ state: 'hidden' });
    await page.getByRole('link', { name: 'Projects', exact: true }).click();
    await page.getByRole('cell', { name: 'Before the restart', exact: true }).waitFor();
  });

  it('offline: the page says so over the rows it already had, and the notice goes when the network is back', async () => {
    const page = suite.pages.user;
    const context = page.context();
    await context.setOffline(true);
    try {
      await page.getByRole('status').filter({ hasText: OFFLINE }).waitFor();
      // The rows stay readable, under a notice that they may be out of date.
      await page.getByRole('cell', { name: 'Before the restart', exact: true }).waitFor();
    } finally {
      await context.setOffline(false);
    }
    await page.getByRole('status').filter({ hasText: OFFLINE }).waitFor({ state: 'hidden' });
    await waitForLive(page);
    expect(suite.problems.flat()).toEqual([]);
  });
});
