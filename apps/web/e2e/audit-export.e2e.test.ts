// The audit log's CSV export in Chromium: the filters in the URL, a download with the in-memory token,
// and the notice when the file stops at the server's bound.
import { readFileSync } from 'node:fs';
import { parseCsv } from '@keel/api/testing';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN,
  captureFailure,
  closeAll,
  type DashboardServer,
  launchChromium,
  newProfile,
  signIn,
  startDashboardServer,
} from './harness.js';

const run = Date.now().toString(36);
const user = { name: '=HYPERLINK("x")', email: `formula-${run}@keel.test`, password: 'Formula-Passw0rd' };

let server: DashboardServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: string[];

beforeAll(async () => {
  server = await startDashboardServer({ AUDIT_EXPORT_MAX_ROWS: '1' });
  browser = await launchChromium();
  ({ context, problems } = await newProfile(browser, server.url));
  page = await context.newPage();
});

afterEach(async (test) => {
  if (test.task.result?.state === 'fail') await captureFailure(test.task.name, { admin: page });
});

afterAll(async () => {
  await closeAll(context, browser, server);
});

async function post(path: string, body: unknown) {
  const response = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { user: { id: string } };
}

describe('the audit export in a real browser', () => {
  it('downloads the filtered events as CSV, neutralised, and says when the bound cut the file', async () => {
    const { user: registered } = await post('/api/auth/register', user);
    await post('/api/auth/login', { email: user.email, password: user.password });

    await signIn(page, ADMIN);
    await page.goto('/admin/audit');
    await page.getByRole('combobox', { name: 'User' }).fill(user.email);
    await page.getByRole('option', { name: new RegExp(user.email) }).click();
    await page.locator('tbody tr[data-action="auth.register"]').waitFor();
    expect(new URL(page.url()).searchParams.get('userId')).toBe(registered.id);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^keel-audit-\d{8}T\d{6}Z\.csv$/);
    const records = parseCsv(readFileSync(await download.path(), 'utf8'));
    expect(records).toHaveLength(3);
    expect(records[0]?.[2]).toBe('action');
    expect(records[1]?.slice(2, 6)).toEqual(['auth.login', registered.id, user.email, `'=HYPERLINK("x")`]);
    expect(records[2]?.[0]).toMatch(/^# truncated: more than 1 events match/);
    await page.getByText('The file stops at the export limit').waitFor();
    expect(problems).toEqual([]);
  });
});
