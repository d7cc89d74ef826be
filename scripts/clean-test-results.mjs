// Removes the previous run's vitest reports so the summary counts only this run.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
for (const group of ['apps', 'packages']) {
  for (const name of readdirSync(join(root, group))) {
    const dir = join(root, group, name, 'test-results');
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  }
}
