import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerFor, createTestDeps, createUser, TEST_PASSWORD, type TestDeps } from '../../testing/index.js';

let deps: TestDeps;
beforeAll(async () => {
  deps = await createTestDeps();
});
afterAll(async () => {
  await deps.close();
});

describe('auth', () => {
  it('registers, reads me, refreshes and logs out', async () => {
    const anonymous = await callerFor(deps);
    const payload = await anonymous.auth.register({
      email: '  Ada@Example.COM ',
      password: TEST_PASSWORD,
      name: 'Ada',
    });
    expect(payload.user.email).toBe('ada@example.com');
    const me = await (await callerFor(deps, { accessToken: payload.accessToken })).auth.me();
    expect(me.id).toBe(payload.user.id);
    const refreshed = await anonymous.auth.refresh({ refreshToken: payload.refreshToken });
    expect(refreshed.refreshToken).not.toBe(payload.refreshToken);
    await anonymous.auth.logout({ refreshToken: refreshed.refreshToken });
    await expect((await callerFor(deps, { accessToken: refreshed.accessToken })).auth.me()).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
  });

  it('creates users of each role', async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    expect((await admin.caller.auth.me()).role).toBe('ADMIN');
  });
});
