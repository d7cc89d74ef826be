// The test environment of @keel/db's own tests (its counterpart of a config module).
export const testDatabaseUrl: string | undefined =
  process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;
