// A team's projects in Chromium, seen by two members at once: the owner creates a team and a project
// in it, which the member's open `/projects?team=` page shows without a reload; the member edits it;
// once the owner makes her a VIEWER her page (after a reload) offers no edit or delete; the owner moves
// a personal project into the team (a name the team already uses is refused at the field) and back.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  accessibilityViolations,
  browserSuite,
  mailedLink,
  screenshot,
  signIn,
  signUp,
  waitForLive,
} from './harness.js';

const run = Date.now().toString(36);
const olive = { name: 'Olive Owner', email: `olive-${run}@keel.test`, password: 'Olive-Passw0rd1' };
const mia = { name: 'Mia Member', email: `mia-${run}@keel.test`, password: 'Mia-Passw0rd12' };
const TEAM = `Lighthouse ${run}`;

/** owner: Olive, signed up; member: Mia, whose account the team's invitation creates (below). */
const suite = browserSuite(['owner', 'member'] as const, async ({ owner }) => signUp(owner, olive), { mail: true });

/** A JSON POST as a script would make it, outside both browsers' sessions. */
async function post<T>(origin: string, path: string, body: unknown, token?: string): Promise<T> {
  const response = await fetch(`${origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  expect(response.status, `${path}: ${await response.clone().text()}`).toBe(200);
  return (await response.json()) as T;
}

const row = (page: Page, name: string) => page.locator(`tr[data-project-name="${name}"]`);
const actionsButton = (page: Page, name: string) => page.getByRole('button', { name: `Actions for ${name}` });

async function projectAction(page: Page, name: string, action: string) {
  await actionsButton(page, name).click();
  await page.getByRole('menuitem', { name: action }).click();
}

async function createProject(page: Page, name: string, description = '') {
  await page.getByRole('button', { name: 'New project' }).click();
  await page.getByLabel('Project name').fill(name);
  if (description) await page.getByLabel('Description').fill(description);
  await page.getByRole('button', { name: 'Create project' }).click();
  await page.getByText(`Created “${name}”.`).waitFor();
}

describe("a team's projects, live for every member", () => {
  let teamId = '';
  let teamProjects = '';

  it('the owner creates a team; the member, invited as MEMBER, opens its projects page', async () => {
    const { owner, member } = suite.pages;
    await owner.goto('/teams');
    await owner.getByLabel('Team name').fill(TEAM);
    await owner.getByRole('button', { name: 'Create team' }).click();
    await owner.getByRole('heading', { name: TEAM, level: 1 }).waitFor();
    teamId = new URL(owner.url()).pathname.split('/').at(-1) ?? '';
    teamProjects = `/projects?team=${teamId}`;

    // Joining is by invitation: the owner invites Mia's address and her account comes with the link.
    const origin = new URL(owner.url()).origin;
    const session = await post<{ accessToken: string }>(origin, '/api/auth/login', olive);
    await post(origin, `/api/teams/${teamId}/invitations`, { email: mia.email, role: 'MEMBER' }, session.accessToken);
    const { link } = await mailedLink(suite, (mail) => mail.to === mia.email, '/team-invite');
    const token = new URL(link).searchParams.get('token');
    await post(origin, '/api/teams/invitations/accept', { token, name: mia.name, password: mia.password });

    await signIn(member, mia);
    await member.goto(teamProjects);
    await member.getByText(`No projects in ${TEAM} yet. Create the first one.`).waitFor();
    expect(await member.getByLabel('Projects of').inputValue()).toBe(teamId);
    expect(await member.getByRole('button', { name: `Team: ${TEAM}` }).count()).toBe(1);
    await waitForLive(member);
  });

  it("the owner creates a project from the team page's link, and the member's open page shows it live", async () => {
    const { owner, member } = suite.pages;
    await owner
      .getByRole('region', { name: 'Projects', exact: true })
      .getByRole('link', { name: "Open the team's projects" })
      .click();
    await owner.getByText(`${TEAM}: your role OWNER`).waitFor();
    expect(new URL(owner.url()).search).toBe(`?team=${teamId}`);
    await createProject(owner, 'Roadmap', 'What ships when');

    await row(member, 'Roadmap').waitFor();
    expect(await row(member, 'Roadmap').locator('td[data-label="Owner"]').textContent()).toBe(
      `${olive.name}${olive.email}`,
    );
  });

  it('the member (MEMBER) edits the team project, and may not delete what she did not create', async () => {
    const { member } = suite.pages;
    await actionsButton(member, 'Roadmap').click();
    expect(await member.getByRole('menuitem').allTextContents()).toEqual(['Edit']);
    await member.getByRole('menuitem', { name: 'Edit' }).click();
    await member.getByLabel('Description').fill('What ships when, by quarter');
    await member.getByRole('button', { name: 'Save changes' }).click();
    await member.getByText('Saved “Roadmap”.').waitFor();
    await expect
      .poll(() => row(member, 'Roadmap').locator('td[data-label="Description"]').textContent())
      .toBe('What ships when, by quarter');
  });

  it('made a VIEWER by the owner, the member sees the project after a reload with no way to change it', async () => {
    const { owner, member } = suite.pages;
    await owner.goto(`/teams/${teamId}`);
    await owner.getByRole('button', { name: `Actions for ${mia.name} (${mia.email})` }).click();
    await owner.getByRole('menuitem', { name: 'Make VIEWER' }).click();
    await owner.getByText(`${mia.name} is now VIEWER.`).waitFor();

    await member.reload();
    await member.getByText(`${TEAM}: your role VIEWER`).waitFor();
    await row(member, 'Roadmap').waitFor();
    expect(await actionsButton(member, 'Roadmap').count()).toBe(0);
    expect(await member.getByRole('button', { name: 'New project' }).count()).toBe(0);
    await waitForLive(member);
    await screenshot(member, 'team-projects');
    expect(await accessibilityViolations(member)).toEqual([]);
  });

  it("the owner's personal project with a name the team uses is refused at the field; another one moves in, live", async () => {
    const { owner, member } = suite.pages;
    await owner.goto('/projects');
    await owner.getByLabel('Projects of').selectOption({ label: `${TEAM} (OWNER)` });
    await owner.getByText(`${TEAM}: your role OWNER`).waitFor();
    await owner.getByLabel('Projects of').selectOption({ label: 'Personal' });
    await createProject(owner, 'Roadmap');
    await createProject(owner, 'Budget');

    await projectAction(owner, 'Roadmap', 'Move to team…');
    const dialog = owner.getByRole('dialog', { name: 'Move to a team' });
    await dialog.getByLabel('Team').selectOption({ label: `${TEAM} (OWNER)` });
    await dialog.getByRole('button', { name: 'Move' }).click();
    await dialog.getByText('A project with this name already exists').waitFor();
    expect(await dialog.getByLabel('Team').getAttribute('aria-invalid')).toBe('true');
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    await projectAction(owner, 'Budget', 'Move to team…');
    await owner.getByRole('dialog', { name: 'Move to a team' }).getByRole('button', { name: 'Move' }).click();
    await owner.getByText(`Moved “Budget” to ${TEAM}.`).waitFor();
    await expect.poll(() => row(owner, 'Budget').count()).toBe(0);

    await row(member, 'Budget').waitFor();
    expect(await actionsButton(member, 'Budget').count()).toBe(0);
    expect(await accessibilityViolations(owner)).toEqual([]);
  });

  it("the owner moves it back to personal, and it leaves the member's page live", async () => {
    const { owner, member } = suite.pages;
    await owner.goto(teamProjects);
    await projectAction(owner, 'Budget', 'Move to personal…');
    await owner
      .getByRole('dialog', { name: 'Move to personal?' })
      .getByRole('button', { name: 'Move to personal' })
      .click();
    await owner.getByText('Moved “Budget” to your personal projects.').waitFor();
    await expect.poll(() => row(member, 'Budget').count()).toBe(0);
    expect(await row(member, 'Roadmap').count()).toBe(1);
  });

  it('a team id that is not one of hers says "No such team"', async () => {
    const { member } = suite.pages;
    await member.goto('/projects?team=00000000-0000-4000-8000-000000000000');
    await member.getByRole('heading', { name: 'No such team', level: 2 }).waitFor();
    await member.goto('/projects?team=not-a-team');
    await member.getByRole('heading', { name: 'No such team', level: 2 }).waitFor();
    expect(await member.getByRole('button', { name: 'New project' }).count()).toBe(0);
  });

  it('no page error or CSP violation happened on the way', () => {
    expect(suite.problems.flat()).toEqual([]);
  });
});
