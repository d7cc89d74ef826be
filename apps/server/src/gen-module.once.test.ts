// `pnpm gen:module` end to end, in a temporary copy of the repository (the real tree is never
// touched): docs/adding-a-feature.md followed as written, refusals that write nothing, and the role
// matrix catching a removed entry. Slow by nature, so it runs once (in the embedded project).
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  copyRepository,
  describeResult,
  MINUTE,
  mustRun,
  REFUSALS,
  reported,
  sh,
  snapshot,
  TUTORIAL,
  tutorialSteps,
} from './testing/gen-module-copy.js';

describe('pnpm gen:module in a temporary copy of the repository', () => {
  let copy: string;
  let routerKey = '';
  beforeAll(async () => {
    copy = await copyRepository();
  }, 10 * MINUTE);
  afterAll(() => {
    if (copy) rmSync(copy, { recursive: true, force: true });
  });

  it.each(REFUSALS)('refuses "%s" with the reason and writes nothing', async (args, reason) => {
    const before = snapshot(copy);
    const result = await sh(copy, `pnpm -s gen:module ${args}`);
    expect(result.code, describeResult(args, result)).not.toBe(0);
    expect(result.stderr).toMatch(reason);
    expect(result.stderr).toMatch(/Nothing was written/);
    expect(snapshot(copy)).toEqual(before);
  });

  it('lists what it would do with --dry-run and writes nothing', async () => {
    const before = snapshot(copy);
    const result = await mustRun(copy, 'pnpm -s gen:module invoice-line --dry-run');
    expect(reported(result.stdout).created).toContain('packages/api/src/modules/invoice-lines/invoice-lines.router.ts');
    expect(result.stdout).toMatch(/_create_invoice_lines_table\.ts$/m);
    expect(snapshot(copy)).toEqual(before);
  });

  it('lists a team-scoped module with --scope team --dry-run, the team matrix among the edits, and writes nothing', async () => {
    const before = snapshot(copy);
    const result = await mustRun(copy, 'pnpm -s gen:module invoice-line --scope team --dry-run');
    expect(result.stdout).toMatch(/the invoiceLines module \(team scope/);
    expect(reported(result.stdout).changed).toContain('packages/api/src/modules/teams/teams.matrix.test.ts');
    expect(snapshot(copy)).toEqual(before);
  });

  it(
    `follows ${TUTORIAL} as written: generate, migrate, call it from apps/web with inferred types, typecheck, tests pass`,
    async () => {
      const steps = tutorialSteps(readFileSync(join(copy, TUTORIAL), 'utf8'));
      expect(steps.some((step) => step.kind === 'run' && step.command.startsWith('pnpm gen:module '))).toBe(true);
      expect(steps.some((step) => step.kind === 'file' && step.path.endsWith('.test-d.ts'))).toBe(true);
      const outputs: string[] = [];
      for (const step of steps) {
        if (step.kind === 'file') {
          mkdirSync(dirname(join(copy, step.path)), { recursive: true });
          writeFileSync(join(copy, step.path), step.content);
          continue;
        }
        const result = await mustRun(copy, step.command, { timeoutMs: 8 * MINUTE });
        outputs.push(result.stdout);
        if (step.command.startsWith('pnpm gen:module ')) {
          const report = reported(result.stdout);
          routerKey = report.routerKey;
          expect(report.created.filter((path) => path.startsWith(`packages/api/src/modules/`))).toHaveLength(6);
          expect(report.created.some((path) => path.startsWith('packages/db/src/migrations/'))).toBe(true);
          expect(report.changed.sort()).toEqual(
            [
              'packages/api/src/authorization.test.ts',
              'packages/api/src/root.ts',
              'packages/api/src/schemas.ts',
              'packages/db/src/migrations/index.ts',
              'packages/db/src/schema.ts',
            ].sort(),
          );
          for (const path of report.created) expect(existsSync(join(copy, path)), path).toBe(true);
          // The generated files are already formatted and lint-clean.
          await mustRun(copy, `pnpm exec biome check ${report.created.join(' ')}`);
        }
      }
      expect(routerKey).not.toBe('');
      // The dashboard's vitest run included the tutorial's type test.
      const typeTest = steps.find((step) => step.kind === 'file' && step.path.endsWith('.test-d.ts'));
      expect(outputs.join('\n')).toContain(typeTest?.kind === 'file' ? typeTest.path.split('/').at(-1) : '?');
      // The module is on the REST surface and in /openapi.json with no edit beyond the generator's.
      const openapi = await mustRun(
        join(copy, 'apps/server'),
        `pnpm exec tsx --conditions=@keel/source -e "import { buildOpenApiDocument } from './src/openapi.ts'; console.log(JSON.stringify(Object.keys(buildOpenApiDocument().paths)))"`,
      );
      const paths = JSON.parse(openapi.stdout.trim().split('\n').at(-1) ?? '[]') as string[];
      expect(
        paths.filter((path) => path.includes(routerKey.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`))),
      ).toHaveLength(2);
    },
    20 * MINUTE,
  );

  it('refuses the same name a second time and changes nothing', async () => {
    expect(routerKey, 'the tutorial test generated a module').not.toBe('');
    const before = snapshot(copy);
    const tutorial = readFileSync(join(copy, TUTORIAL), 'utf8');
    const name = /^pnpm gen:module (\S+)/m.exec(tutorial)?.[1] ?? '';
    const result = await sh(copy, `pnpm -s gen:module ${name}`);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/already exists/);
    expect(result.stderr).toMatch(/Nothing was written/);
    expect(snapshot(copy)).toEqual(before);
  });

  it(
    'the role-matrix test fails when a generated procedure’s entry is removed',
    async () => {
      expect(routerKey, 'the tutorial test generated a module').not.toBe('');
      const matrixPath = join(copy, 'packages/api/src/authorization.test.ts');
      const matrix = readFileSync(matrixPath, 'utf8');
      const entry = new RegExp(`^.*'${routerKey}\\.get':.*\\n`, 'm');
      expect(matrix).toMatch(entry);
      writeFileSync(matrixPath, matrix.replace(entry, ''));
      try {
        const result = await sh(copy, 'pnpm --filter @keel/api exec vitest run src/authorization.test.ts', {
          timeoutMs: 5 * MINUTE,
        });
        const output = `${result.stdout}\n${result.stderr}`;
        expect(result.code).not.toBe(0);
        expect(output).toMatch(/FAIL .*authorization matrix > has an entry for every procedure of the router/);
        expect(output).toContain(`"${routerKey}.get"`);
      } finally {
        writeFileSync(matrixPath, matrix);
      }
    },
    6 * MINUTE,
  );
});
