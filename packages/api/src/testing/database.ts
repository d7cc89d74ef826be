// A fresh, migrated database per test file: its own PostgreSQL database, or in-memory PGlite.
import { type Database, migrateToLatest } from '@keel/db';
import { createScratchDatabase, type ScratchConnectOptions } from '@keel/db/testing';

export interface TestDatabase extends Database {
  /** Connection string of the test database (PostgreSQL only). */
  url: string | undefined;
  /** Closes the connections and drops the database. */
  destroy(): Promise<void>;
}

export async function createTestDatabase(options: ScratchConnectOptions = {}): Promise<TestDatabase> {
  const scratch = await createScratchDatabase();
  // Suites fire hundreds of concurrent calls at a 20-connection pool to prove correctness under
  // contention; on a busy CI machine the queue for a connection can outlast the production 2 s
  // wait, which is overload behaviour (pool-exhaustion.services.test.ts tests that), not theirs.
  const database = scratch.connect({
    ...options,
    poolMax: options.poolMax ?? 20,
    connectionTimeoutMs: options.connectionTimeoutMs ?? 10_000,
  });
  await migrateToLatest(database.db);
  return { ...database, url: scratch.url, destroy: () => scratch.destroy() };
}
