// `pnpm db:migrate`: applies pending migrations to DATABASE_URL (or the embedded PGlite under DATA_DIR).
import { join } from 'node:path';
import { type Database, migrateToLatest, openDatabase } from '@keel/db';
import { loadConfig } from '../config.js';
import { startupFailureMessage } from '../startup-failure.js';

const config = loadConfig();
let database: Database;
try {
  database = await openDatabase({ url: config.DATABASE_URL, pgliteDir: join(config.DATA_DIR, 'pglite') });
} catch (error) {
  process.stderr.write(`Migration failed: ${startupFailureMessage(error)}\n`);
  process.exit(1);
}
const target = config.DATABASE_URL ? new URL(config.DATABASE_URL).host : `PGlite at ${join(config.DATA_DIR, 'pglite')}`;
process.stdout.write(`Migrating ${target}…\n`);
try {
  const { results = [] } = await migrateToLatest(database.db);
  for (const result of results)
    process.stdout.write(`  ${result.status === 'Success' ? '✓' : '✗'} ${result.migrationName}\n`);
  process.stdout.write(results.length === 0 ? 'Already up to date.\n' : `Applied ${results.length} migration(s).\n`);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await database.close();
}
