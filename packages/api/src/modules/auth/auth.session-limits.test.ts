// How long a session lives whatever its refreshes: a single sign-on session refreshes for
// SSO_SESSION_MAX_HOURS after its sign-in (then the person goes back through the provider, which
// may have removed them), every session ends SESSION_MAX_DAYS after its sign-in, and no refresh
// token or cookie is handed out for longer than that.
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  callerFor,
  createTestDeps,
  createUser,
  outcomeWithMessage,
  recordingResponse,
  signInWithSso,
  ssoClaims,
  TEST_SSO,
  type TestDeps,
} from '../../testing/index.js';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
const INVALID_REFRESH = 'UNAUTHORIZED: Invalid or expired refresh token';

/** The clock sign-in times and refreshes are read with; tests move it forward. */
let clock = Date.now();
let deps: TestDeps;
beforeAll(async () => {
  deps = await createTestDeps({ config: { sso: TEST_SSO } });
  deps.now = () => clock;
});
beforeEach(() => {
  clock = Date.now();
});
afterAll(async () => {
  await deps.close();
});

/** Refreshes with `refreshToken`: the new token, or the refusal as `CODE: message`. */
async function refresh(refreshToken: string): Promise<{ refreshToken: string } | string> {
  try {
    return await (await callerFor(deps)).auth.refresh({ refreshToken });
  } catch (error) {
    if (error instanceof TRPCError) return `${error.code}: ${error.message}`;
    throw error;
  }
}

const sessionOf = (userId: string) =>
  deps.db
    .selectFrom('sessions')
    .select(['revoked_at', 'revoked_reason', 'expires_at', 'signed_in_at'])
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();

describe('SSO_SESSION_MAX_HOURS (24 by default)', () => {
  it('refreshes a single sign-on session until 24 hours after its sign-in, then ends it', async () => {
    const { payload } = await signInWithSso(deps, ssoClaims());
    clock += 23 * HOUR_MS;
    const refreshed = await refresh(payload.refreshToken);
    if (typeof refreshed === 'string') throw new Error(`refresh refused: ${refreshed}`);
    clock += HOUR_MS + 1_000;
    expect(await refresh(refreshed.refreshToken)).toBe(INVALID_REFRESH);
    expect(await sessionOf(payload.user.id)).toMatchObject({
      revoked_at: expect.any(Date),
      revoked_reason: 'sso_session_limit',
    });
    // The access token of the ended session stops working too.
    const caller = await callerFor(deps, { accessToken: payload.accessToken });
    expect(await outcomeWithMessage(caller.auth.me())).toMatch(/^UNAUTHORIZED/);
  });

  it('leaves a password session refreshing past it', async () => {
    const user = await createUser(deps);
    clock += 25 * HOUR_MS;
    expect(typeof (await refresh(user.refreshToken))).toBe('object');
  });

  it('hands out no refresh token or cookie that outlives it', async () => {
    const { payload, response } = await signInWithSso(deps, ssoClaims());
    expect(response.refreshCookieMaxAgeSeconds).toBe(24 * 60 * 60);
    const session = await sessionOf(payload.user.id);
    expect(session.expires_at.getTime()).toBe(session.signed_in_at.getTime() + DAY_MS);
    clock += 20 * HOUR_MS;
    const sink = recordingResponse();
    await (await callerFor(deps, { response: sink })).auth.refresh({ refreshToken: payload.refreshToken });
    expect(sink.refreshCookieMaxAgeSeconds).toBe(4 * 60 * 60);
    expect((await sessionOf(payload.user.id)).expires_at.getTime()).toBe(session.signed_in_at.getTime() + DAY_MS);
  });
});

describe('SESSION_MAX_DAYS (30 by default)', () => {
  it('ends any session 30 days after its sign-in, however often it refreshed', async () => {
    const user = await createUser(deps);
    let refreshToken = user.refreshToken;
    for (let day = 6; day < 30; day += 6) {
      clock += 6 * DAY_MS;
      const refreshed = await refresh(refreshToken);
      if (typeof refreshed === 'string') throw new Error(`refresh refused on day ${day}: ${refreshed}`);
      refreshToken = refreshed.refreshToken;
    }
    clock += 6 * DAY_MS;
    expect(await refresh(refreshToken)).toBe(INVALID_REFRESH);
    expect(await sessionOf(user.id)).toMatchObject({ revoked_reason: 'session_max_age' });
  });

  it('slides a password session by REFRESH_TOKEN_TTL_DAYS at each refresh, up to the limit', async () => {
    const user = await createUser(deps);
    const signedInAt = (await sessionOf(user.id)).signed_in_at.getTime();
    expect((await sessionOf(user.id)).expires_at.getTime()).toBe(signedInAt + 7 * DAY_MS);
    clock = signedInAt + 5 * DAY_MS;
    await refresh(user.refreshToken);
    expect((await sessionOf(user.id)).expires_at.getTime()).toBe(signedInAt + 12 * DAY_MS);
  });

  it('counts from the sign-in on a deployment that shortens it', async () => {
    const user = await createUser(deps);
    const shorter = { ...deps, config: { ...deps.config, sessionMaxDays: 2 } };
    clock += 2 * DAY_MS + 1_000;
    expect(await outcomeWithMessage((await callerFor(shorter)).auth.refresh({ refreshToken: user.refreshToken }))).toBe(
      INVALID_REFRESH,
    );
  });
});
