// API keys in Chromium: a user creates a write key on /api-keys and sees it once (Copy puts it on the
// clipboard); a script's `fetch` with it as a bearer token lists her projects; after Done and a
// reload only its prefix is on the page, and the list shows when it was last used. Revoked after a
// confirmation, the same call is a 401. An admin finds another user's key with its owner on
// /admin/api-keys and revokes it, and the owner's list shows it revoked.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ADMIN, accessibilityViolations, browserSuite, signIn, signUp } from './harness.js';

const run = Date.now().toString(36);
const kim = { name: 'Kim Keyholder', email: `kim-${run}@keel.test`, password: 'Kim-Passw0rd1' };
const KEY_FORM = /^keel_([a-z0-9]{8})_[A-Za-z0-9_-]{43}$/;

/** owner: Kim, signed up; admin: the bootstrapped administrator. */
const suite = browserSuite(['owner', 'admin'] as const, async ({ owner, admin }) => {
  await signUp(owner, kim);
  await signIn(admin, ADMIN);
});

const row = (page: Page, prefix: string) => page.locator(`tr[data-key-prefix="${prefix}"]`);
const cell = (page: Page, prefix: string, label: string) =>
  row(page, prefix).locator(`td[data-label="${label}"]`).textContent();

/** What a script gets calling `projects.list` with `key` as its bearer token: the HTTP status. */
async function listProjectsWith(key: string): Promise<number> {
  const input = encodeURIComponent(JSON.stringify({}));
  const response = await fetch(`${suite.server?.url}/trpc/projects.list?input=${input}`, {
    headers: { authorization: `Bearer ${key}` },
  });
  await response.body?.cancel();
  return response.status;
}

/** Fills and submits the create form; the new key's one-time panel, once it shows. */
async function createKey(page: Page, values: { name: string; scope: 'Read' | 'Write'; days?: string }) {
  await page.getByLabel('Name').fill(values.name);
  if (values.days !== undefined) await page.getByLabel('Expires in (days)').fill(values.days);
  await page.getByRole('radio', { name: values.scope }).check();
  await page.getByRole('button', { name: 'Create key' }).click();
  const panel = page.getByRole('region', { name: `Your new key “${values.name}”` });
  await panel.waitFor();
  const key = (await panel.getByTestId('new-api-key').textContent()) ?? '';
  const prefix = KEY_FORM.exec(key)?.[1];
  if (!prefix) throw new Error(`the panel shows no key of the expected form: ${key}`);
  return { panel, key, prefix };
}

describe('API keys, from creation to revocation', () => {
  let key = '';
  let prefix = '';

  it('a bad name or expiry is shown next to its field, and nothing is created', async () => {
    const { owner } = suite.pages;
    await owner.getByRole('link', { name: 'API keys', exact: true }).click();
    await owner.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
    await owner.getByText('No API key yet.', { exact: false }).waitFor();
    // The expiry field starts at the 90 days the server defaults to.
    expect(await owner.getByLabel('Expires in (days)').inputValue()).toBe('90');

    await owner.getByLabel('Expires in (days)').fill('400');
    await owner.getByRole('button', { name: 'Create key' }).click();
    await owner.getByText('Please fix the fields marked below.').waitFor();
    const name = owner.getByLabel('Name');
    const days = owner.getByLabel('Expires in (days)');
    expect(await name.getAttribute('aria-invalid')).toBe('true');
    expect(await days.getAttribute('aria-invalid')).toBe('true');
    // Each message is the field's own description, under it.
    await expect.poll(() => descriptionOf(owner, name)).toContain('Name is required');
    await expect.poll(() => descriptionOf(owner, days)).toContain('A key lives at most 365 days');
    expect(await owner.getByText('No API key yet.', { exact: false }).isVisible()).toBe(true);
  });

  it('a user creates a write key, sees it once with Copy, and a script calls the API with it', async () => {
    const { owner } = suite.pages;
    await owner.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: suite.server?.url });
    const created = await createKey(owner, { name: 'Deploy bot', scope: 'Write', days: '30' });
    ({ key, prefix } = created);
    expect(await created.panel.textContent()).toContain('this is the only time it is shown');
    expect(await created.panel.textContent()).toContain('Write key');

    await created.panel.getByRole('button', { name: 'Copy' }).click();
    await created.panel.getByText('Copied to the clipboard.').waitFor();
    expect(await owner.evaluate(() => navigator.clipboard.readText())).toBe(key);
    expect(await accessibilityViolations(owner)).toEqual([]);

    expect(await listProjectsWith(key)).toBe(200);
  });

  it('after Done and a reload the key is nowhere on the page, and its row shows the prefix and its last use', async () => {
    const { owner } = suite.pages;
    await owner.getByRole('button', { name: 'Done' }).click();
    await owner.getByTestId('new-api-key').waitFor({ state: 'detached' });
    expect(await owner.content()).not.toContain(key);

    await owner.reload();
    await row(owner, prefix).waitFor();
    expect(await owner.content()).not.toContain(key);
    expect(await cell(owner, prefix, 'Name')).toBe('Deploy bot');
    expect(await cell(owner, prefix, 'Key')).toBe(`keel_${prefix}_…`);
    expect(await cell(owner, prefix, 'Scope')).toBe('Write');
    expect(await cell(owner, prefix, 'Status')).toBe('Active');
    // The server records a use off the call's path: a reload shows it once written.
    await expect
      .poll(
        async () => {
          await owner.reload();
          return cell(owner, prefix, 'Last used');
        },
        { timeout: 15_000, interval: 250 },
      )
      .toBe('just now');
    expect(await accessibilityViolations(owner)).toEqual([]);
  });

  it('revoking the key after a confirmation refuses the script with a 401', async () => {
    const { owner } = suite.pages;
    await owner.getByRole('button', { name: `Revoke Deploy bot (keel_${prefix}_…)` }).click();
    const dialog = owner.getByRole('dialog', { name: 'Revoke the API key?' });
    expect(await dialog.textContent()).toContain(`keel_${prefix}_…`);
    await dialog.getByRole('button', { name: 'Revoke' }).click();
    await owner.getByText(`The key “Deploy bot” (keel_${prefix}_…) is revoked`, { exact: false }).waitFor();

    await expect.poll(() => cell(owner, prefix, 'Status')).toMatch(/^Revoked/);
    expect(await row(owner, prefix).getByRole('button').count()).toBe(0);
    expect(await listProjectsWith(key)).toBe(401);
  });

  it("an admin finds another user's key with its owner and revokes it; the owner's list shows it revoked", async () => {
    const { owner, admin } = suite.pages;
    const nightly = await createKey(owner, { name: 'Nightly export', scope: 'Read' });
    await owner.getByRole('button', { name: 'Done' }).click();
    expect(await listProjectsWith(nightly.key)).toBe(200);

    await admin.getByRole('link', { name: 'All API keys', exact: true }).click();
    await admin.getByRole('heading', { name: 'All API keys', level: 1 }).waitFor();
    await row(admin, nightly.prefix).waitFor();
    expect(await cell(admin, nightly.prefix, 'Owner')).toBe(`${kim.name}${kim.email}`);
    expect(await cell(admin, nightly.prefix, 'Scope')).toBe('Read');
    expect(await cell(admin, nightly.prefix, 'Status')).toBe('Active');
    // Kim's revoked key is listed too, without a way to revoke it again.
    expect(await cell(admin, prefix, 'Status')).toMatch(/^Revoked/);
    expect(await row(admin, prefix).getByRole('button').count()).toBe(0);
    expect(await accessibilityViolations(admin)).toEqual([]);

    await admin
      .getByRole('button', { name: `Revoke Nightly export (keel_${nightly.prefix}_…) of ${kim.email}` })
      .click();
    const dialog = admin.getByRole('dialog', { name: 'Revoke the API key?' });
    expect(await dialog.textContent()).toContain(`the scripts of ${kim.name} that use it stop working`);
    await dialog.getByRole('button', { name: 'Revoke' }).click();
    await admin.getByText(`of ${kim.name} is revoked.`, { exact: false }).waitFor();
    await expect.poll(() => cell(admin, nightly.prefix, 'Status')).toMatch(/^Revoked/);
    expect(await listProjectsWith(nightly.key)).toBe(401);

    await owner.reload();
    await expect.poll(() => cell(owner, nightly.prefix, 'Status')).toMatch(/^Revoked/);
    expect(await row(owner, nightly.prefix).getByRole('button').count()).toBe(0);
  });

  it('raised no page error and no CSP violation', () => {
    expect(suite.problems.flat()).toEqual([]);
  });
});

/** The text of the elements that describe `field` (its hint and its error). */
async function descriptionOf(page: Page, field: ReturnType<Page['getByLabel']>): Promise<string> {
  const ids = (await field.getAttribute('aria-describedby'))?.split(' ') ?? [];
  const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).textContent()));
  return texts.join(' ');
}
