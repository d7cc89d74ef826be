// Every page of the dashboard through axe-core in Chromium, signed out, as a user and as an admin:
// a moderate, serious or critical finding fails the suite.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ADMIN, accessibilityViolations, browserSuite, signIn, signUp } from './harness.js';

const run = Date.now().toString(36);
const dana = { name: 'Dana Dunn', email: `dana-${run}@keel.test`, password: 'Dana-Passw0rd1' };

const suite = browserSuite(['visitor', 'user', 'admin'], async ({ user, admin }) => {
  await signUp(user, dana);
  await signIn(admin, ADMIN);
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
      ...(await findingsOn(suite.pages.visitor, '/sign-in', 'Sign in to Keel')),
      ...(await findingsOn(suite.pages.visitor, '/sign-up', 'Create your Keel account')),
    ];
    expect(findings).toEqual([]);
  });

  it("a user's pages: projects, credits, account", async () => {
    const findings = [
      ...(await findingsOn(suite.pages.user, '/projects', 'Projects')),
      ...(await findingsOn(suite.pages.user, '/credits', 'Credits')),
      ...(await findingsOn(suite.pages.user, '/account', 'Account')),
    ];
    expect(findings).toEqual([]);
  });

  it("an admin's pages: overview, users, audit log", async () => {
    const findings = [
      ...(await findingsOn(suite.pages.admin, '/admin', 'Overview')),
      ...(await findingsOn(suite.pages.admin, '/admin/users', 'Users')),
      ...(await findingsOn(suite.pages.admin, '/admin/audit', 'Audit log')),
    ];
    expect(findings).toEqual([]);
  });

  it('raised no page error and no CSP violation', () => {
    expect(suite.problems.flat()).toEqual([]);
  });
});
