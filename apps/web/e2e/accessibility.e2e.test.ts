// Every page of the dashboard through axe-core in Chromium, signed out, as a user and as an admin:
// a moderate, serious or critical finding fails the suite.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ADMIN, accessibilityViolations, browserSuite, signIn, signUp } from './harness.js';

const run = Date.now().toString(36);
const dana = { name: 'Dana Dunn', email: `dana-${run}@keel.test`, password: 'Dana-Passw0rd1' };

/** Dana's page as an admin opens it (`/admin/users/<her id>`), found once she has signed up. */
let danaPage = '';
/** The page of the team Dana creates (`/teams/<its id>`). */
let danaTeam = '';

const suite = browserSuite(['visitor', 'user', 'admin'], async ({ user, admin }) => {
  await signUp(user, dana);
  await user.goto('/teams');
  await user.getByLabel('Team name').fill('Accessible crew');
  await user.getByRole('button', { name: 'Create team' }).click();
  await user.getByRole('heading', { name: 'Accessible crew', level: 1 }).waitFor();
  danaTeam = new URL(user.url()).pathname;
  await signIn(admin, ADMIN);
  await admin.goto(`/admin/users?q=${encodeURIComponent(dana.email)}`);
  danaPage = (await admin.getByRole('link', { name: dana.name, exact: true }).getAttribute('href')) ?? '';
});

/** A well-formed link token: opening a mailed link's page spends nothing, so any token shows its form. */
const LINK = `token=${'A'.repeat(43)}`;

/** Each profile's pages, as [path, its main heading]. Dana's address is unconfirmed: hers carry the banner. */
const PAGES = {
  visitor: [
    ['/sign-in', 'Sign in to Keel'],
    ['/sign-up', 'Create your Keel account'],
    ['/forgot-password', 'Forgot your password?'],
    [`/reset-password?${LINK}`, 'Choose a new password'],
    [`/verify-email?${LINK}`, 'Confirm your email address'],
    [`/invite?${LINK}`, 'Accept your invitation'],
    [`/team-invite?${LINK}`, 'Join a team'],
  ],
  user: [
    ['/projects', 'Projects'],
    ['{danaTeamProjects}', 'Projects'],
    ['/teams', 'Teams'],
    ['{danaTeam}', 'Accessible crew'],
    [`/team-invite?${LINK}`, 'Join a team'],
    ['/credits', 'Credits'],
    ['/account', 'Account'],
    ['/api-keys', 'API keys'],
    [`/verify-email?${LINK}`, 'Confirm your email address'],
    [`/invite?${LINK}`, 'Accept your invitation'],
  ],
  admin: [
    ['/admin', 'Overview'],
    ['/admin/users', 'Users'],
    ['{danaPage}', dana.name],
    ['/admin/audit', 'Audit log'],
    ['/admin/invitations', 'Invitations'],
    ['/admin/api-keys', 'All API keys'],
  ],
} as const;

/** The pages whose path is known only once the suite has made them, by their placeholder in PAGES. */
function placeholders(): Record<string, string> {
  return {
    '{danaPage}': danaPage,
    '{danaTeam}': danaTeam,
    '{danaTeamProjects}': `/projects?team=${danaTeam.split('/').at(-1)}`,
  };
}

/** Opens each page, waits for its main heading, and collects axe's moderate, serious and critical findings. */
async function findingsOn(page: Page, pages: readonly (readonly [path: string, heading: string])[]): Promise<string[]> {
  const findings: string[] = [];
  for (const [path, heading] of pages) {
    await page.goto(placeholders()[path] ?? path);
    await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
    findings.push(...(await accessibilityViolations(page)).map((finding) => `${path}: ${finding}`));
  }
  return findings;
}

describe('every page is free of moderate, serious and critical axe findings', () => {
  it.each([
    ['signed out', 'visitor'],
    ['a user', 'user'],
    ['an admin', 'admin'],
  ] as const)('%s', async (_who, profile) => {
    expect(await findingsOn(suite.pages[profile], PAGES[profile])).toEqual([]);
  });

  it('raised no page error and no CSP violation', () => {
    expect(suite.problems.flat()).toEqual([]);
  });
});
