// The test environment: which real services the suites may use. (Tests' counterpart of the config module.)
// The PostgreSQL server for tests is @keel/db's, one definition for every package.
export { testDatabaseUrl } from '@keel/db/testing';

const env = process.env;

/** Redis for tests; unset means in-process stores. */
export const testRedisUrl: string | undefined = env.TEST_REDIS_URL || env.REDIS_URL || undefined;
/** PATH for child processes the tests start (the pinned Node and tools). */
export const inheritedPath: string = env.PATH ?? '';
/** HOME for child processes that read their own configuration there (pnpm). */
export const inheritedHome: string = env.HOME ?? '/root';
