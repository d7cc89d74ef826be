// `pnpm gen:module` on PostgreSQL and Redis: a generated module's tests pass on both modes.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyRepository, MINUTE, mustRun } from './testing/gen-module-copy.js';

describe('pnpm gen:module on PostgreSQL and Redis', () => {
  let copy: string;
  beforeAll(async () => {
    copy = await copyRepository();
  }, 10 * MINUTE);
  afterAll(() => {
    if (copy) rmSync(copy, { recursive: true, force: true });
  });

  it(
    'generates a module whose tests and role-matrix entries pass on PostgreSQL + Redis and on PGlite',
    async () => {
      await mustRun(copy, 'pnpm -s gen:module task');
      const run = await mustRun(
        copy,
        'pnpm --filter @keel/api exec vitest run src/modules/tasks/tasks.test.ts src/authorization.test.ts',
        { services: true, timeoutMs: 8 * MINUTE },
      );
      expect(run.stdout).toMatch(/\|services\| src\/modules\/tasks\/tasks\.test\.ts/);
      expect(run.stdout).toMatch(/\|embedded\| src\/modules\/tasks\/tasks\.test\.ts/);
      const report = JSON.parse(readFileSync(join(copy, 'packages/api/test-results/vitest.json'), 'utf8')) as {
        numFailedTests: number;
        testResults: { name: string; status: string }[];
      };
      const moduleRuns = report.testResults.filter((file) => file.name.endsWith('/tasks.test.ts'));
      expect(moduleRuns.map((file) => file.status)).toEqual(['passed', 'passed']);
      expect(report.numFailedTests).toBe(0);
    },
    10 * MINUTE,
  );
});
