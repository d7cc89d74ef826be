// @keel/db's own tests: scratch databases (testing/scratch-database.ts) closed and dropped after
// each test, so a test asks for one and forgets it.
import { afterEach } from 'vitest';
import type { Database } from './connection.js';
import { createScratchDatabase, type ScratchDatabase } from './testing/index.js';

export { testDatabaseUrl } from './testing/index.js';

const scratches: ScratchDatabase[] = [];

afterEach(async () => {
  for (const scratch of scratches.splice(0)) await scratch.destroy();
});

/** A fresh, empty database, and a factory for more connections to the same one. */
export async function freshDatabase(): Promise<() => Database> {
  const scratch = await createScratchDatabase();
  scratches.push(scratch);
  return () => scratch.connect({ poolMax: 2 });
}
