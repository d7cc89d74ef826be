// The repository's documentation points only at what exists: every repository path that README.md,
// docs/*.md, patches/README.md or a code comment names, every relative Markdown link and its
// #anchor. And no file cites a design document that is not in the repository: the contract is
// docs/architecture.md. Reads files only, so it runs once (in the embedded project).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');

/** Directories that hold no sources: dependencies, build and test output, local data. */
const SKIPPED_DIRS = new Set([
  'node_modules',
  'dist',
  '.git',
  '.turbo',
  'test-results',
  'coverage',
  '.data',
  'results',
]);
const TEXT_FILE = /\.(ts|tsx|mjs|js|md|tpl|json|ya?ml|html|css|conf)$|^Dockerfile$/;
const CODE_FILE = /\.(ts|tsx|mjs|tpl)$/;

function walk(dir: string, files: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (!SKIPPED_DIRS.has(name)) walk(path, files);
    } else if (TEXT_FILE.test(name)) {
      files.push(relative(root, path));
    }
  }
  return files;
}

const textFiles = walk(root);
const docFiles = ['README.md', 'patches/README.md', ...textFiles.filter((file) => /^docs\/[^/]+\.md$/.test(file))];

/**
 * A repository path: under a top-level folder, ending in a file extension or a slash. Stops at
 * anything a path does not contain in prose (`#`, `)`, quotes, spaces).
 */
const REPO_PATH =
  /(?<![\w./@-])((?:apps|packages|docs|scripts|bench|deploy|patches|tooling)\/[A-Za-z0-9_.@<>*\-/]*[A-Za-z0-9_/])/g;
const HAS_EXTENSION = /\.[A-Za-z0-9]{1,5}$/;

/** Paths that exist only after a build, a test run or a local start (never in a fresh checkout). */
const GENERATED = /(^|\/)(dist|\.data|test-results|coverage|results)(\/|$)|^apps\/web\/e2e\/screenshots\//;
/** What the walkthrough of docs/adding-a-feature.md generates (its own test runs it). */
const WALKTHROUGH_OUTPUT = /(^|[/.-])tasks?([/.-]|$)/;

/** Every repository path a text names; `<placeholder>` and glob paths reduced to their fixed part. */
function repositoryPaths(text: string): string[] {
  const paths: string[] = [];
  for (const [, path = ''] of text.matchAll(REPO_PATH)) {
    const last = path.replace(/\/$/, '').split('/').pop() ?? '';
    if (!path.endsWith('/') && !HAS_EXTENSION.test(last)) continue;
    const wildcard = path.search(/[<*]/);
    paths.push(wildcard === -1 ? path : path.slice(0, path.lastIndexOf('/', wildcard) + 1));
  }
  return paths;
}

/** The lines of a code file that are comments (`//`, `/*`, ` *`). */
function commentLines(text: string): string {
  return text
    .split('\n')
    .filter((line) => /^\s*(\/\/|\/\*|\*)/.test(line))
    .join('\n');
}

/** A test file named without its folder (`fast-path.test.ts`, `types.test-d.ts`). */
const TEST_FILE_NAME = /(?<![\w./-])([\w-]+(?:\.[\w-]+)*\.test(?:-d)?\.tsx?)\b/g;
const fileNames = new Set(textFiles.map((file) => file.split('/').pop()));

/** Repository paths that do not exist, and test files named by a name no file has (renamed ones). */
function missingPaths(file: string, text: string): string[] {
  const testFiles = [...text.matchAll(TEST_FILE_NAME)].map(([, name = '']) => name);
  const missing = [
    ...repositoryPaths(text).filter((path) => !GENERATED.test(path) && !existsSync(join(root, path))),
    ...testFiles.filter((name) => !fileNames.has(name)),
  ];
  return missing
    .filter((path) => !(file === 'docs/adding-a-feature.md' && WALKTHROUGH_OUTPUT.test(path)))
    .map((path) => `${file}: ${path}`);
}

/** GitHub's anchor of a Markdown heading. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (line.trimStart().startsWith('```')) inFence = !inFence;
    const heading = !inFence && /^#{1,6}\s+(.*)$/.exec(line);
    if (!heading) continue;
    const base = slug(heading[1] ?? '');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** Relative Markdown links (`[text](target#anchor)`) whose file or anchor does not exist. */
function brokenLinks(file: string, markdown: string): string[] {
  const broken: string[] = [];
  for (const [, target = ''] of markdown.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z]+:/i.test(target)) continue;
    const [pathPart = '', anchor] = target.split('#');
    const linked = pathPart === '' ? join(root, file) : resolve(root, dirname(file), pathPart);
    if (!existsSync(linked)) {
      broken.push(`${file}: ${target}`);
    } else if (anchor && linked.endsWith('.md') && !anchorsOf(readFileSync(linked, 'utf8')).has(anchor)) {
      broken.push(`${file}: ${target} (no such heading)`);
    }
  }
  return broken;
}

const read = (file: string) => readFileSync(join(root, file), 'utf8');

describe('repository documentation', () => {
  it('finds the documents it checks', () => {
    expect(docFiles).toEqual(expect.arrayContaining(['README.md', 'docs/architecture.md', 'docs/performance.md']));
  });

  it('names only repository paths that exist, in README.md, docs/*.md and patches/README.md', () => {
    expect(docFiles.flatMap((file) => missingPaths(file, read(file)))).toEqual([]);
  });

  it('names only repository paths that exist, in code comments', () => {
    const code = textFiles.filter((file) => CODE_FILE.test(file));
    expect(code.length).toBeGreaterThan(100);
    expect(code.flatMap((file) => missingPaths(file, commentLines(read(file))))).toEqual([]);
  });

  it('links only to files and headings that exist', () => {
    expect(docFiles.flatMap((file) => brokenLinks(file, read(file)))).toEqual([]);
  });

  it('reports a path or a link that does not exist', () => {
    const madeUp = 'See `apps/server/src/no-such-file.ts`, packages/api/src/nowhere/ and `renamed.http.test.ts`.';
    expect(missingPaths('docs/x.md', madeUp)).toEqual([
      'docs/x.md: apps/server/src/no-such-file.ts',
      'docs/x.md: packages/api/src/nowhere/',
      'docs/x.md: renamed.http.test.ts',
    ]);
    expect(
      missingPaths(
        'docs/x.md',
        'Built into `apps/web/dist/index.html`; modules live in `packages/api/src/modules/<feature>/`.',
      ),
    ).toEqual([]);
    expect(brokenLinks('README.md', '[a](docs/architecture.md#no-such-heading) [b](docs/nothing.md)')).toEqual([
      'README.md: docs/architecture.md#no-such-heading (no such heading)',
      'README.md: docs/nothing.md',
    ]);
  });

  it('cites no design document that is not in the repository', () => {
    // Spelled with a character class so that this file does not match itself.
    const outside = /\bS[P]EC\b|\bS[T]YLE\b/;
    const citing = textFiles.filter((file) => outside.test(read(file)));
    expect(citing).toEqual([]);
  });
});
