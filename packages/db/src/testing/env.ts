// Which PostgreSQL server the suites may use (the tests' counterpart of the config module).

/** PostgreSQL server for tests; unset means the suites run on in-memory PGlite. */
export const testDatabaseUrl: string | undefined =
  process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;
