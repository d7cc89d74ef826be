// Every page of the dashboard through axe-core in Chromium, signed out, as a user and as an admin:
// a moderate, serious or critical finding fails the suite.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN,
  accessibilityViolations,
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
const dana = { name: 'Dana Dunn', email: `dana-${run}@keel.test`, password: 'Dana-Passw0rd1' };

let server: DashboardServer;
let browser: Browser;
let contexts: BrowserContext[] = [];
let visitor: Page;
let user: Page;
let admin: Page;
let problems: string[][] = [];

beforeAll(async () => {
  server = await startDashboardServer();
  browser = await launchChromium();
  ({
    pages: { visitor, user, admin },
    contexts,
    problems,
  } = await openProfiles(browser, server.url, ['visitor', 'user', 'admin']));
  await signUp(user, dana);
  await signIn(admin, ADMIN);
});

afterEach(async (context) => {
  if (context.task.result?.state === 'fail') await captureFailure(context.task.name, { visitor, user, admin });
});

afterAll(async () => {
  await closeAll(...contexts, browser, server);
});

/** Opens `path`, waits for its main heading, and returns axe's moderate, serious and critical findings. */
async function findingsOn(page: Page, path: string, heading: string): Promise<string[]> {
  await page.goto(path);
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
  return (await accessibilityViolations(page)).map((finding) => `${path}: ${finding}`);
}

describe('every page is free of moderate, serious and critical axe findings', () => {
  it('signed out: sign-in and sign-up', async () => {
    const findings = [
      ...(await findingsOn(visitor, '/sign-in', 'Sign in to Keel')),
      ...(await findingsOn(visitor, '/sign-up', 'Create your Keel account')),
    ];
    expect(findings).toEqual([]);
  });

  it("a user's pages: projects, credits, account", async () => {
    const findings = [
      ...(await findingsOn(user, '/projects', 'Projects')),
      ...(await findingsOn(user, '/credits', 'Credits')),
      ...(await findingsOn(user, '/account', 'Account')),
    ];
    expect(findings).toEqual([]);
  });

  it("an admin's pages: overview, users, audit log", async () => {
    const findings = [
      ...(await findingsOn(admin, '/admin', 'Overview')),
      ...(await findingsOn(admin, '/admin/users', 'Users')),
      ...(await findingsOn(admin, '/admin/audit', 'Audit log')),
    ];
    expect(findings).toEqual([]);
  });

  it('raised no page error and no CSP violation', () => {
    expect(problems.flat()).toEqual([]);
  });
});
