// Helpers of the `pnpm gen:module` tests: a temporary copy of the repository and commands run in it.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { inheritedPath, testDatabaseUrl, testRedisUrl } from '@keel/api/testing';
import { expect } from 'vitest';

export const REPO = resolve(import.meta.dirname, '../../../..');
export const TUTORIAL = 'docs/adding-a-feature.md';
export const MINUTE = 60_000;

/** Output of the copy's own tools, not this repository's: skipped when copying and hashing. */
export const SKIPPED_DIRS = new Set(['.git', 'node_modules', '.turbo', '.data', 'dist', 'coverage', 'test-results']);

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * The child's environment, built rather than inherited (no vitest variables leak into the inner
 * vitest runs). With `services`, the copy's suites run on PostgreSQL and Redis as well as PGlite.
 */
export function childEnv(services: boolean): NodeJS.ProcessEnv {
  return {
    PATH: inheritedPath,
    HOME: homedir(),
    NO_COLOR: '1',
    ...(services && testDatabaseUrl ? { DATABASE_URL: testDatabaseUrl } : {}),
    ...(services && testRedisUrl ? { REDIS_URL: testRedisUrl } : {}),
  };
}

/** Runs a shell command line in `cwd`; never throws on a non-zero exit. */
export function sh(
  cwd: string,
  command: string,
  options: { services?: boolean; timeoutMs?: number } = {},
): Promise<Result> {
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

export function describeResult(command: string, result: Result): string {
  return `$ ${command}\nexit ${result.code}\n--- stdout\n${result.stdout.slice(-6000)}\n--- stderr\n${result.stderr.slice(-4000)}`;
}

export async function mustRun(cwd: string, command: string, options: { services?: boolean; timeoutMs?: number } = {}) {
  const result = await sh(cwd, command, options);
  if (result.code !== 0) expect.fail(describeResult(command, result));
  return result;
}

export function walk(root: string, dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return SKIPPED_DIRS.has(entry.name) ? [] : walk(root, join(dir, entry.name));
    return entry.isFile() ? [relative(root, join(dir, entry.name))] : [];
  });
}

/** The files a fresh clone plus the uncommitted work would have: git-tracked and untracked non-ignored. */
export async function repositoryFiles(): Promise<string[]> {
  const listed = await sh(REPO, 'git ls-files -co --exclude-standard -z');
  // Not a git checkout (an exported tarball): every file outside build output.
  if (listed.code !== 0) return walk(REPO);
  return listed.stdout.split('\0').filter((path) => path && existsSync(join(REPO, path)));
}

/** A copy of the repository with its dependencies installed from the local pnpm store (no network). */
export async function copyRepository(): Promise<string> {
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
export function snapshot(root: string): Record<string, string> {
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

export type Step = { kind: 'run'; command: string } | { kind: 'file'; path: string; content: string };

/** The tutorial's executable part: `sh` blocks run line by line, `file=` blocks written, in order. */
export function tutorialSteps(markdown: string): Step[] {
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
export function reported(stdout: string) {
  const created = [...stdout.matchAll(/^ {2}\+ (\S+)$/gm)].map((m) => m[1] ?? '');
  const changed = [...stdout.matchAll(/^ {2}~ (\S+)/gm)].map((m) => m[1] ?? '');
  const routerKey = /the (\w+) module/.exec(stdout)?.[1] ?? '';
  return { created, changed, routerKey };
}

/** Rejected inputs and the reason each must give. */
export const REFUSALS: [string, RegExp][] = [
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
  ['task --scope org', /--scope "org" is not a scope/],
  ['member --scope team', /would export "Member", which .*teams\.schema\.ts already exports/],
];
