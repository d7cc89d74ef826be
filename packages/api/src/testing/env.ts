// The test environment: which real services the suites may use. (Tests' counterpart of the config module.)
const env = process.env;

/** PostgreSQL server for tests; unset means the suites run on in-memory PGlite. */
export const testDatabaseUrl: string | undefined = env.TEST_DATABASE_URL || env.DATABASE_URL || undefined;
/** Redis for tests; unset means in-process stores. */
export const testRedisUrl: string | undefined = env.TEST_REDIS_URL || env.REDIS_URL || undefined;
/** PATH for child processes the tests start (the pinned Node and tools). */
export const inheritedPath: string = env.PATH ?? '';
