// `pnpm gen:module` end to end, in a temporary copy of the repository (the real tree is never
// touched): docs/adding-a-feature.md followed as written, refusals that write nothing, and the role
// matrix catching a removed entry. Slow by nature (an offline install, tsc, vitest), so few tests.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { inheritedPath, testDatabaseUrl, testRedisUrl } from '@keel/api/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '../../..');
const TUTORIAL = 'docs/adding-a-feature.md';
const MINUTE = 60_000;

/** Output of the copy's own tools, not this repository's: skipped when copying and hashing. */
const SKIPPED_DIRS = new Set(['.git', 'node_modules', '.turbo', '.data', 'dist', 'coverage', 'test-results']);

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The child's environment, built rather than inherited (no vitest variables leak into the inner
 * vitest runs). With `services`, the copy's suites run on PostgreSQL and Redis as well as PGlite.
 */
function childEnv(services: boolean): NodeJS.ProcessEnv {
  return {
    PATH: inheritedPath,
    HOME: homedir(),
    NO_COLOR: '1',
    ...(services && testDatabaseUrl ? { DATABASE_URL: testDatabaseUrl } : {}),
    ...(services && testRedisUrl ? { REDIS_URL: testRedisUrl } : {}),
  };
}

/** Runs a shell command line in `cwd`; never throws on a non-zero exit. */
function sh(cwd: string, command: string, options: { services?: boolean; timeoutMs?: number } = {}): Promise<Result> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', ['-c', command], { cwd, env: childEnv(options.services ?? false), detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const timer = setTimeout(
      () => {
        // The whole process group: pnpm's and vitest's children too.
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      },
      options.timeoutMs ?? 5 * MINUTE,
    );
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

function describeResult(command: string, result: Result): string {
  return `$ ${command}\nexit ${result.code}\n--- stdout\n${result.stdout.slice(-6000)}\n--- stderr\n${result.stderr.slice(-4000)}`;
}

async function mustRun(cwd: string, command: string, options: { services?: boolean; timeoutMs?: number } = {}) {
  const result = await sh(cwd, command, options);
  if (result.code !== 0) expect.fail(describeResult(command, result));
  return result;
}

function walk(root: string, dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : walk(root, join(dir, entry.name));
    return entry.isFile() ? [relative(root, join(dir, entry.name))] : [];
  });
}

/** The files a fresh clone plus the uncommitted work would have: git-tracked and untracked non-ignored. */
async function repositoryFiles(): Promise<string[]> {
  const listed = await sh(REPO, 'git ls-files -co --exclude-standard -z');
  // Not a git checkout (an exported tarball): every file outside build output.
  if (listed.code !== 0) return walk(REPO);
  return listed.stdout.split('\0').filter((path) => path && existsSync(join(REPO, path)));
}

/** A copy of the repository with its dependencies installed from the local pnpm store (no network). */
async function copyRepository(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'keel-gen-module-'));
  for (const path of await repositoryFiles()) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    copyFileSync(join(REPO, path), join(dir, path));
  }
  const frozen = await sh(dir, 'pnpm install --offline --frozen-lockfile', { timeoutMs: 8 * MINUTE });
  // A lockfile behind package.json in the working tree: let pnpm resolve, still from the store first.
  if (frozen.code !== 0) await mustRun(dir, 'pnpm install --prefer-offline', { timeoutMs: 8 * MINUTE });
  return dir;
}

/** sha256 of every source file of the copy, by path. */
function snapshot(root: string): Record<string, string> {
  return Object.fromEntries(
    walk(root)
      .sort()
      .map((path) => [
        path,
        createHash('sha256')
          .update(readFileSync(join(root, path)))
          .digest('hex'),
      ]),
  );
}

type Step = { kind: 'run'; command: string } | { kind: 'file'; path: string; content: string };

/** The tutorial's executable part: `sh` blocks run line by line, `file=` blocks written, in order. */
function tutorialSteps(markdown: string): Step[] {
  const section = markdown.split(/^## /m).find((part) => part.startsWith('The five-minute path'));
  if (!section) throw new Error(`${TUTORIAL} has no "## The five-minute path" section`);
  const steps: Step[] = [];
  for (const [, lang, info = '', body = ''] of section.matchAll(/^```(\w+)([^\n]*)\n([\s\S]*?)^```$/gm)) {
    const file = /\bfile=(\S+)/.exec(info)?.[1];
    if (file) steps.push({ kind: 'file', path: file, content: body });
    else if (lang === 'sh') {
      for (const line of body.split('\n')) {
        const command = line.replace(/\s+#.*$/, '').trim();
        if (command && !command.startsWith('#')) steps.push({ kind: 'run', command });
      }
    }
  }
  return steps;
}

/** Paths the generator says it created (`  + path`) and changed (`  ~ path  (…)`). */
function reported(stdout: string) {
  const created = [...stdout.matchAll(/^ {2}\+ (\S+)$/gm)].map((m) => m[1] ?? '');
  const changed = [...stdout.matchAll(/^ {2}~ (\S+)/gm)].map((m) => m[1] ?? '');
  const routerKey = /the (\w+) module/.exec(stdout)?.[1] ?? '';
  return { created, changed, routerKey };
}

/** Rejected inputs and the reason each must give. */
const REFUSALS: [string, RegExp][] = [
  ['Task', /lower-case letter/],
  ['9lives', /not a valid name/],
  ['task_item', /Underscores are not allowed/],
  ['userID', /acronyms/i],
  ['invoice--line', /not a valid kebab-case name/],
  ['then', /reserved by tRPC/],
  ['call', /reserved by tRPC/],
  ['apply', /reserved by tRPC/],
  ['_def', /reserved by tRPC/],
  ['constructor', /Object\.prototype member/],
  ['prototype', /Object\.prototype member/],
  ['default', /JavaScript reserved word/],
  ['task --plural new', /JavaScript reserved word/],
  ['project', /modules\/projects already exists/],
  ['projects', /modules\/projects already exists/],
  ['user', /modules\/users already exists/],
  ['session', /table named "sessions" already exists/],
  ['refreshToken', /table named "refresh_tokens" already exists/],
  ['ledger-entry', /table named "ledger_entries" already exists/],
  ['projectScope', /would export "ProjectScope", which .*projects\.schema\.ts already exports/],
  ['tasks', /looks plural/],
  ['a'.repeat(41), /longer than 40 characters/],
  ['', /no name given/],
  ['task extra', /exactly one name/],
  ['task --plural', /--plural/],
  ['task --bogus', /Unknown option '--bogus'/],
];

describe.runIf(!testDatabaseUrl)('pnpm gen:module in a temporary copy of the repository', () => {
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

describe.runIf(testDatabaseUrl)('pnpm gen:module on PostgreSQL and Redis', () => {
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
