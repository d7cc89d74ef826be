import { randomBytes } from 'node:crypto';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from './common/errors.js';
import { type AppDeps, createContextInner, type ProcedureTracer, type RequestObservation } from './context.js';
import { appRouter } from './root.js';
import {
  callerFor,
  createTestDeps,
  createUser,
  outcomeWithMessage,
  recordingResponse,
  TEST_PASSWORD,
  type TestDeps,
  type TrpcEnvelope,
} from './testing/index.js';
import { sessionStateWithRedisDown, unreachableDatabase, unreachableRedis } from './testing/unreachable.js';

// The real rate limits (multiplier 1); each test signs in from its own address.
let deps: TestDeps;
const down = unreachableRedis();
beforeAll(async () => {
  deps = await createTestDeps({ rateLimitMultiplier: 1 });
});
afterAll(async () => {
  down.disconnect();
  await deps.close();
});

let lastOctet = 0;
/** A client address of its own, so one test's counts never touch another's. */
const freshIp = () => `198.18.${Math.floor(lastOctet / 250)}.${(lastOctet++ % 250) + 1}`;
const email = () => `rl-${randomBytes(5).toString('hex')}@example.com`;

async function failedLogins(address: string, ip: string, times: number): Promise<string[]> {
  const results: string[] = [];
  for (let i = 0; i < times; i++) {
    const caller = await callerFor(deps, { ip });
    results.push(await outcomeWithMessage(caller.auth.login({ email: address, password: 'Wrong-passw0rd' })));
  }
  return results;
}

/** One real tRPC HTTP request, through tRPC's own fetch adapter and the application's error formatter. */
async function httpCall(
  path: string,
  input: unknown,
  options: { ip?: string; requestId?: string; depsOverride?: Partial<AppDeps> } = {},
) {
  const requestId = options.requestId ?? `req-${randomBytes(4).toString('hex')}`;
  const response = await fetchRequestHandler({
    endpoint: '/trpc',
    router: appRouter,
    req: new Request(`http://keel.test/trpc/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(input),
    }),
    createContext: () =>
      createContextInner(
        { ...deps, ...options.depsOverride },
        {
          requestId,
          ip: options.ip ?? freshIp(),
          userAgent: 'vitest',
          authorization: undefined,
          refreshCookie: undefined,
          mfaCookie: undefined,
          response: recordingResponse(),
        },
      ),
  });
  return { status: response.status, body: (await response.json()) as TrpcEnvelope, requestId };
}

describe('error envelope on /trpc: the application code in error.data', () => {
  it('a validation failure is 400 VALIDATION_ERROR listing every failing field, with path and request id', async () => {
    const { status, body, requestId } = await httpCall('auth.register', { email: 'nope', password: 'short', name: '' });
    expect(status).toBe(400);
    expect(body.error.message).toBe('Invalid input');
    expect(body.error.data).toMatchObject({
      code: 'VALIDATION_ERROR',
      httpStatus: 400,
      path: 'auth.register',
      requestId,
    });
    const fields = (body.error.data.details as { field: string }[]).map((detail) => detail.field);
    expect(new Set(fields)).toEqual(new Set(['email', 'password', 'name']));
    expect(body.error.data.details).toContainEqual({ field: 'email', message: 'Invalid email format' });
  });

  it('a business refusal keeps its code and message and has no details', async () => {
    const { status, body } = await httpCall('auth.login', { email: email(), password: 'Wrong-passw0rd' });
    expect(status).toBe(401);
    expect(body.error.message).toBe('Invalid credentials');
    expect(body.error.data.code).toBe('UNAUTHORIZED');
    expect(body.error.data).not.toHaveProperty('details');
    expect(body.error.data).not.toHaveProperty('retryAfter');
  });

  it('a rate-limited call is 429 RATE_LIMITED and tells the client how long to wait', async () => {
    const ip = freshIp();
    const address = email();
    await failedLogins(address, ip, 5);
    const { status, body } = await httpCall('auth.login', { email: address, password: TEST_PASSWORD }, { ip });
    expect(status).toBe(429);
    expect(body.error.data.code).toBe('RATE_LIMITED');
    expect(body.error.data.retryAfter).toBeGreaterThan(0);
    expect(body.error.data.retryAfter).toBeLessThanOrEqual(15 * 60);
  });

  it('an unexpected failure is 500 "Internal server error" with nothing of the real error; the log has it', async () => {
    const user = await createUser(deps);
    await deps.db.updateTable('users').set({ password_hash: 'corrupt-hash' }).where('id', '=', user.id).execute();
    const { status, body, requestId } = await httpCall('auth.login', { email: user.email, password: TEST_PASSWORD });
    expect(status).toBe(500);
    expect(body.error.message).toBe('Internal server error');
    expect(body.error.data).toMatchObject({ code: 'INTERNAL_ERROR', requestId, path: 'auth.login' });
    expect(JSON.stringify(body)).not.toMatch(/corrupt|argon|stack|at .*\.ts/i);
    expect(deps.logs).toContainEqual(
      expect.objectContaining({
        level: 50,
        requestId,
        path: 'auth.login',
        msg: 'unhandled error in procedure',
        err: expect.objectContaining({ message: expect.any(String) }),
      }),
    );
  });

  it('an unreachable database is 503 SERVICE_UNAVAILABLE with a retry delay, logged as such', async () => {
    const database = unreachableDatabase();
    try {
      const { status, body, requestId } = await httpCall(
        'auth.login',
        { email: email(), password: TEST_PASSWORD },
        { depsOverride: { db: database.db } },
      );
      expect(status).toBe(503);
      expect(body.error.data).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryAfter: 2, requestId });
      expect(deps.logs).toContainEqual(expect.objectContaining({ level: 50, requestId, msg: 'database unavailable' }));
    } finally {
      await database.close();
    }
  });
});

describe('two sign-ups racing for one email', () => {
  it('create one account; the other is told 409 CONFLICT, never 500', async () => {
    const address = email();
    const results = await Promise.all(
      Array.from({ length: 4 }, async () =>
        outcomeWithMessage(
          (await callerFor(deps, { ip: freshIp() })).auth.register({
            email: address,
            password: TEST_PASSWORD,
            name: 'Racer',
          }),
        ),
      ),
    );
    expect(results.filter((result) => result === 'OK')).toHaveLength(1);
    for (const result of results.filter((r) => r !== 'OK')) expect(result).toMatch(/^CONFLICT: /);
    const rows = await deps.db.selectFrom('users').select('id').where('email', '=', address).execute();
    expect(rows).toHaveLength(1);
  });
});

describe('rate limits declared per procedure', () => {
  it('every limited call reports its limit, what remains and when the window resets', async () => {
    const response = recordingResponse();
    const caller = await callerFor(deps, { ip: freshIp(), response });
    await caller.auth.logout();
    expect(response.headers).toMatchObject({ 'x-ratelimit-limit': '1000', 'x-ratelimit-remaining': '999' });
    expect(Number(response.headers['x-ratelimit-reset'])).toBeGreaterThan(0);
    expect(Number(response.headers['x-ratelimit-reset'])).toBeLessThanOrEqual(3600);
    expect(response.headers).not.toHaveProperty('retry-after');
  });

  it('the sixth sign-in for one email from one address in 15 minutes is refused with 429 and Retry-After, even with the right password', async () => {
    const user = await createUser(deps);
    const ip = freshIp();
    expect(await failedLogins(user.email, ip, 5)).toEqual(Array(5).fill('UNAUTHORIZED: Invalid credentials'));
    const response = recordingResponse();
    const caller = await callerFor(deps, { ip, response });
    const refused = await caller.auth.login({ email: user.email, password: TEST_PASSWORD }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'TOO_MANY_REQUESTS', appCode: 'RATE_LIMITED' });
    expect(response.headers).toMatchObject({ 'x-ratelimit-limit': '5', 'x-ratelimit-remaining': '0' });
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(response.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);
    expect(response.headers['retry-after']).toBe(response.headers['x-ratelimit-reset']);
  });

  it('the sign-in limit is per address and email: another email, or another address, may still sign in', async () => {
    const [locked, other] = [await createUser(deps), await createUser(deps)];
    const ip = freshIp();
    await failedLogins(locked.email, ip, 5);
    const sameIp = await callerFor(deps, { ip });
    expect(await outcomeWithMessage(sameIp.auth.login({ email: other.email, password: TEST_PASSWORD }))).toBe('OK');
    const otherIp = await callerFor(deps, { ip: freshIp() });
    expect(await outcomeWithMessage(otherIp.auth.login({ email: locked.email, password: TEST_PASSWORD }))).toBe('OK');
  });

  it('the same email in another case or with spaces counts against the same sign-in limit', async () => {
    const user = await createUser(deps);
    const ip = freshIp();
    await failedLogins(user.email, ip, 4);
    await failedLogins(`  ${user.email.toUpperCase()}`, ip, 1);
    const caller = await callerFor(deps, { ip });
    expect(await outcomeWithMessage(caller.auth.login({ email: user.email, password: TEST_PASSWORD }))).toMatch(
      /^TOO_MANY_REQUESTS/,
    );
  });

  it('a successful sign-in forgives the failed attempts before it', async () => {
    const user = await createUser(deps);
    const ip = freshIp();
    await failedLogins(user.email, ip, 4);
    await (await callerFor(deps, { ip })).auth.login({ email: user.email, password: TEST_PASSWORD });
    expect(await failedLogins(user.email, ip, 5)).toEqual(Array(5).fill('UNAUTHORIZED: Invalid credentials'));
    expect(await failedLogins(user.email, ip, 1)).toEqual([expect.stringMatching(/^TOO_MANY_REQUESTS/)]);
  });

  it('malformed sign-in attempts never count against the sign-in limit, only against the address', async () => {
    const user = await createUser(deps);
    const ip = freshIp();
    const results: string[] = [];
    for (let i = 0; i < 6; i++) {
      const caller = await callerFor(deps, { ip });
      // @ts-expect-error a malformed sign-in: the password is not a string
      results.push(await outcomeWithMessage(caller.auth.login({ email: user.email, password: 42 })));
    }
    expect(results.every((result) => result.startsWith('BAD_REQUEST'))).toBe(true);
    const signIn = await callerFor(deps, { ip });
    expect(await outcomeWithMessage(signIn.auth.login({ email: user.email, password: TEST_PASSWORD }))).toBe('OK');
    // The address's own rule (`auth`) counted every call: six malformed sign-ins, the sign-in, this one.
    const response = recordingResponse();
    // @ts-expect-error a malformed registration: no password, and the email is not a string
    const register = (await callerFor(deps, { ip, response })).auth.register({ email: 42 });
    expect(await outcomeWithMessage(register)).toMatch(/^BAD_REQUEST/);
    expect(response.headers['x-ratelimit-remaining']).toBe(String(50 - 8));
  });

  it('an address may try 50 sign-ins in 15 minutes across all emails, then is refused', async () => {
    const ip = freshIp();
    const results: string[] = [];
    for (let i = 0; i < 51; i++) results.push(...(await failedLogins(email(), ip, 1)));
    expect(results.slice(0, 50)).toEqual(Array(50).fill('UNAUTHORIZED: Invalid credentials'));
    expect(results[50]).toMatch(/^TOO_MANY_REQUESTS/);
  });

  it('refreshing never counts against the sign-in limit of that address', async () => {
    const user = await createUser(deps);
    const ip = freshIp();
    await failedLogins(user.email, ip, 6);
    const response = recordingResponse();
    const caller = await callerFor(deps, { ip, response });
    expect(await outcomeWithMessage(caller.auth.refresh({ refreshToken: user.refreshToken }))).toBe('OK');
    expect(response.headers['x-ratelimit-limit']).toBe('150');
  });

  it('signed-in calls count per user, anonymous ones per address', async () => {
    const ip = freshIp();
    const [alice, bob] = [await createUser(deps), await createUser(deps)];
    const remainingAfter = async (options: { accessToken?: string }) => {
      const response = recordingResponse();
      await (await callerFor(deps, { ip, response, ...options })).auth.logout();
      return response.headers['x-ratelimit-remaining'];
    };
    expect(await remainingAfter({ accessToken: alice.accessToken })).toBe('999');
    expect(await remainingAfter({ accessToken: alice.accessToken })).toBe('998');
    expect(await remainingAfter({ accessToken: bob.accessToken })).toBe('999');
    expect(await remainingAfter({})).toBe('999');
    expect(await remainingAfter({})).toBe('998');
  });
});

describe('authentication', () => {
  it.each([
    ['no Authorization header', {}, 'UNAUTHORIZED: Authentication required'],
    ['a token that is not a JWT', { accessToken: 'not-a-jwt' }, 'UNAUTHORIZED: Invalid or expired access token'],
    [
      'a token signed by somebody else',
      {
        accessToken:
          'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ4Iiwicm9sZSI6IkFETUlOIn0.c2lnbmF0dXJlLW9mLXNvbWVib2R5',
      },
      'UNAUTHORIZED: Invalid or expired access token',
    ],
  ])('a signed-in procedure refuses %s', async (_case, options, expected) => {
    expect(await outcomeWithMessage((await callerFor(deps, options)).auth.me())).toBe(expected);
  });

  it('an Authorization header that is not a Bearer token is an invalid token, not a missing one', async () => {
    const user = await createUser(deps);
    const ctx = await createContextInner(deps, {
      requestId: 'req-basic',
      ip: freshIp(),
      userAgent: null,
      authorization: `Basic ${user.accessToken}`,
      refreshCookie: undefined,
      mfaCookie: undefined,
      response: recordingResponse(),
    });
    expect(ctx).toMatchObject({ token: undefined, tokenInvalid: true, accessToken: undefined });
  });

  it('refuses a procedure to a role that may not call it, naming the roles it needs', async () => {
    const guest = await createUser(deps, { role: 'GUEST' });
    expect(await outcomeWithMessage(guest.caller.admin.stats())).toBe('FORBIDDEN: Requires role ADMIN');
  });
});

describe('while the session-state store is down, the database decides', () => {
  const opened: Array<{ close(): void }> = [];
  afterAll(() => {
    for (const store of opened) store.close();
  });
  let lastDegraded: string[] = [];
  const withStoreDown = () => {
    const { store, degraded } = sessionStateWithRedisDown(down, deps.db);
    opened.push(store);
    lastDegraded = degraded;
    return { ...deps, sessionState: store };
  };

  it('a valid session is still served from the database', async () => {
    const user = await createUser(deps);
    const caller = await callerFor(withStoreDown(), { accessToken: user.accessToken });
    await expect(caller.auth.me()).resolves.toMatchObject({ id: user.id });
  });

  it('a session revoked in the database is refused', async () => {
    const user = await createUser(deps);
    await deps.db.updateTable('sessions').set({ revoked_at: new Date() }).where('user_id', '=', user.id).execute();
    const caller = await callerFor(withStoreDown(), { accessToken: user.accessToken });
    expect(await outcomeWithMessage(caller.auth.me())).toBe('UNAUTHORIZED: Session has been revoked');
  });

  it('a deactivated user is refused', async () => {
    const user = await createUser(deps);
    await deps.db.updateTable('users').set({ active: false }).where('id', '=', user.id).execute();
    const caller = await callerFor(withStoreDown(), { accessToken: user.accessToken });
    expect(await outcomeWithMessage(caller.auth.me())).toBe('UNAUTHORIZED: Session has been revoked');
  });

  it('a token whose session no longer exists is refused', async () => {
    const user = await createUser(deps);
    await deps.db.deleteFrom('sessions').where('user_id', '=', user.id).execute();
    const caller = await callerFor(withStoreDown(), { accessToken: user.accessToken });
    expect(await outcomeWithMessage(caller.auth.me())).toBe('UNAUTHORIZED: Session has been revoked');
  });

  it("an admin's role change is still committed, and kept until Redis takes it", async () => {
    const [admin, target] = [await createUser(deps, { role: 'ADMIN' }), await createUser(deps)];
    const withDown = withStoreDown();
    const caller = await callerFor(withDown, { accessToken: admin.accessToken });
    await expect(caller.admin.users.setRole({ userId: target.id, role: 'GUEST' })).resolves.toMatchObject({
      role: 'GUEST',
    });
    const row = await deps.db.selectFrom('users').select('role').where('id', '=', target.id).executeTakeFirstOrThrow();
    expect(row.role).toBe('GUEST');
    expect(withDown.sessionState.pendingWrites).toBe(1);
    expect(lastDegraded).toContain('Redis refused a role change; kept and retried until it takes it');
  });

  it('the role comes from the database, not from the token: a demoted admin loses admin procedures', async () => {
    const admin = await createUser(deps, { role: 'ADMIN' });
    await deps.db.updateTable('users').set({ role: 'USER' }).where('id', '=', admin.id).execute();
    const caller = await callerFor(withStoreDown(), { accessToken: admin.accessToken });
    expect(await outcomeWithMessage(caller.admin.stats())).toBe('FORBIDDEN: Requires role ADMIN');
  });
});

describe("the request's observation", () => {
  const observation = (trace?: ProcedureTracer): RequestObservation => ({ calls: [], userId: undefined, trace });
  const summary = ({ calls, userId }: RequestObservation) => ({
    userId,
    calls: calls.map(({ path, type, userId, error }) => ({ path, type, userId, error: error?.code })),
  });

  it('records every call with its path, type, signed-in user and failure, and a duration', async () => {
    const user = await createUser(deps);
    const signedIn = observation();
    const me = await (await callerFor(deps, { accessToken: user.accessToken, observation: signedIn })).auth.me();
    expect(me.id).toBe(user.id);
    expect(summary(signedIn)).toEqual({
      userId: user.id,
      calls: [{ path: 'auth.me', type: 'query', userId: user.id, error: undefined }],
    });
    expect(signedIn.calls[0]?.seconds).toBeGreaterThan(0);

    const anonymous = observation();
    const caller = await callerFor(deps, { observation: anonymous });
    expect(await outcomeWithMessage(caller.auth.me())).toMatch(/^UNAUTHORIZED/);
    await caller.auth.logout();
    expect(summary(anonymous)).toEqual({
      userId: undefined,
      calls: [
        { path: 'auth.me', type: 'query', userId: undefined, error: 'UNAUTHORIZED' },
        { path: 'auth.logout', type: 'mutation', userId: undefined, error: undefined },
      ],
    });
  });

  it('names the user a sign-in signed in', async () => {
    const user = await createUser(deps);
    const seen = observation();
    await (await callerFor(deps, { ip: freshIp(), observation: seen })).auth.login({
      email: user.email,
      password: TEST_PASSWORD,
    });
    expect(seen.userId).toBe(user.id);
  });

  it("runs each call inside the host's tracer, whose result passes through unchanged", async () => {
    const traced: { path: string; ok: boolean }[] = [];
    const seen = observation(async (call, run) => {
      const result = await run();
      traced.push({ path: call.path, ok: result.ok });
      return result;
    });
    const caller = await callerFor(deps, { observation: seen });
    expect(await outcomeWithMessage(caller.auth.me())).toMatch(/^UNAUTHORIZED/);
    expect(traced).toEqual([{ path: 'auth.me', ok: false }]);
  });
});
