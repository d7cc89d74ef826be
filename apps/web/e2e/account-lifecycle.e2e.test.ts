// The account lifecycle in Chromium, with mail sent over real SMTP: a new account's verification
// link (opening it spends nothing, only its button does; a replaced link is refused) and a
// forgotten password reset from the sign-in page, which signs the account's other browser out.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { browserSuite, callsOf, mailedLink as mailedLinkOf, screenshot, signUp, waitForLive } from './harness.js';

const run = Date.now().toString(36);
const vera = { name: 'Vera Verify', email: `vera-${run}@keel.test`, password: 'Vera-Passw0rd1' };
const rita = { name: 'Rita Reset', email: `rita-${run}@keel.test`, password: 'Rita-Passw0rd1' };
const NEW_PASSWORD = 'Rita-NewPassw0rd2';
const VERIFY_SUBJECT = 'Confirm your email address for Keel';
const REFUSED_LINK = 'This link is no longer valid';

/** vera: signs up and confirms her address; visitor: a browser with no session; other: Rita's other browser. */
const suite = browserSuite(['vera', 'visitor', 'other'] as const, undefined, { mail: true });

/** The SMTP server the suite's server sends through. */
function mailServer() {
  if (!suite.smtp) throw new Error('the suite opened no SMTP server');
  return suite.smtp;
}

/** The link of the next mail to `to` with `subject`, as the mail gives it (the same in its text and HTML parts). */
async function mailedLink(to: string, subject: string, path: string): Promise<string> {
  return (await mailedLinkOf(suite, (mail) => mail.to === to && mail.subject === subject, path)).link;
}

describe('confirming the address of a new account', () => {
  const banner = () => suite.pages.vera.getByRole('region', { name: 'Unconfirmed email address' });
  const card = (page: Page) => page.getByRole('region', { name: 'Confirm your email address' });
  let newest = '';
  let voided = '';

  it('a replaced link is refused, with a way to get a new one signed in or out', async () => {
    const { vera: page, visitor } = suite.pages;
    await signUp(page, vera);
    await banner().waitFor();
    expect(await banner().textContent()).toContain(`Please confirm your address: we sent a link to ${vera.email}.`);
    // The mail of the sign-up; the banner's button sends another, whose link voids the first.
    const first = await mailedLink(vera.email, VERIFY_SUBJECT, '/verify-email');
    voided = first;
    await banner().getByRole('button', { name: 'Send a new link' }).click();
    await banner().getByText('Sent. Use the link in the newest mail.').waitFor();
    await screenshot(page, 'verify-banner');
    const second = await mailedLink(vera.email, VERIFY_SUBJECT, '/verify-email');
    expect(second).not.toBe(first);

    // Signed out, the page says so and sends to the sign-in page for a new link.
    await visitor.goto(first);
    await card(visitor).getByRole('button', { name: 'Confirm my address' }).click();
    await card(visitor).getByText(REFUSED_LINK).waitFor();
    await card(visitor).getByRole('link', { name: 'Sign in' }).waitFor();

    // Signed in, the page itself sends a new link (voiding the second in turn).
    await page.goto(first);
    await card(page).getByRole('button', { name: 'Confirm my address' }).click();
    await card(page).getByText(REFUSED_LINK).waitFor();
    await card(page).getByRole('button', { name: 'Send a new link' }).click();
    await card(page).getByText('Sent. Use the link in the newest mail.').waitFor();
    newest = await mailedLink(vera.email, VERIFY_SUBJECT, '/verify-email');
    expect(await banner().isVisible()).toBe(true);
  });

  it('opening the link spends nothing; "Confirm my address" does, and the banner goes', async () => {
    const { vera: page } = suite.pages;
    const calls = callsOf(page, 'auth.verifyEmail');
    // A mail scanner fetches the link, then she opens it, twice: a link works once, so the click
    // succeeding below shows none of these spent it.
    const scanned = await fetch(newest, { headers: { accept: 'text/html' } });
    expect(scanned.status).toBe(200);
    await page.goto(newest);
    await card(page).getByRole('button', { name: 'Confirm my address' }).waitFor();
    await page.reload();
    await card(page).getByRole('button', { name: 'Confirm my address' }).waitFor();
    expect(calls).toEqual([]);
    expect(await banner().isVisible()).toBe(true);

    await card(page).getByRole('button', { name: 'Confirm my address' }).click();
    await card(page).getByText('Your address is confirmed.').waitFor();
    expect(calls).toEqual(['POST']);
    // `auth.me` was fetched again: the banner is gone, and stays gone on the next page.
    await banner().waitFor({ state: 'detached' });
    await card(page).getByRole('link', { name: 'Go to your projects' }).click();
    await page.getByRole('heading', { name: 'Projects', level: 1 }).waitFor();
    expect(await banner().count()).toBe(0);

    // A link voided earlier, opened now: refused, with nothing more to ask for.
    await page.goto(voided);
    await card(page).getByRole('button', { name: 'Confirm my address' }).click();
    await card(page).getByText(REFUSED_LINK).waitFor();
    await card(page).getByText(`Your address ${vera.email} is already confirmed.`).waitFor();
    expect(await card(page).getByRole('button', { name: 'Send a new link' }).count()).toBe(0);
  });
});

describe('a forgotten password', () => {
  const sent = 'If an account uses this address, a link is on its way.';
  let link = '';

  it('the sign-in page leads to the request, answered the same whether or not the account exists', async () => {
    const { visitor, other } = suite.pages;
    // Rita's other browser, signed in before the reset (its live stream hears the revocation).
    await signUp(other, rita);
    await waitForLive(other);

    await visitor.goto('/sign-in');
    await visitor.getByRole('link', { name: 'Forgot your password?' }).click();
    await visitor.getByRole('heading', { name: 'Forgot your password?', level: 1 }).waitFor();
    const nobody = `nobody-${run}@keel.test`;
    await visitor.getByLabel('Email').fill(nobody);
    await visitor.getByRole('button', { name: 'Send me a link' }).click();
    await visitor.getByText(sent).waitFor();

    await visitor.reload();
    await visitor.getByLabel('Email').fill(rita.email);
    await visitor.getByRole('button', { name: 'Send me a link' }).click();
    await visitor.getByText(sent).waitFor();
    await screenshot(visitor, 'forgot-password');
    link = await mailedLink(rita.email, 'Reset your Keel password', '/reset-password');
    // None of the mail so far went to the address with no account (its job finds none and sends nothing).
    expect(mailServer().received.filter((mail) => mail.to === nobody)).toEqual([]);
  });

  it('the mailed link sets a new password, signs the other browser out, and works once', async () => {
    const { visitor, other } = suite.pages;
    const calls = callsOf(visitor, 'auth.resetPassword');
    await visitor.goto(link);
    await visitor.getByRole('heading', { name: 'Choose a new password', level: 1 }).waitFor();
    const newPassword = visitor.getByLabel('New password', { exact: true });
    const confirmation = visitor.getByLabel('Confirm the new password');
    const submit = visitor.getByRole('button', { name: 'Set the new password' });

    // Refused in the page, so the link is not spent: two different passwords, then a weak one.
    await newPassword.fill(NEW_PASSWORD);
    await confirmation.fill(`${NEW_PASSWORD}x`);
    await submit.click();
    await visitor.getByText('The two passwords differ: type the same one twice').waitFor();
    await screenshot(visitor, 'reset-password');
    await newPassword.fill('weak');
    await confirmation.fill('weak');
    await submit.click();
    await visitor.getByText('Password must be at least 8 characters').waitFor();
    expect(calls).toEqual([]);
    expect(await other.getByRole('button', { name: 'Sign out', exact: true }).isVisible()).toBe(true);

    await newPassword.fill(NEW_PASSWORD);
    await confirmation.fill(NEW_PASSWORD);
    await submit.click();
    await visitor.getByText('Your password is changed. Every session of your account was signed out.').waitFor();
    expect(calls).toEqual(['POST']);

    // The other browser is signed out without a reload, and the account's address hears of it.
    await other.getByRole('heading', { name: 'Sign in to Keel' }).waitFor({ timeout: 15_000 });
    await mailServer().next((mail) => mail.to === rita.email && mail.subject === 'Your Keel password was changed');

    // The old password no longer signs in; the new one does.
    await other.getByLabel('Email').fill(rita.email);
    await other.getByLabel('Password').fill(rita.password);
    await other.getByRole('button', { name: 'Sign in' }).click();
    await other.getByText('Invalid credentials').waitFor();
    await visitor.getByRole('link', { name: 'Sign in with your new password' }).click();
    await visitor.getByLabel('Email').fill(rita.email);
    await visitor.getByLabel('Password').fill(NEW_PASSWORD);
    await visitor.getByRole('button', { name: 'Sign in' }).click();
    await visitor.getByRole('button', { name: 'Sign out', exact: true }).waitFor();

    // The link worked once: opened again, it is refused with a way to ask for a new one.
    await visitor.goto(link);
    await newPassword.fill('Rita-ThirdPassw0rd3');
    await confirmation.fill('Rita-ThirdPassw0rd3');
    await submit.click();
    await visitor.getByText(REFUSED_LINK).waitFor();
    await visitor.getByRole('link', { name: 'Ask for a new link' }).waitFor();
  });

  it('raised no page error and no CSP violation in any profile', () => {
    expect(suite.problems.flat()).toEqual([]);
  });
});
