import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { type Database, DataDirectoryInUseError, openDatabase } from './connection.js';
import { migrateToLatest } from './migrate.js';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

function scratchDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'keel-db-open-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function open(pgliteDir: string): Promise<Database> {
  const database = await openDatabase({ pgliteDir });
  cleanups.push(() => database.close());
  return database;
}

describe('openDatabase on embedded PGlite', () => {
  it('creates a new data directory, and a reopened one still holds what was written', async () => {
    const dir = join(scratchDir(), 'pglite');
    const first = await open(dir);
    await migrateToLatest(first.db);
    await first.db
      .insertInto('users')
      .values({ email: 'kept@example.com', name: 'Kept', password_hash: 'x', role: 'USER' })
      .execute();
    await first.close();
    cleanups.pop();

    const second = await open(dir);
    const users = await second.db.selectFrom('users').select('email').execute();
    expect(users).toEqual([{ email: 'kept@example.com' }]);
  });

  it('keeps shared buffers small, so the embedded database does not hold 128 MB it never uses', async () => {
    const database = await open(join(scratchDir(), 'pglite'));
    const setting = await sql<{ shared_buffers: string }>`show shared_buffers`.execute(database.db);
    expect(setting.rows[0]?.shared_buffers).toBe('16MB');
  });

  it('belongs to one process at a time: a second opening is refused with what to do, and allowed once the first closes', async () => {
    const dir = join(scratchDir(), 'pglite');
    const first = await open(dir);
    const refusal = openDatabase({ pgliteDir: dir });
    await expect(refusal).rejects.toBeInstanceOf(DataDirectoryInUseError);
    await expect(refusal).rejects.toThrow(/in use by another process .* Stop it and run this command again/);
    await first.close();
    cleanups.pop();
    const second = await open(dir);
    await expect(second.ping()).resolves.toBeUndefined();
  });

  it('names the directory when it cannot be created', async () => {
    const blocker = join(scratchDir(), 'not-a-directory');
    writeFileSync(blocker, '');
    await expect(openDatabase({ pgliteDir: join(blocker, 'pglite') })).rejects.toThrow(/not-a-directory/);
  });
});
