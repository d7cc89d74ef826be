// A pool with every connection busy is an overload, not an outage: 503 to retry, logged as what it is.
import { createDatabase, type Database } from '@keel/db';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPoolExhausted, toPublicError } from './common/errors.js';
import { callerFor, createTestDeps, createUser, type TestDeps, type TestUser } from './testing/index.js';

let deps: TestDeps;
let user: TestUser;
/** The test database through a pool of one connection (`DATABASE_POOL_MAX=1`) that waits 200 ms for it. */
let tiny: Database;

beforeAll(async () => {
  deps = await createTestDeps();
  user = await createUser(deps);
  tiny = createDatabase({ url: deps.database.url, poolMax: 1, connectionTimeoutMs: 200 });
});
afterAll(async () => {
  await tiny?.close();
  await deps?.close();
});

describe('pool exhaustion', () => {
  it('is 503 SERVICE_UNAVAILABLE with a retry delay, logged at warn as "database pool exhausted", not "database unavailable"', async () => {
    const requestId = 'req-pool-exhausted';
    const caller = await callerFor({ ...deps, db: tiny.db }, { accessToken: user.accessToken, requestId });
    // The test holds the pool's only connection while the call wants one.
    const failure = await tiny.db.connection().execute(() =>
      caller.projects.list({}).then(
        () => undefined,
        (error: unknown) => error,
      ),
    );
    expect(failure).toBeInstanceOf(TRPCError);
    expect((failure as TRPCError).code).toBe('SERVICE_UNAVAILABLE');
    const lines = deps.logs.filter((line) => line.requestId === requestId);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 40, msg: 'database pool exhausted', path: 'projects.list' }),
    );
    expect(lines.map((line) => line.msg)).not.toContain('database unavailable');
    expect(toPublicError(failure as TRPCError)).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 1 });
    // The connection back in the pool, the same call answers.
    expect((await caller.projects.list({})).items).toEqual([]);
  });
});

describe('isPoolExhausted', () => {
  it.each([
    [new Error('timeout exceeded when trying to connect'), true],
    // A new connection that could not be made within the timeout: the database, not the pool.
    [new Error('Connection terminated due to connection timeout'), false],
    [Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }), false],
    [{ message: 'timeout exceeded when trying to connect' }, false],
    [undefined, false],
  ])('%s is %s', (error, expected) => {
    expect(isPoolExhausted(error)).toBe(expected);
  });
});
