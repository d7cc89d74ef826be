// The audit log in Chromium: events name the people involved and read as sentences, and the person
// picker filters the log by whoever is typed, with that person's id in the URL.
import { describe, expect, it } from 'vitest';
import { ADMIN, accessibilityViolations, browserSuite, screenshot, signIn } from './harness.js';

const run = Date.now().toString(36);
const rita = { name: 'Rita Rivera', email: `rita-${run}@keel.test`, password: 'Rita-Passw0rd1' };
const sam = { name: 'Sam Stone', email: `sam-${run}@keel.test`, password: 'Sam-Passw0rd12' };

const suite = browserSuite(['admin'], async ({ admin }) => {
  await signIn(admin, ADMIN);
});

/** A JSON POST as a script would make it (not through the admin's browser profile, whose session it would replace). */
async function post<T>(origin: string, path: string, body: unknown, token?: string): Promise<T> {
  const response = await fetch(`${origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  expect(response.status, `${path}: ${await response.clone().text()}`).toBe(200);
  return (await response.json()) as T;
}

type Session = { user: { id: string }; accessToken: string };

/** Rita (granted 100 credits) sends Sam 25; the admin makes Sam an ADMIN. */
async function seed(origin: string): Promise<{ ritaId: string; samId: string }> {
  const ritaSession = await post<Session>(origin, '/api/auth/register', rita);
  const samSession = await post<Session>(origin, '/api/auth/register', sam);
  const adminSession = await post<Session>(origin, '/api/auth/login', ADMIN);
  const grant = { userId: ritaSession.user.id, amount: 100, reason: 'Seed' };
  await post(origin, '/trpc/admin.credits.grant', grant, adminSession.accessToken);
  await post(origin, '/api/credits/transfers', { toUserId: samSession.user.id, amount: 25 }, ritaSession.accessToken);
  const promote = { userId: samSession.user.id, role: 'ADMIN' };
  await post(origin, '/trpc/admin.users.setRole', promote, adminSession.accessToken);
  return { ritaId: ritaSession.user.id, samId: samSession.user.id };
}

describe('the audit log', () => {
  let ids: { ritaId: string; samId: string };

  it('names the actor and the target, and shows the metadata as text', async () => {
    const { admin } = suite.pages;
    ids = await seed(new URL(admin.url()).origin);
    await admin.goto('/admin/audit');

    const roleChange = admin.locator('tbody tr[data-action="admin.role_changed"]').first();
    await roleChange.waitFor();
    expect(await roleChange.locator('td[data-label="Actor"]').textContent()).toBe(`Administrator${ADMIN.email}`);
    expect(await roleChange.locator('td[data-label="Target"]').textContent()).toBe(`${sam.name}${sam.email}`);
    expect(await roleChange.locator('td[data-label="Target"]').getAttribute('title')).toBe(ids.samId);
    expect(await roleChange.locator('td[data-label="Details"]').textContent()).toBe('USER → ADMIN');

    const transfer = admin.locator('tbody tr[data-action="credits.transfer"]').first();
    expect(await transfer.locator('td[data-label="Actor"]').textContent()).toBe(`${rita.name}${rita.email}`);
    expect(await transfer.locator('td[data-label="Details"]').textContent()).toBe(`25 credits to ${sam.name}`);
    const grant = admin.locator('tbody tr[data-action="credits.grant"]').first();
    expect(await grant.locator('td[data-label="Details"]').textContent()).toBe(
      '100 credits granted: “Seed” (balance 100)',
    );
  });

  it('picking a person by part of their name filters the log to their events and puts their id in the URL', async () => {
    const { admin } = suite.pages;
    const picker = admin.getByRole('combobox', { name: 'User' });
    await picker.fill('Rita Riv');
    const option = admin.getByRole('option', { name: new RegExp(rita.email) });
    await option.waitFor();
    await screenshot(admin, 'admin-audit-picker');
    // While the list is open React Aria hides the rest of the page from assistive technology (as a
    // combobox popup should), which axe reports as hidden focusable content: it checks it closed.
    await option.click();

    await expect.poll(() => new URL(admin.url()).searchParams.get('userId')).toBe(ids.ritaId);
    await expect.poll(() => picker.inputValue()).toBe(rita.name);
    // Her sign-up, the grant to her and her transfer; not the role change she had no part in.
    const actions = () => admin.locator('tbody tr').evaluateAll((rows) => rows.map((row) => row.dataset.action));
    await expect.poll(actions).toEqual(['credits.transfer', 'credits.grant', 'auth.register']);
    expect(await accessibilityViolations(admin)).toEqual([]);
  });

  it('a link with the id shows whom it names, and emptying the field lists everyone again', async () => {
    const { admin } = suite.pages;
    await admin.reload();
    const picker = admin.getByRole('combobox', { name: 'User' });
    await expect.poll(() => picker.inputValue()).toBe(rita.name);
    await admin.locator('tbody tr[data-action="credits.grant"]').waitFor();
    expect(await accessibilityViolations(admin)).toEqual([]);

    await picker.fill('');
    await expect.poll(() => new URL(admin.url()).searchParams.has('userId')).toBe(false);
    await admin.locator('tbody tr[data-action="admin.role_changed"]').waitFor();
  });

  it('raised no page error and no CSP violation', () => {
    expect(suite.problems.flat()).toEqual([]);
  });
});
