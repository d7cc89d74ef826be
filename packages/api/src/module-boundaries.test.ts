// The module rule (docs/adding-a-feature.md): modules meet only through services and schemas. A file
// under src/modules/<a>/ may import another module's `<b>.service.js` or `<b>.schema.js` and nothing
// else of it (not its repository, mapper or statements); outside src/modules/ nothing imports a
// repository. Every import, `export … from` and dynamic import TypeScript finds is checked.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = dirname(fileURLToPath(import.meta.url));
const MODULES = join(SRC, 'modules');

/** What a module shows the others: the rules they may call and the shapes they may reuse. */
const PUBLIC_FILE = /^[a-z-]+\.(service|schema)\.js$/;
const REPOSITORY_FILE = /\.repository\.js$/;

/** The module folder a path lies in (`users` for src/modules/users/…), undefined outside one. */
function moduleOf(path: string): string | undefined {
  const parts = relative(MODULES, path).split(sep);
  return parts.length > 1 && parts[0] !== '..' ? parts[0] : undefined;
}

/** The imports of `source` (the text of `file`) that break the rule, each with the reason. */
function violations(file: string, source: string): string[] {
  const from = moduleOf(file);
  const found: string[] = [];
  for (const { fileName: specifier } of ts.preProcessFile(source, true, true).importedFiles) {
    if (!specifier.startsWith('.')) continue;
    const target = resolve(dirname(file), specifier);
    const to = moduleOf(target);
    const name = target.split(sep).at(-1) ?? '';
    if (from !== undefined && to !== undefined && to !== from && !PUBLIC_FILE.test(name)) {
      found.push(`${specifier}: only ${to}'s service and schema are open to ${from}`);
    } else if (from === undefined && REPOSITORY_FILE.test(name)) {
      found.push(`${specifier}: outside the modules, reach data through a module's service`);
    }
  }
  return found;
}

function sourceFiles(): string[] {
  return readdirSync(SRC, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

describe('module boundaries', () => {
  it('no file imports another module past its service and schema, and no file outside the modules a repository', () => {
    const files = sourceFiles();
    expect(files.filter((file) => moduleOf(file) !== undefined).length).toBeGreaterThan(20);
    const broken = files.flatMap((file) =>
      violations(file, readFileSync(file, 'utf8')).map((reason) => `${relative(SRC, file)}: ${reason}`),
    );
    expect(broken).toEqual([]);
  });

  // The checker itself, on imports written for the purpose (paths relative to src/).
  it.each([
    ['modules/admin/admin.service.ts', "import { updateUser } from '../users/users.repository.js';"],
    ['modules/admin/admin.csv.ts', "import type { AuditExportRow } from '../audit/audit.repository.js';"],
    ['modules/admin/admin.service.ts', "export { toUser } from '../users/users.mapper.js';"],
    ['modules/admin/admin.service.ts', "const repo = await import('../auth/auth.repository.js');"],
    ['trpc.ts', "import { hasSessionFromAddress } from './modules/auth/auth.repository.js';"],
    ['common/session-state.ts', "import { findUserById } from '../modules/users/users.repository.js';"],
  ])('refuses %s importing: %s', (file, source) => {
    expect(violations(join(SRC, file), source)).toHaveLength(1);
  });

  it.each([
    ['modules/admin/admin.service.ts', "import { toUser, updateUser } from '../users/users.service.js';"],
    ['modules/admin/admin.schema.ts', "import { User } from '../users/users.schema.js';"],
    ['modules/projects/projects.router.ts', "import { Success } from '../common.schema.js';"],
    ['modules/admin/admin.service.ts', "import * as repo from './admin.repository.js';"],
    ['modules/auth/session-record.ts', "import { findSessionState } from './auth.repository.js';"],
    ['root.ts', "import { authRouter } from './modules/auth/auth.router.js';"],
  ])('lets %s import: %s', (file, source) => {
    expect(violations(join(SRC, file), source)).toEqual([]);
  });
});
