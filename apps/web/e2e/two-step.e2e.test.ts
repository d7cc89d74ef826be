// Two-step verification in Chromium. A user turns it on from the account page (the QR code, the
// setup key read off the screen into an authenticator — here `otpauth` —, a first code, ten
// recovery codes shown once with Copy and Download); signing in then takes the password and a code;
// a recovery code signs in once and is refused the next time; new recovery codes replace the old;
// the user turns it off with the password and a code; an admin resets it for a user who lost the
// device. Under MFA_REQUIRED_ROLES=ADMIN, an admin is walked through setting it up before any admin
// page opens, and then signs in with a code.
import { readFile } from 'node:fs/promises';
import { Secret, TOTP } from 'otpauth';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ADMIN, accessibilityViolations, browserSuite, screenshot, signIn, signOut, signUp } from './harness.js';

const run = Date.now().toString(36);
const tess = { name: 'Tess Twostep', email: `tess-${run}@keel.test`, password: 'Tess-Passw0rd1' };
const RECOVERY_CODE = /^[a-z2-7]{5}-[a-z2-7]{5}$/;

/**
 * The code an authenticator app shows for `key` at `timestamp`. The server takes each time step
 * once, and a step either side of its own: a sign-in right after a code was accepted uses the next
 * step's code (`Date.now() + 30_000`), which is never one already spent.
 */
function codeAt(key: string, timestamp = Date.now()): string {
  const totp = new TOTP({ secret: Secret.fromBase32(key), algorithm: 'SHA1', digits: 6, period: 30 });
  return totp.generate({ timestamp });
}
const nextStepCode = (key: string) => codeAt(key, Date.now() + 30_000);

const twoStepSection = (page: Page) => page.getByRole('region', { name: 'Two-step verification' });

/**
 * The set-up flow from its password form (in `scope`, the account section or the panel): the key
 * read off the screen, its first code, and the recovery codes shown once. Stops on that panel.
 */
async function setUpTwoStep(scope: Locator, password: string): Promise<{ key: string; codes: string[] }> {
  await scope.getByLabel('Current password').fill(password);
  await scope.getByRole('button', { name: 'Continue' }).click();
  const shown = await scope.getByTestId('two-step-setup-key').textContent();
  const key = (shown ?? '').replace(/\s/g, '');
  await scope.getByLabel('Code from the app').fill(codeAt(key));
  await scope.getByRole('button', { name: 'Turn on' }).click();
  await scope.getByRole('heading', { name: 'Your recovery codes' }).waitFor();
  const codes = (await scope.getByTestId('recovery-codes').getByRole('listitem').allTextContents()).map((code) =>
    code.trim(),
  );
  return { key, codes };
}

/** The password step; stops on the code step it leads to. */
async function signInWithPassword(page: Page, user: { email: string; password: string }): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Two-step verification', level: 1 }).waitFor();
}

async function verifyWith(page: Page, field: 'Code' | 'Recovery code', code: string): Promise<void> {
  await page.getByLabel(field, { exact: true }).fill(code);
  await page.getByRole('button', { name: 'Verify' }).click();
}

const signedIn = (page: Page) => page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();

describe('two-step verification, from the account page to a sign-in with a code', () => {
  /** user: Tess, signed up; admin: the bootstrapped administrator. */
  const suite = browserSuite(['user', 'admin'] as const, async ({ user, admin }) => {
    await signUp(user, tess);
    await signIn(admin, ADMIN);
  });
  let key = '';
  let codes: string[] = [];

  it('a user turns it on: password, QR code and setup key, a first code, then ten recovery codes shown once', async () => {
    const { user } = suite.pages;
    await user.getByRole('link', { name: 'Account', exact: true }).click();
    const section = twoStepSection(user);
    expect(await section.getByTestId('two-step-state').textContent()).toBe('Off');
    await section.getByRole('button', { name: 'Turn on two-step verification' }).click();

    await section.getByLabel('Current password').fill('Not-her-Passw0rd');
    await section.getByRole('button', { name: 'Continue' }).click();
    await section.getByText('Current password is incorrect').waitFor();
    await section.getByLabel('Current password').fill(tess.password);
    await section.getByRole('button', { name: 'Continue' }).click();

    // The server's SVG shows as an image the page's Content-Security-Policy lets load.
    const qr = section.getByRole('img', { name: 'QR code to scan with your authenticator app' });
    await expect
      .poll(() => qr.evaluate((image: HTMLImageElement) => image.complete && image.naturalWidth > 0))
      .toBe(true);
    key = ((await section.getByTestId('two-step-setup-key').textContent()) ?? '').replace(/\s/g, '');
    expect(key).toMatch(/^[A-Z2-7]{32}$/);
    expect(await accessibilityViolations(user)).toEqual([]);
    await screenshot(user, 'two-step-setup');

    await section.getByLabel('Code from the app').fill(codeAt(key, Date.now() - 10 * 60_000));
    await section.getByRole('button', { name: 'Turn on' }).click();
    await section.getByText('That code is not valid', { exact: false }).first().waitFor();

    await user.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: suite.server?.url });
    await section.getByLabel('Code from the app').fill(codeAt(key));
    await section.getByRole('button', { name: 'Turn on' }).click();
    await section.getByRole('heading', { name: 'Your recovery codes' }).waitFor();
    codes = (await section.getByTestId('recovery-codes').getByRole('listitem').allTextContents()).map((code) =>
      code.trim(),
    );
    expect(codes).toHaveLength(10);
    for (const code of codes) expect(code).toMatch(RECOVERY_CODE);
    expect(await section.textContent()).toContain('this is the only time they are shown');

    await section.getByRole('button', { name: 'Copy' }).click();
    await section.getByText('Copied to the clipboard.').waitFor();
    const copied = await user.evaluate(() => navigator.clipboard.readText());
    for (const code of codes) expect(copied).toContain(code);

    const [download] = await Promise.all([
      user.waitForEvent('download'),
      section.getByRole('link', { name: 'Download' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('keel-recovery-codes.txt');
    const saved = await readFile(await download.path(), 'utf8');
    expect(saved).toContain(`Keel recovery codes for ${tess.email}`);
    for (const code of codes) expect(saved).toContain(code);
    expect(await accessibilityViolations(user)).toEqual([]);
    await screenshot(user, 'two-step-recovery-codes');

    await section.getByRole('button', { name: 'Done' }).click();
    await section.getByTestId('recovery-codes').waitFor({ state: 'detached' });
    expect(await section.getByTestId('two-step-state').textContent()).toBe('On');
    await expect.poll(() => section.getByTestId('two-step-status').textContent()).toContain('10 recovery codes left');
    expect(await user.content()).not.toContain(codes[0]);
  });

  it('signing in then takes the password and a code from the app; a wrong code is refused', async () => {
    const { user } = suite.pages;
    await signOut(user);
    await signInWithPassword(user, tess);
    const code = user.getByLabel('Code', { exact: true });
    expect(await code.getAttribute('autocomplete')).toBe('one-time-code');
    expect(await code.getAttribute('inputmode')).toBe('numeric');
    expect(await accessibilityViolations(user)).toEqual([]);
    await screenshot(user, 'two-step-sign-in');

    await verifyWith(user, 'Code', codeAt(key, Date.now() - 10 * 60_000));
    await user.getByText('Invalid code').first().waitFor();
    expect(await code.getAttribute('aria-invalid')).toBe('true');

    await verifyWith(user, 'Code', nextStepCode(key));
    await signedIn(user);
    await user.getByRole('heading', { name: 'Projects', level: 1 }).waitFor();
  });

  it('a recovery code signs in once, in any case; the next time it is refused', async () => {
    const { user } = suite.pages;
    const [first = '', second = ''] = codes;
    await signOut(user);
    await signInWithPassword(user, tess);
    await user.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await verifyWith(user, 'Recovery code', first);
    await signedIn(user);

    await signOut(user);
    await signInWithPassword(user, tess);
    await user.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await verifyWith(user, 'Recovery code', first);
    await user.getByText('Invalid code').first().waitFor();
    await verifyWith(user, 'Recovery code', second.toUpperCase());
    await signedIn(user);

    await user.goto('/account');
    await expect
      .poll(() => twoStepSection(user).getByTestId('two-step-status').textContent())
      .toContain('8 recovery codes left');
  });

  it('new recovery codes replace the old ones, and turning it off takes the password and a code', async () => {
    const { user } = suite.pages;
    const section = twoStepSection(user);
    await section.getByRole('button', { name: 'Make new recovery codes' }).click();
    await section.getByLabel('Code from your authenticator app, or a recovery code').fill(codes[2] ?? '');
    await section.getByRole('button', { name: 'Make new recovery codes' }).click();
    await section.getByRole('heading', { name: 'Your recovery codes' }).waitFor();
    const fresh = (await section.getByTestId('recovery-codes').getByRole('listitem').allTextContents()).map((code) =>
      code.trim(),
    );
    expect(fresh).toHaveLength(10);
    expect(fresh).not.toContain(codes[3]);
    await section.getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => section.getByTestId('two-step-status').textContent()).toContain('10 recovery codes left');

    await section.getByRole('button', { name: 'Turn off' }).click();
    await section.getByLabel('Current password').fill(tess.password);
    // An old recovery code no longer counts.
    await section.getByLabel('Code from your authenticator app, or a recovery code').fill(codes[3] ?? '');
    await section.getByRole('button', { name: 'Turn off two-step verification' }).click();
    await section.getByText('That code is not valid', { exact: false }).waitFor();
    await section.getByLabel('Code from your authenticator app, or a recovery code').fill(fresh[0] ?? '');
    await section.getByRole('button', { name: 'Turn off two-step verification' }).click();
    await section.getByText('Two-step verification is off.').waitFor();
    await expect.poll(() => section.getByTestId('two-step-state').textContent()).toBe('Off');

    await signOut(user);
    await signIn(user, tess);
  });

  it('an admin resets it for a user who lost the device, and the user signs in with the password alone', async () => {
    const { user, admin } = suite.pages;
    await user.goto('/account');
    await twoStepSection(user).getByRole('button', { name: 'Turn on two-step verification' }).click();
    await setUpTwoStep(twoStepSection(user), tess.password);
    await twoStepSection(user).getByRole('button', { name: 'Done' }).click();
    await expect.poll(() => twoStepSection(user).getByTestId('two-step-state').textContent()).toBe('On');

    await admin.goto(`/admin/users?q=${encodeURIComponent(tess.email)}`);
    await admin.getByRole('link', { name: tess.name, exact: true }).click();
    await admin.getByRole('heading', { name: tess.name, level: 1 }).waitFor();
    expect(await admin.locator('dt:text-is("Two-step verification") + dd').textContent()).toBe('On');
    await admin.getByRole('button', { name: 'Reset two-step verification' }).click();
    const dialog = admin.getByRole('dialog', { name: 'Reset two-step verification?' });
    expect(await dialog.textContent()).toContain(tess.email);
    expect(await accessibilityViolations(admin)).toEqual([]);
    await dialog.getByRole('button', { name: 'Reset two-step verification' }).click();
    await admin.getByText(`Two-step verification is off for ${tess.name}`, { exact: false }).waitFor();

    // Nothing left to reset: the page says it is off and offers no reset.
    await expect.poll(() => admin.locator('dt:text-is("Two-step verification") + dd').textContent()).toBe('Off');
    expect(await admin.getByRole('button', { name: 'Reset two-step verification' }).count()).toBe(0);

    await user.reload();
    await expect.poll(() => twoStepSection(user).getByTestId('two-step-state').textContent()).toBe('Off');
    await signOut(user);
    await signIn(user, tess);
  });

  it('raised no page error and no CSP violation', () => {
    expect(suite.problems.flat()).toEqual([]);
  });
});

describe('a role that requires two-step verification (MFA_REQUIRED_ROLES=ADMIN)', () => {
  /** admin: the bootstrapped administrator, signed in with the password alone. */
  const suite = browserSuite(['admin'] as const, async ({ admin }) => signIn(admin, ADMIN), {
    env: { MFA_REQUIRED_ROLES: 'ADMIN' },
  });

  it('an admin is walked through setting it up before an admin page opens, then signs in with a code', async () => {
    const { admin } = suite.pages;
    await admin.goto('/admin');
    const panel = admin.getByRole('region', { name: 'Your role requires two-step verification' });
    await panel.waitFor();
    expect(await accessibilityViolations(admin)).toEqual([]);
    await screenshot(admin, 'two-step-required');

    // The account page answers a session without the second step.
    await admin.getByRole('link', { name: 'Account', exact: true }).click();
    await admin.getByRole('heading', { name: 'Account', level: 1 }).waitFor();
    expect(await twoStepSection(admin).getByTestId('two-step-state').textContent()).toBe('Off');

    await admin.getByRole('link', { name: 'Users', exact: true }).click();
    await panel.waitFor();
    const { key, codes } = await setUpTwoStep(panel, ADMIN.password);
    expect(codes).toHaveLength(10);
    expect(await accessibilityViolations(admin)).toEqual([]);
    await panel.getByRole('button', { name: 'Done' }).click();
    // This session passed the second step: the refused page opens without signing in again.
    await admin.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    await admin.getByRole('link', { name: 'Overview', exact: true }).click();
    await admin.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    expect(await panel.count()).toBe(0);

    await signOut(admin);
    await signInWithPassword(admin, ADMIN);
    await verifyWith(admin, 'Code', nextStepCode(key));
    await signedIn(admin);
    await admin.goto('/admin/users');
    await admin.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    expect(await panel.count()).toBe(0);
  });

  it('raised no page error and no CSP violation', () => {
    expect(suite.problems.flat()).toEqual([]);
  });
});
