// An account's email address in Chromium, with mail over real SMTP, on a server that requires confirmed
// addresses (REQUIRE_EMAIL_VERIFICATION): an unconfirmed account sees a panel in place of the pages
// the server refuses until it follows its link; then it changes its address from the account page, and
// the account moves only when the link mailed to the new address is followed.
import { describe, expect, it } from 'vitest';
import {
  accessibilityViolations,
  browserSuite,
  callsOf,
  mailedLink as mailedLinkOf,
  signIn,
  signOut,
} from './harness.js';

const run = Date.now().toString(36);
const erin = { name: 'Erin Email', email: `erin-${run}@keel.test`, password: 'Erin-Passw0rd1' };
const NEW_EMAIL = `erin-new-${run}@keel.test`;
const VERIFY_SUBJECT = 'Confirm your email address for Keel';
const CHANGE_SUBJECT = 'Confirm your new email address for Keel';
const REFUSED_LINK = 'This link is no longer valid';

const suite = browserSuite(['erin'] as const, undefined, { mail: true, env: { REQUIRE_EMAIL_VERIFICATION: 'true' } });

function mailServer() {
  if (!suite.smtp) throw new Error('the suite opened no SMTP server');
  return suite.smtp;
}

/** The link of the next mail to `to` with `subject`, as the mail gives it (the same in its text and HTML parts). */
async function mailedLink(to: string, subject: string, path: string): Promise<string> {
  return (await mailedLinkOf(suite, (mail) => mail.to === to && mail.subject === subject, path)).link;
}

describe('an unconfirmed address, when the server requires confirmed ones', () => {
  const panel = () => suite.pages.erin.getByRole('region', { name: 'Confirm your email address to continue' });
  const banner = () => suite.pages.erin.getByRole('region', { name: 'Unconfirmed email address' });

  it('a page the server refuses shows the panel, on sign-up and on a later sign-in', async () => {
    const { erin: page } = suite.pages;
    await page.goto('/sign-up');
    await page.getByLabel('Name').fill(erin.name);
    await page.getByLabel('Email').fill(erin.email);
    await page.getByLabel('Password').fill(erin.password);
    await page.getByRole('button', { name: 'Create account' }).click();
    await panel().waitFor();
    expect(await panel().textContent()).toContain(`We sent a link to ${erin.email}`);
    // In place of the page, and of the banner: one "Send a new link" on screen.
    expect(await page.getByRole('heading', { name: 'Projects', level: 1 }).count()).toBe(0);
    expect(await banner().count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Send a new link' }).count()).toBe(1);
    expect(await accessibilityViolations(page)).toEqual([]);

    // The account page (auth.* only) still opens, with the banner: the address can be fixed from there.
    await panel().getByRole('link', { name: 'Change it on your account page' }).click();
    await page.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
    await page.getByRole('form', { name: 'Change email' }).waitFor();
    await banner().waitFor();
    expect(await panel().count()).toBe(0);

    await signOut(page);
    await signIn(page, erin);
    await panel().waitFor();
    await panel().getByRole('button', { name: 'Send a new link' }).click();
    await panel().getByText('Sent. Use the link in the newest mail.').waitFor();
  });

  it('following the mailed link opens the pages', async () => {
    const { erin: page } = suite.pages;
    // The sign-up's mail, then the resend's, which voided the first.
    await mailedLink(erin.email, VERIFY_SUBJECT, '/verify-email');
    const link = await mailedLink(erin.email, VERIFY_SUBJECT, '/verify-email');
    await page.goto(link);
    await page.getByRole('button', { name: 'Confirm my address' }).click();
    await page.getByText('Your address is confirmed.').waitFor();
    await page.getByRole('link', { name: 'Go to your projects' }).click();
    await page.getByText('No projects yet. Create the first one.').waitFor();
    expect(await panel().count()).toBe(0);
    expect(await banner().count()).toBe(0);
  });
});

describe('changing the address', () => {
  const form = () => suite.pages.erin.getByRole('form', { name: 'Change email' });
  const fieldOf = (label: string) => form().locator('.field', { has: suite.pages.erin.getByLabel(label) });
  let link = '';

  it('the server refuses a wrong password and the current address, each on its field', async () => {
    const { erin: page } = suite.pages;
    const calls = callsOf(page, 'auth.requestEmailChange');
    await page.goto('/account');
    await form().getByText(`Your current address is ${erin.email}.`).waitFor();

    await form().getByLabel('New email address').fill(NEW_EMAIL);
    await form().getByLabel('Current password').fill('Wrong-Passw0rd9');
    await form().getByRole('button', { name: 'Send a link to the new address' }).click();
    await fieldOf('Current password').getByText('Current password is incorrect').waitFor();
    expect(await form().getByLabel('Current password').getAttribute('aria-invalid')).toBe('true');

    await form().getByLabel('New email address').fill(erin.email);
    await form().getByLabel('Current password').fill(erin.password);
    await form().getByRole('button', { name: 'Send a link to the new address' }).click();
    await fieldOf('New email address').getByText('This is already your address').waitFor();
    expect(await form().getByLabel('Current password').getAttribute('aria-invalid')).toBeNull();
    // Both went to the server: these are its answers, not the page's own checks.
    expect(calls).toEqual(['POST', 'POST']);
  });

  it('a link goes to the new address, and a notice to the current one', async () => {
    await form().getByLabel('New email address').fill(NEW_EMAIL);
    await form().getByLabel('Current password').fill(erin.password);
    await form().getByRole('button', { name: 'Send a link to the new address' }).click();
    await form().getByText(`We sent a link to ${NEW_EMAIL}; your address changes when you follow it.`).waitFor();
    // Nothing changes until the link is followed.
    expect(await form().getByText(`Your current address is ${erin.email}.`).count()).toBe(1);
    link = await mailedLink(NEW_EMAIL, CHANGE_SUBJECT, '/confirm-email');
    await mailServer().next(
      (mail) => mail.to === erin.email && mail.subject === 'A change of your Keel email address was asked for',
    );
    // The refused requests mailed nothing: this is the only link the new address got.
    expect(mailServer().received.filter((mail) => mail.to === NEW_EMAIL)).toHaveLength(1);
  });

  it('opening the link spends nothing; "Use this address" moves the account, which the account page shows', async () => {
    const { erin: page } = suite.pages;
    const calls = callsOf(page, 'auth.confirmEmailChange');
    // A mail scanner fetches the link, then she opens it: the click succeeding below shows neither spent it.
    const scanned = await fetch(link, { headers: { accept: 'text/html' } });
    expect(scanned.status).toBe(200);
    await page.goto(link);
    const card = page.getByRole('region', { name: 'Confirm your new email address' });
    await card.getByRole('button', { name: 'Use this address' }).waitFor();
    expect(calls).toEqual([]);
    expect(await accessibilityViolations(page)).toEqual([]);

    await card.getByRole('button', { name: 'Use this address' }).click();
    await card.getByText('Your email address is changed').waitFor();
    expect(calls).toEqual(['POST']);
    await card.getByRole('link', { name: 'Go to your account' }).click();
    await form().getByText(`Your current address is ${NEW_EMAIL}.`).waitFor();

    // The link worked once.
    await page.goto(link);
    await card.getByRole('button', { name: 'Use this address' }).click();
    await card.getByText(REFUSED_LINK).waitFor();
    await card.getByRole('link', { name: 'Ask for the change again' }).waitFor();
  });

  it('the new address signs in, and the old one no longer does', async () => {
    const { erin: page } = suite.pages;
    await signOut(page);
    await page.getByLabel('Email').fill(erin.email);
    await page.getByLabel('Password').fill(erin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Invalid credentials').waitFor();
    await signIn(page, { email: NEW_EMAIL, password: erin.password });
    // Confirmed by the link it followed: the pages open.
    await page.getByText('No projects yet. Create the first one.').waitFor();
  });

  it('raised no page error and no CSP violation', () => {
    expect(suite.problems.flat()).toEqual([]);
  });
});
