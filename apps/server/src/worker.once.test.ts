// `pnpm worker` without DATABASE_URL: the embedded database belongs to the server process, so the
// worker refuses to start and says why (the mode of the suite does not matter: it sets none).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inheritedHome, inheritedPath, TEST_SECRET } from '@keel/api/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { repositoryRoot } from './config.js';

const dataDir = mkdtempSync(join(tmpdir(), 'keel-worker-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('pnpm worker', () => {
  it('refuses to start without DATABASE_URL and says that it needs it', async () => {
    // From the repository root, as an operator types it.
    const child = spawn('pnpm', ['worker'], {
      cwd: repositoryRoot(),
      env: { PATH: inheritedPath, HOME: inheritedHome, CI: '1', DATA_DIR: dataDir, JWT_ACCESS_SECRET: TEST_SECRET },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code, output).not.toBe(0);
    expect(output).toContain('pnpm worker needs DATABASE_URL');
    expect(output).toContain('the embedded database (PGlite) belongs to the server process');
  });
});
