// REQUIRE_EMAIL_VERIFICATION: an account whose address is not verified signs in, but everything
// outside auth.* and users.updateProfile answers 403 EMAIL_NOT_VERIFIED until the link is followed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from './root.js';
import {
  callerFor,
  createTestDeps,
  createUser,
  refusal,
  TEST_PASSWORD,
  type TestDeps,
  type TestUser,
  tokensOf,
} from './testing/index.js';

/**
 * Public procedures outside auth.*: a team invitation's preview and acceptance answer people who
 * are not signed in at all (accepting it signed in checks the verified address itself).
 */
const PUBLIC_ELSEWHERE = ['teams.invitation', 'teams.invitations.accept'];
const STILL_CALLABLE = (path: string) =>
  path.startsWith('auth.') ||
  ['users.updateProfile', 'sso.identities'].includes(path) ||
  PUBLIC_ELSEWHERE.includes(path);

let deps: TestDeps;
beforeAll(async () => {
  deps = await createTestDeps({ config: { emailVerificationRequired: true } });
});
afterAll(async () => {
  await deps.close();
});

/** Calls `path` without input as `user`; a subscription is ended once it answers. */
async function call(user: TestUser, path: string) {
  const controller = new AbortController();
  const caller = await callerFor(deps, { accessToken: user.accessToken, signal: controller.signal });
  const procedure = path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller) as (
    input?: unknown,
  ) => Promise<unknown>;
  try {
    return await refusal(procedure());
  } finally {
    controller.abort();
  }
}

const markVerified = (userId: string) =>
  deps.db.updateTable('users').set({ email_verified: true }).where('id', '=', userId).execute();

describe('with REQUIRE_EMAIL_VERIFICATION', () => {
  it('refuses every procedure but auth.* and users.updateProfile to an unverified admin, before reading input', async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    const refused = Object.keys(appRouter._def.procedures).filter((path) => !STILL_CALLABLE(path));
    expect(refused).toContain('projects.list');
    for (const path of refused) {
      expect({ path, ...(await call(admin, path)) }).toEqual({
        path,
        code: 'EMAIL_NOT_VERIFIED',
        message: 'Confirm your email address first: follow the link we mailed you, or ask for a new one',
      });
    }
  });

  it('lets an unverified account see itself, rename itself and ask for a new link', async () => {
    const user = await createUser(deps);
    await expect(user.caller.auth.me()).resolves.toMatchObject({ emailVerified: false });
    await expect(user.caller.users.updateProfile({ name: 'Still Waiting' })).resolves.toMatchObject({
      name: 'Still Waiting',
    });
    await expect(user.caller.auth.resendVerification()).resolves.toEqual({ success: true });
  });

  it('serves the account as soon as its address is verified, with the token it already holds', async () => {
    const user = await createUser(deps);
    expect((await refusal(user.caller.projects.list({}))).code).toBe('EMAIL_NOT_VERIFIED');

    await markVerified(user.id);

    await expect(user.caller.projects.list({})).resolves.toMatchObject({ items: [] });
  });

  it('leaves verified accounts alone', async () => {
    const user = await createUser(deps);
    await markVerified(user.id);
    const signedIn = tokensOf(await (await callerFor(deps)).auth.login({ email: user.email, password: TEST_PASSWORD }));
    const caller = await callerFor(deps, { accessToken: signedIn.accessToken });
    await expect(caller.credits.balance()).resolves.toBeDefined();
  });
});

describe('without it', () => {
  let open: TestDeps;
  beforeAll(async () => {
    open = await createTestDeps();
  });
  afterAll(async () => {
    await open.close();
  });

  it('serves an unverified account everything its role allows', async () => {
    const user = await createUser(open);
    expect((await user.caller.auth.me()).emailVerified).toBe(false);
    await expect(user.caller.projects.list({})).resolves.toMatchObject({ items: [] });
  });
});
