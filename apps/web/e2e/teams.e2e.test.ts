// Teams in Chromium, with mail sent over real SMTP: an owner creates a team and invites an address as
// MEMBER; the invitee opens the mailed link in a browser that never opened Keel, creates her account
// there and lands on the team's page among its members; the owner makes her a VIEWER, which her
// page shows after a reload; she leaves, and the owner's team is down to one member again. Invited
// again, she joins signed in with one button, after another account opening her link was told whom it is for.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { accessibilityViolations, browserSuite, callsOf, mailedLink, screenshot, signUp } from './harness.js';

const run = Date.now().toString(36);
const olive = { name: 'Olive Owner', email: `olive-${run}@keel.test`, password: 'Olive-Passw0rd1' };
const tess = { name: 'Tess Teammate', email: `tess-${run}@keel.test`, password: 'Tess-Passw0rd1' };
const TEAM = `Harbour crew ${run}`;

/** owner: Olive, signed up; invitee: a browser that never opened Keel. */
const suite = browserSuite(['owner', 'invitee'] as const, async ({ owner }) => signUp(owner, olive), { mail: true });

const member = (page: Page, email: string) => page.locator(`tr[data-member-email="${email}"]`);
const roleOf = (page: Page, email: string) => member(page, email).locator('td[data-label="Role"]').textContent();
const memberEmails = (page: Page) =>
  page.locator('tr[data-member-email]').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-member-email')));

async function memberAction(page: Page, who: { name: string; email: string }, action: string) {
  await page.getByRole('button', { name: `Actions for ${who.name} (${who.email})` }).click();
  await page.getByRole('menuitem', { name: action }).click();
}

describe('a team, from its creation to a member leaving it', () => {
  let teamPath = '';
  let link = '';

  it('the owner creates a team from the Teams page and lands on its page as OWNER', async () => {
    const { owner } = suite.pages;
    await owner.getByRole('link', { name: 'Teams', exact: true }).click();
    await owner.getByRole('heading', { name: 'Teams', level: 1 }).waitFor();
    await owner.getByText('You are in no team yet.', { exact: false }).waitFor();
    await owner.getByLabel('Team name').fill(TEAM);
    await owner.getByRole('button', { name: 'Create team' }).click();
    await owner.getByRole('heading', { name: TEAM, level: 1 }).waitFor();
    teamPath = new URL(owner.url()).pathname;
    expect(teamPath).toMatch(/^\/teams\/[0-9a-f-]{36}$/);
    expect(await owner.locator('.team-role').textContent()).toBe('Your role OWNER');
    expect(await memberEmails(owner)).toEqual([olive.email]);
    // The switcher names the team on its page, and leads back to the personal projects and to the team.
    await owner.getByRole('button', { name: `Team: ${TEAM}` }).click();
    await owner.getByRole('menuitemradio', { name: /^Personal/ }).click();
    await owner.getByRole('heading', { name: 'Projects', level: 1 }).waitFor();
    await owner.getByRole('button', { name: 'Team: Personal' }).click();
    await owner.getByRole('menuitemradio', { name: new RegExp(`^${TEAM}`) }).click();
    await owner.getByRole('heading', { name: TEAM, level: 1 }).waitFor();
    expect(new URL(owner.url()).pathname).toBe(teamPath);
  });

  it("the owner invites the invitee's address as MEMBER, and the mail carries the link", async () => {
    const { owner } = suite.pages;
    const invitations = owner.getByRole('region', { name: 'Invitations' });
    await invitations.getByLabel('Email').fill(tess.email);
    await invitations.getByLabel('Role', { exact: true }).selectOption('MEMBER');
    await invitations.getByRole('button', { name: 'Send invitation' }).click();
    await owner.getByText(`Invitation sent to ${tess.email} as MEMBER.`).waitFor();
    await expect
      .poll(() => owner.locator(`tr[data-invitation-email="${tess.email}"] td[data-label="Status"]`).textContent())
      .toBe('Pending');
    ({ link } = await mailedLink(
      suite,
      (mail) => mail.to === tess.email && mail.subject === `You are invited to the team ${TEAM} on Keel`,
      '/team-invite',
    ));
    await screenshot(owner, 'team');
    expect(await accessibilityViolations(owner)).toEqual([]);
  });

  it('the invitee opens the link signed out, creates her account and lands on the team page among its members', async () => {
    const { invitee } = suite.pages;
    const accepts = callsOf(invitee, 'teams.invitations.accept');
    await invitee.goto(link);
    const card = invitee.getByRole('region', { name: 'Join a team' });
    await card.getByText(`${olive.name} invited you to join the team ${TEAM} as MEMBER.`).waitFor();
    expect(await card.textContent()).toContain(tess.email);
    // Opening the page joins nothing: only the form does.
    expect(accepts).toEqual([]);
    await invitee.getByLabel('Name').fill(tess.name);
    await invitee.getByLabel('Password', { exact: true }).fill(tess.password);
    await invitee.getByLabel('Confirm the password').fill(tess.password);
    await screenshot(invitee, 'team-invite');
    expect(await accessibilityViolations(invitee)).toEqual([]);
    await invitee.getByRole('button', { name: `Create my account and join ${TEAM}` }).click();

    await invitee.getByRole('heading', { name: TEAM, level: 1 }).waitFor();
    expect(new URL(invitee.url()).pathname).toBe(teamPath);
    expect(accepts).toEqual(['POST']);
    expect(await invitee.locator('.whoami').textContent()).toBe(`${tess.name} USER`);
    await expect.poll(() => memberEmails(invitee)).toEqual([olive.email, tess.email]);
    expect(await roleOf(invitee, tess.email)).toBe('MEMBER');
    // A MEMBER manages no one and sees no invitations; she may only leave.
    expect(await invitee.getByRole('region', { name: 'Invitations' }).count()).toBe(0);
    expect(await invitee.getByRole('button', { name: `Actions for ${olive.name} (${olive.email})` }).count()).toBe(0);
    expect(await accessibilityViolations(invitee)).toEqual([]);
  });

  it('the owner sees the invitee among the members and makes her a VIEWER, which her page shows after a reload', async () => {
    const { owner, invitee } = suite.pages;
    await owner.reload();
    await expect.poll(() => memberEmails(owner)).toEqual([olive.email, tess.email]);
    await memberAction(owner, tess, 'Make VIEWER');
    await owner.getByText(`${tess.name} is now VIEWER.`).waitFor();
    await expect.poll(() => roleOf(owner, tess.email)).toBe('VIEWER');

    await invitee.reload();
    await expect.poll(() => roleOf(invitee, tess.email)).toBe('VIEWER');
    expect(await invitee.locator('.team-role').textContent()).toBe('Your role VIEWER');
  });

  it('the invitee leaves the team, and the owner is its one member again', async () => {
    const { owner, invitee } = suite.pages;
    await memberAction(invitee, tess, 'Leave team…');
    const dialog = invitee.getByRole('dialog', { name: `Leave “${TEAM}”?` });
    await dialog.getByRole('button', { name: 'Leave team' }).click();
    await invitee.getByRole('heading', { name: 'Teams', level: 1 }).waitFor();
    await invitee.getByText(`You left “${TEAM}”.`).waitFor();
    await invitee.getByText('You are in no team yet.', { exact: false }).waitFor();
    // Her old link to the team is now a team she is not in.
    await invitee.goto(teamPath);
    await invitee.getByRole('heading', { name: 'No such team', level: 1 }).waitFor();

    await owner.reload();
    await expect.poll(() => memberEmails(owner)).toEqual([olive.email]);
    // The last owner cannot leave: the server's 409 says what to do instead.
    await memberAction(owner, olive, 'Leave team…');
    await owner
      .getByRole('dialog', { name: `Leave “${TEAM}”?` })
      .getByRole('button', { name: 'Leave team' })
      .click();
    await owner.getByText('A team keeps at least one owner: make another member an owner first').waitFor();
    expect(new URL(owner.url()).pathname).toBe(teamPath);
  });

  it('invited again, the signed-in invitee joins with one button; another account opening her link is told whom it is for', async () => {
    const { owner, invitee } = suite.pages;
    const invitations = owner.getByRole('region', { name: 'Invitations' });
    await invitations.getByLabel('Email').fill(tess.email);
    await invitations.getByRole('button', { name: 'Send invitation' }).click();
    await owner.getByText(`Invitation sent to ${tess.email} as MEMBER.`).waitFor();
    const { link: again } = await mailedLink(suite, (mail) => mail.to === tess.email, '/team-invite');

    // The owner's own account is not the invited one: the refusal says so, and the link stays usable.
    await owner.goto(again);
    await owner.getByRole('button', { name: `Join ${TEAM}` }).click();
    await owner.getByText('This invitation was sent to another address', { exact: false }).waitFor();
    expect(await owner.getByRole('region', { name: 'Join a team' }).textContent()).toContain(
      `the invitation is for ${tess.email}`,
    );

    await invitee.goto(again);
    await invitee.getByText(`You are signed in as ${tess.name} (${tess.email}).`).waitFor();
    await invitee.getByRole('button', { name: `Join ${TEAM}` }).click();
    await invitee.getByRole('heading', { name: TEAM, level: 1 }).waitFor();
    expect(new URL(invitee.url()).pathname).toBe(teamPath);
    await expect.poll(() => roleOf(invitee, tess.email)).toBe('MEMBER');
  });

  it('no page error or CSP violation happened on the way', () => {
    expect(suite.problems.flat()).toEqual([]);
  });
});
