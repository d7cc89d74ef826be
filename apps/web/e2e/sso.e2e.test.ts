// Single sign-on in Chromium, through a real OpenID Provider (oidc-provider, in this process on
// 127.0.0.1: apps/server's test provider, whose sign-in page a test "fills in" by naming the
// account). A new person's "Sign in with …" goes to the provider and back, signed in as a new GUEST
// on the page they asked for; that account's only way in cannot be unlinked; a password account
// links the provider from its account page and then signs in with it, but not another account's; a
// refusal comes back as its sentence, shown once. Under PASSWORD_LOGIN=false the sign-in page offers the button alone.
import { SSO_ERROR_MESSAGES } from '@keel/api/schemas';
import { startOidcProvider, type TestOidcProvider } from '@keel/server/src/testing/oidc-provider.js';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessibilityViolations, browserSuite, freePort, screenshot, signOut, signUp } from './harness.js';

const run = Date.now().toString(36);
const LABEL = 'Sign in with Test IdP';
const mia = { name: 'Mia Member', email: `mia-${run}@keel.test`, password: 'Mia-Passw0rd1' };

/** The provider's people, by `sub`. */
const ACCOUNTS = {
  olga: { email: `olga-${run}@example.com`, emailVerified: true, name: 'Olga Outsider' },
  pat: { email: `pat-${run}@example.com`, emailVerified: true, name: 'Pat at the provider' },
  // Mia's address, which Keel has not verified: the provider cannot claim her account.
  twin: { email: mia.email, emailVerified: true, name: 'Mia Twin' },
};
type AccountId = keyof typeof ACCOUNTS;

/**
 * The provider, and the settings that point the suite's server at it. The redirect URI is the
 * server's PUBLIC_URL: its port is chosen here, so the provider's client knows it before the server
 * starts (this hook runs before the suite's, which reads `env` then).
 */
function oidcProvider(extra: Record<string, string> = {}) {
  const fixture = { provider: undefined as TestOidcProvider | undefined, env: {} as Record<string, string> };
  beforeAll(async () => {
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    const provider = await startOidcProvider({ redirectUris: [`${publicUrl}/auth/oidc/callback`], accounts: ACCOUNTS });
    fixture.provider = provider;
    Object.assign(fixture.env, {
      PORT: String(port),
      PUBLIC_URL: publicUrl,
      OIDC_ISSUER: provider.issuer,
      OIDC_CLIENT_ID: provider.clientId,
      OIDC_CLIENT_SECRET: provider.clientSecret,
      OIDC_LABEL: LABEL,
      ...extra,
    });
  });
  afterAll(async () => {
    await fixture.provider?.close();
  });
  return fixture;
}

/** On the provider's sign-in page (where Keel sent the browser): signs in as `account`, back to Keel. */
async function signInAtProvider(page: Page, fixture: ReturnType<typeof oidcProvider>, account: AccountId) {
  await page.getByRole('heading', { name: 'Sign in to the test provider' }).waitFor();
  expect(new URL(page.url()).origin).toBe(fixture.provider?.issuer);
  await page.getByLabel('Account').fill(account);
  await page.getByRole('button', { name: 'Continue' }).click();
}

const signedIn = (page: Page) => page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();

const methods = (page: Page) => page.getByRole('region', { name: 'Sign-in methods' });

describe('single sign-on beside passwords', () => {
  const fixture = oidcProvider();
  /** visitor: nobody yet; member: Mia, signed up with a password. */
  const suite = browserSuite(['visitor', 'member'] as const, async ({ member }) => signUp(member, mia), {
    env: fixture.env,
  });

  it('the sign-in page shown in place of a page offers the provider’s button, which comes back to that page', async () => {
    const { visitor } = suite.pages;
    await visitor.goto('/credits');
    await visitor.getByRole('heading', { name: 'Sign in to Keel', level: 1 }).waitFor();
    const button = visitor.getByRole('link', { name: LABEL });
    expect(await button.getAttribute('href')).toBe('/auth/oidc/start?returnTo=%2Fcredits');
    // The password form is still there, and so are its links.
    await visitor.getByLabel('Password').waitFor();
    expect(await visitor.getByRole('link', { name: 'Create one' }).count()).toBe(1);
    expect(await accessibilityViolations(visitor)).toEqual([]);
    await screenshot(visitor, 'sso-sign-in');
  });

  it('a new person signs in through the provider and lands on the page asked for, as a new GUEST account', async () => {
    const { visitor } = suite.pages;
    await visitor.getByRole('link', { name: LABEL }).click();
    await signInAtProvider(visitor, fixture, 'olga');
    await visitor.getByRole('heading', { name: 'Credits', level: 1 }).waitFor();
    await signedIn(visitor);
    const landed = new URL(visitor.url());
    expect(landed.pathname).toBe('/credits');
    // No token in the address: the refresh cookie carried the session.
    expect(landed.search).toBe('');
    expect(await visitor.getByText(ACCOUNTS.olga.name).first().isVisible()).toBe(true);
    expect(await visitor.locator('.role-badge').textContent()).toBe('GUEST');
  });

  it('the account page lists the provider; unlinking the only way in is refused with the server’s reason', async () => {
    const { visitor } = suite.pages;
    await visitor.getByRole('link', { name: 'Account', exact: true }).click();
    const section = methods(visitor);
    await section.getByRole('cell', { name: ACCOUNTS.olga.email, exact: true }).waitFor();
    const host = new URL(fixture.provider?.issuer ?? '').host;
    expect(await section.getByRole('cell', { name: host, exact: true }).count()).toBe(1);
    // The sign-in that created the account used the identity.
    expect(await section.getByRole('cell', { name: 'Never', exact: true }).count()).toBe(0);

    await section.getByRole('button', { name: `Unlink ${host} (${ACCOUNTS.olga.email})` }).click();
    const dialog = visitor.getByRole('dialog', { name: 'Unlink single sign-on?' });
    await dialog.getByRole('button', { name: 'Unlink' }).click();
    await dialog.getByRole('alert').getByText('This is your only way to sign in', { exact: false }).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await section.getByRole('cell', { name: ACCOUNTS.olga.email, exact: true }).count()).toBe(1);
    expect(await accessibilityViolations(visitor)).toEqual([]);
  });

  it('signing out ends the single sign-on session like any other', async () => {
    const { visitor } = suite.pages;
    await signOut(visitor);
    await visitor.reload();
    await visitor.getByRole('heading', { name: 'Sign in to Keel', level: 1 }).waitFor();
    expect(await visitor.getByRole('button', { name: 'Sign out', exact: true }).count()).toBe(0);
  });

  it('a password account links the provider from its account page, and then signs in with it', async () => {
    const { member } = suite.pages;
    await member.getByRole('link', { name: 'Account', exact: true }).click();
    const section = methods(member);
    expect(await section.getByTestId('password-method-state').textContent()).toBe('On');
    await section.getByText('No single sign-on account is linked to yours.').waitFor();

    await section.getByRole('button', { name: 'Link Test IdP' }).click();
    await signInAtProvider(member, fixture, 'pat');
    await member.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
    await member.getByText('Single sign-on linked: you can sign in with it now.').waitFor();
    await methods(member).getByRole('cell', { name: ACCOUNTS.pat.email, exact: true }).waitFor();
    // The outcome is said once: a reload of the address says nothing again.
    await expect.poll(() => new URL(member.url()).search).toBe('');
    await screenshot(member, 'sso-account-methods');

    // The provider still knows Pat from the link: the button signs Mia in with no question asked.
    await signOut(member);
    await member.getByRole('link', { name: LABEL }).click();
    await signedIn(member);
    expect(new URL(member.url()).pathname).toBe('/projects');
    expect(await member.getByText(mia.name).first().isVisible()).toBe(true);
  });

  it('linking a provider account that is already another Keel account’s is refused on the account page', async () => {
    const { member } = suite.pages;
    // The provider forgets Pat (its own session cookie), so it asks who signs in: Olga, who has her own Keel account.
    await member.context().clearCookies({ name: /^_session/ });
    await member.getByRole('link', { name: 'Account', exact: true }).click();
    await methods(member).getByRole('button', { name: 'Link Test IdP' }).click();
    await signInAtProvider(member, fixture, 'olga');
    await methods(member).getByRole('alert').getByText(SSO_ERROR_MESSAGES.identity_taken).waitFor();
    await expect.poll(() => new URL(member.url()).search).toBe('');
    expect(await methods(member).getByRole('cell', { name: ACCOUNTS.olga.email, exact: true }).count()).toBe(0);
  });

  it('a refused single sign-on comes back to the sign-in page with its sentence, which a reload does not show again', async () => {
    const { visitor } = suite.pages;
    // A new browser session: the provider no longer remembers Olga, so it asks who signs in.
    await visitor.context().clearCookies();
    await visitor.goto('/sign-in');
    await visitor.getByRole('link', { name: LABEL }).click();
    await signInAtProvider(visitor, fixture, 'twin');
    await visitor.getByRole('alert').getByText(SSO_ERROR_MESSAGES.account_exists).waitFor();
    expect(new URL(visitor.url()).pathname).toBe('/sign-in');
    await expect.poll(() => new URL(visitor.url()).searchParams.has('sso_error')).toBe(false);
    await visitor.reload();
    await visitor.getByLabel('Password').waitFor();
    expect(await visitor.getByText(SSO_ERROR_MESSAGES.account_exists).count()).toBe(0);
  });

  it('an unknown refusal code reads as a generic sentence', async () => {
    const { visitor } = suite.pages;
    await visitor.goto('/sign-in?sso_error=no_such_code');
    await visitor.getByRole('alert').getByText('Single sign-on did not sign you in: try again').waitFor();
  });

  it('raised no page error and no CSP violation', () => {
    expect(suite.problems.flat()).toEqual([]);
  });
});

describe('single sign-on only (PASSWORD_LOGIN=false)', () => {
  const fixture = oidcProvider({ PASSWORD_LOGIN: 'false' });
  const suite = browserSuite(['visitor'] as const, async () => {}, { env: fixture.env });

  it('the sign-in page offers the provider’s button alone, and says so', async () => {
    const { visitor } = suite.pages;
    await visitor.goto('/sign-in');
    await visitor.getByText('This workspace signs in with single sign-on.').waitFor();
    await visitor.getByRole('link', { name: LABEL }).waitFor();
    expect(await visitor.getByLabel('Password').count()).toBe(0);
    expect(await visitor.getByRole('link', { name: 'Create one' }).count()).toBe(0);
    expect(await visitor.getByRole('link', { name: 'Forgot your password?' }).count()).toBe(0);
    expect(await accessibilityViolations(visitor)).toEqual([]);
    await screenshot(visitor, 'sso-only-sign-in');
  });

  it('the sign-up page points to single sign-on too', async () => {
    const { visitor } = suite.pages;
    await visitor.goto('/sign-up');
    await visitor.getByText('your account is created the first time you sign in', { exact: false }).waitFor();
    expect(await visitor.getByLabel('Password').count()).toBe(0);
    await visitor.getByRole('link', { name: LABEL }).click();
    await signInAtProvider(visitor, fixture, 'olga');
    await visitor.getByRole('heading', { name: 'Projects', level: 1 }).waitFor();
    await signedIn(visitor);
  });

  it('the account page says passwords are off', async () => {
    const { visitor } = suite.pages;
    await visitor.getByRole('link', { name: 'Account', exact: true }).click();
    expect(await methods(visitor).getByTestId('password-method-state').textContent()).toBe('Off');
    await methods(visitor).getByText('This workspace signs in with single sign-on only.').waitFor();
  });

  it('raised no page error and no CSP violation', () => {
    expect(suite.problems.flat()).toEqual([]);
  });
});
