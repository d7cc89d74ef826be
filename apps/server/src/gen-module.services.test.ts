// `pnpm gen:module` on PostgreSQL and Redis: a generated module's tests pass on both modes, for
// the personal scope and for `--scope team`.
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

  it(
    'generates a team-scoped module (--scope team) that typechecks, sits under /teams/{teamId}, and whose tests and both matrices pass on both modes',
    async () => {
      const generated = await mustRun(copy, 'pnpm -s gen:module note --scope team');
      expect(generated.stdout).toContain('~ packages/api/src/modules/teams/teams.matrix.test.ts');
      await mustRun(copy, 'pnpm --filter @keel/db --filter @keel/api typecheck', { timeoutMs: 5 * MINUTE });
      const openapi = await mustRun(
        join(copy, 'apps/server'),
        `pnpm exec tsx --conditions=@keel/source -e "import { buildOpenApiDocument } from './src/openapi.ts'; console.log(JSON.stringify(Object.keys(buildOpenApiDocument().paths)))"`,
      );
      const paths = JSON.parse(openapi.stdout.trim().split('\n').at(-1) ?? '[]') as string[];
      expect(paths.filter((path) => path.includes('notes')).sort()).toEqual([
        '/teams/{teamId}/notes',
        '/teams/{teamId}/notes/{id}',
      ]);
      const files = [
        'src/modules/notes/notes.test.ts',
        'src/modules/teams/teams.matrix.test.ts',
        'src/authorization.test.ts',
      ];
      await mustRun(copy, `pnpm --filter @keel/api exec vitest run ${files.join(' ')}`, {
        services: true,
        timeoutMs: 10 * MINUTE,
      });
      const report = JSON.parse(readFileSync(join(copy, 'packages/api/test-results/vitest.json'), 'utf8')) as {
        numFailedTests: number;
        testResults: { name: string; status: string; assertionResults: { fullName: string }[] }[];
      };
      for (const file of files) {
        const runs = report.testResults.filter((result) => result.name.endsWith(file.replace(/^src/, '')));
        expect(
          runs.map((result) => result.status),
          file,
        ).toEqual(['passed', 'passed']);
      }
      // The team matrix walked the generated procedures, not only the teams module's own.
      const matrixCases = report.testResults
        .filter((result) => result.name.endsWith('/teams.matrix.test.ts'))
        .flatMap((result) => result.assertionResults.map((assertion) => assertion.fullName));
      expect(matrixCases.filter((name) => name.includes('notes.delete as MEMBER: NOT_FOUND'))).toHaveLength(2);
      expect(report.numFailedTests).toBe(0);
    },
    20 * MINUTE,
  );
});
