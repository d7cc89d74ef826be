// What `pnpm gen:module` would do, computed entirely in memory: the files to create (rendered from
// templates/), the one-place edits of the shared files, and every reason to refuse. Nothing here writes.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deriveNames, parseWords, Refusal, spell } from './names.mjs';

const TEMPLATES = new URL('./templates/', import.meta.url);

export const PATHS = {
  modules: 'packages/api/src/modules',
  root: 'packages/api/src/root.ts',
  schemas: 'packages/api/src/schemas.ts',
  matrix: 'packages/api/src/authorization.test.ts',
  teamMatrix: 'packages/api/src/modules/teams/teams.matrix.test.ts',
  dbSchema: 'packages/db/src/schema.ts',
  dbIndex: 'packages/db/src/index.ts',
  migrations: 'packages/db/src/migrations',
  migrationIndex: 'packages/db/src/migrations/index.ts',
};

export const MATRIX_MARKER = '// gen:module matrix entries';

/** `personal`: rows owned by one user (the default). `team`: rows of a team, on `teamProcedure`. */
export const SCOPES = ['personal', 'team'];

/** Tables that exist without a `DB` entry (Kysely's migration bookkeeping). */
const HIDDEN_TABLES = ['kysely_migration', 'kysely_migration_lock'];

/** Replaces `__token__` placeholders; an unknown token is a template bug, not user input. */
function fill(template, tokens, source) {
  return template.replace(/__([A-Za-z]+?)__/g, (match, token) => {
    if (!(token in tokens)) throw new Error(`template ${source}: unknown placeholder ${match}`);
    return tokens[token];
  });
}

/** A team-scoped module's templates live in templates/team/, under the same file names. */
function template(name, tokens, scope) {
  const path = scope === 'team' ? `team/${name}` : name;
  return fill(readFileSync(new URL(path, TEMPLATES), 'utf8'), tokens, path);
}

/** Names a TypeScript source declares or re-declares at top level: `export const X`, `interface X`, … */
function declaredNames(source) {
  return [
    ...source.matchAll(/^(?:export )?(?:declare )?(?:async )?(?:const|let|function|class|type|interface|enum) (\w+)/gm),
  ].map((m) => m[1]);
}

function importedNames(source) {
  const names = [];
  for (const m of source.matchAll(/^import (?:type )?\{([^}]*)\} from/gm)) {
    for (const part of (m[1] ?? '').split(',')) {
      const name = part
        .trim()
        .replace(/^type /, '')
        .split(/\s+as\s+/)
        .at(-1);
      if (name) names.push(name);
    }
  }
  for (const m of source.matchAll(/^import \* as (\w+) from/gm)) names.push(m[1]);
  return names;
}

/** A rendered file that would not compile because a generated name meets an imported one. */
function assertNoIdentifierClash(path, source) {
  const imported = importedNames(source);
  const declared = new Set(declaredNames(source));
  const seen = new Set();
  for (const name of imported) {
    if (seen.has(name) || declared.has(name)) {
      throw new Refusal(
        `the generated ${path} would declare "${name}" twice (a generated name meets one the template imports); choose another name.`,
      );
    }
    seen.add(name);
  }
}

/** Compares module specifiers segment by segment, as Biome's import sorting does. */
function compareSpecifiers(a, b) {
  const left = a.split('/');
  const right = b.split('/');
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    if (left[i] !== right[i]) return (left[i] ?? '') < (right[i] ?? '') ? -1 : 1;
  }
  return left.length - right.length;
}

/** Inserts `line` among the single-line statements matched by `pattern` (capturing the specifier), sorted. */
function insertSorted(source, pattern, line, specifier, path) {
  const lines = source.split('\n');
  const matches = lines.flatMap((text, index) => {
    const m = pattern.exec(text);
    return m ? [{ index, specifier: m[1] ?? '' }] : [];
  });
  if (matches.length === 0) throw new Refusal(`cannot find where to add "${line}" in ${path}.`);
  const relative = matches.filter((m) => m.specifier.startsWith('.'));
  const after = relative.find((m) => compareSpecifiers(m.specifier, specifier) > 0);
  const at = after ? after.index : (relative.at(-1) ?? matches.at(-1)).index + 1;
  lines.splice(at, 0, line);
  return lines.join('\n');
}

/**
 * The `{ … }` body that opens at the first `{` after `opening` in `source`, with its offsets. Braces
 * inside strings or comments are not expected in the blocks this edits (the router, DB and migration lists).
 */
function blockAfter(source, opening, path) {
  const start = source.indexOf(opening);
  const brace = start === -1 ? -1 : source.indexOf('{', start + opening.length - 1);
  if (brace === -1) throw new Refusal(`cannot find \`${opening.trim()}\` in ${path}; was it renamed?`);
  const bodyStart = brace + 1;
  let depth = 1;
  for (let i = bodyStart; i < source.length; i++) {
    const c = source[i];
    if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return { bodyStart, bodyEnd: i, body: source.slice(bodyStart, i) };
  }
  throw new Refusal(`unbalanced braces after \`${opening.trim()}\` in ${path}.`);
}

/** The body's end, moved back to the start of the line that holds the closing brace. */
function lineStartBefore(source, index) {
  return source.lastIndexOf('\n', index - 1) + 1;
}

/** Adds `line` as the last entry of the block that opens after `opening`, with a comma after the previous entry. */
function appendEntry(source, opening, line, path) {
  const block = blockAfter(source, opening, path);
  const closeLine = lineStartBefore(source, block.bodyEnd);
  let head = source.slice(0, closeLine);
  const lastEntry = head.trimEnd();
  if (!lastEntry.endsWith(',') && !lastEntry.endsWith('{') && !lastEntry.endsWith(';')) {
    head = `${lastEntry},${head.slice(lastEntry.length)}`;
  }
  return `${head}${line}\n${source.slice(closeLine)}`;
}

const pad = (n) => String(n).padStart(2, '0');

/** `YYYY_MM_DD_HHMM` in UTC, later than every existing migration so the migrator keeps its order. */
function migrationStamp(existingNames, now) {
  const stamps = existingNames
    .map((name) => /^(\d{4})_(\d{2})_(\d{2})_(\d{2})(\d{2})_/.exec(name))
    .filter(Boolean)
    .map(([, y, mo, d, h, mi]) => Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi)));
  const latest = Math.max(0, ...stamps);
  const at = new Date(Math.max(now.getTime() - (now.getTime() % 60_000), latest + 60_000));
  return `${at.getUTCFullYear()}_${pad(at.getUTCMonth() + 1)}_${pad(at.getUTCDate())}_${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}`;
}

/** Formats a rendered file with the repository's Biome (from stdin: nothing is written); unchanged if Biome is absent. */
function format(rootDir, path, source) {
  const biome = join(rootDir, 'node_modules', '.bin', process.platform === 'win32' ? 'biome.cmd' : 'biome');
  if (!existsSync(biome)) return source;
  const result = spawnSync(biome, ['check', '--write', `--stdin-file-path=${path}`], {
    cwd: rootDir,
    input: source,
    encoding: 'utf8',
    shell: process.platform === 'win32',
  });
  return result.status === 0 && result.stdout.trim() ? result.stdout : source;
}

/** `{param}` segments match any segment, as the REST adapter's router matches them. */
function pathsOverlap(a, b) {
  const left = a.split('/');
  const right = b.split('/');
  return (
    left.length === right.length &&
    left.every((segment, i) => segment === right[i] || segment.startsWith('{') || right[i]?.startsWith('{'))
  );
}

/** `METHOD /path` of every procedure's `openapi` meta in the modules' routers. */
function existingRoutes(rootDir) {
  const routes = [];
  const visit = (dir) => {
    for (const entry of readdirSync(join(rootDir, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith('.router.ts')) {
        const source = readFileSync(join(rootDir, path), 'utf8');
        for (const m of source.matchAll(/method: '(\w+)',\s*path: '([^']+)'/g)) {
          routes.push({ method: m[1], path: m[2], file: path });
        }
      }
    }
  };
  visit(PATHS.modules);
  return routes;
}

function read(rootDir, path) {
  const full = join(rootDir, path);
  if (!existsSync(full)) throw new Refusal(`${path} is missing: run this from a Keel repository.`);
  return readFileSync(full, 'utf8');
}

/**
 * Everything the generator would create and change, or a Refusal saying why it will not.
 * @returns {{ names: ReturnType<typeof deriveNames>, migrationName: string, creates: {path: string, content: string}[], edits: {path: string, before: string, after: string, what: string}[] }}
 */
export function planModule(rootDir, { name, plural, scope = 'personal', now = new Date() }) {
  if (!SCOPES.includes(scope)) {
    throw new Refusal(`--scope "${scope}" is not a scope: give ${SCOPES.map((s) => `"${s}"`).join(' or ')}.`);
  }
  const team = scope === 'team';
  // Existing modules and folders, by the name as given and by every derived spelling.
  const modulesDir = join(rootDir, PATHS.modules);
  if (!existsSync(modulesDir)) throw new Refusal(`${PATHS.modules} is missing: run this from a Keel repository.`);
  const taken = new Map(readdirSync(modulesDir).map((entry) => [entry.split('.')[0], entry]));
  const assertFree = (spellings) => {
    for (const spelling of new Set(spellings)) {
      const entry = taken.get(spelling);
      if (entry) {
        throw new Refusal(
          `${PATHS.modules}/${entry} already exists: "${name}" would clash with an existing module. Choose another name (or --plural).`,
        );
      }
    }
  };
  const given = spell(parseWords(name, 'Name'));
  assertFree([given.kebab, given.camel]);

  const names = deriveNames(name, plural);
  const { singular, routerKey, folder, table, tokens } = names;
  assertFree([folder, singular.kebab, routerKey, singular.camel]);

  const rootSource = read(rootDir, PATHS.root);
  const appRouter = blockAfter(rootSource, 'export const appRouter = router(', PATHS.root);
  const routerKeys = [...appRouter.body.matchAll(/^\s*(\w+)\s*:/gm)].map((m) => m[1]);
  if (routerKeys.includes(routerKey)) {
    throw new Refusal(`the app router already has a "${routerKey}" entry (${PATHS.root}).`);
  }

  const dbSource = read(rootDir, PATHS.dbSchema);
  const dbInterface = blockAfter(dbSource, 'export interface DB ', PATHS.dbSchema);
  const tables = [...dbInterface.body.matchAll(/^\s*(\w+)\s*:/gm)].map((m) => m[1]);
  if (tables.includes(table) || HIDDEN_TABLES.includes(table)) {
    throw new Refusal(
      `a table named "${table}" already exists (${PATHS.dbSchema}); the module's table would clash with it. Choose another name (or --plural).`,
    );
  }

  // Migration: after every existing one, named like them, appended to the static list.
  const migrationsDir = join(rootDir, PATHS.migrations);
  const indexSource = read(rootDir, PATHS.migrationIndex);
  const existingMigrations = [
    ...readdirSync(migrationsDir).map((file) => file.replace(/\.ts$/, '')),
    ...[...indexSource.matchAll(/^\s*'([^']+)'\s*:/gm)].map((m) => m[1]),
  ];
  const migrationName = `${migrationStamp(existingMigrations, now)}_create_${table}_table`;
  const migrationAlias = `create${names.plural.pascal}Table`;
  if (new RegExp(`\\b${migrationAlias}\\b`).test(indexSource)) {
    throw new Refusal(
      `${PATHS.migrationIndex} already imports "${migrationAlias}": a migration for "${table}" exists.`,
    );
  }

  // Files to create, rendered and formatted in memory.
  const moduleDir = `${PATHS.modules}/${folder}`;
  const rendered = [
    [`${moduleDir}/${folder}.router.ts`, 'router.ts.tpl'],
    [`${moduleDir}/${folder}.service.ts`, 'service.ts.tpl'],
    [`${moduleDir}/${folder}.repository.ts`, 'repository.ts.tpl'],
    [`${moduleDir}/${folder}.schema.ts`, 'schema.ts.tpl'],
    [`${moduleDir}/${folder}.mapper.ts`, 'mapper.ts.tpl'],
    [`${moduleDir}/${folder}.test.ts`, 'test.ts.tpl'],
    [`${PATHS.migrations}/${migrationName}.ts`, 'migration.ts.tpl'],
  ].map(([path, source]) => ({ path, content: template(source, tokens, scope) }));
  for (const file of rendered) {
    if (existsSync(join(rootDir, file.path))) throw new Refusal(`${file.path} already exists.`);
    assertNoIdentifierClash(file.path, file.content);
  }

  // The module's schemas join `export *` in schemas.ts: no name may be exported twice.
  const schemasSource = read(rootDir, PATHS.schemas);
  const schemaFile = rendered.find((file) => file.path.endsWith('.schema.ts'));
  const newExports = new Set(declaredNames(schemaFile?.content ?? ''));
  for (const m of schemasSource.matchAll(/^export \* from '\.\/([^']+)\.js';/gm)) {
    const other = `packages/api/src/${m[1]}.ts`;
    if (!existsSync(join(rootDir, other))) continue;
    const clash = declaredNames(readFileSync(join(rootDir, other), 'utf8')).find((n) => newExports.has(n));
    if (clash) {
      throw new Refusal(
        `the generated schema would export "${clash}", which ${other} already exports (both are re-exported by ${PATHS.schemas}). Choose another name.`,
      );
    }
  }

  // The same for what @keel/db exports.
  const tableInterface = `${names.plural.pascal}Table`;
  const rowType = `${singular.pascal}Row`;
  const dbIndexSource = read(rootDir, PATHS.dbIndex);
  for (const m of dbIndexSource.matchAll(/^export \* from '\.\/([^']+)\.js';/gm)) {
    const other = `packages/db/src/${m[1]}.ts`;
    if (!existsSync(join(rootDir, other))) continue;
    const clash = declaredNames(readFileSync(join(rootDir, other), 'utf8')).find(
      (n) => n === tableInterface || n === rowType,
    );
    if (clash) throw new Refusal(`@keel/db already exports "${clash}" (${other}). Choose another name.`);
  }

  const matrixSource = read(rootDir, PATHS.matrix);
  const markerAt = matrixSource.indexOf(MATRIX_MARKER);
  if (markerAt === -1) {
    throw new Refusal(
      `cannot find the marker comment "${MATRIX_MARKER}" in ${PATHS.matrix}; put it back inside MATRIX.`,
    );
  }
  if (matrixSource.includes(`'${routerKey}.`)) {
    throw new Refusal(`${PATHS.matrix} already has entries for "${routerKey}.*".`);
  }

  // A team module's routes sit beside the teams module's own (`/teams/{teamId}/members` …).
  const routerFile = rendered.find((file) => file.path.endsWith('.router.ts'));
  const routes = existingRoutes(rootDir);
  for (const m of (routerFile?.content ?? '').matchAll(/method: '(\w+)',\s*path: '([^']+)'/g)) {
    const clash = routes.find((route) => route.method === m[1] && pathsOverlap(route.path, m[2] ?? ''));
    if (clash) {
      throw new Refusal(
        `the generated ${m[1]} /api${m[2]} would clash with ${clash.method} /api${clash.path} (${clash.file}). Choose another name (or --plural).`,
      );
    }
  }

  const teamMatrixSource = team ? read(rootDir, PATHS.teamMatrix) : '';
  const teamMarkerAt = teamMatrixSource.indexOf(MATRIX_MARKER);
  if (team && teamMarkerAt === -1) {
    throw new Refusal(
      `cannot find the marker comment "${MATRIX_MARKER}" in ${PATHS.teamMatrix}; put it back inside MATRIX.`,
    );
  }
  if (team && teamMatrixSource.includes(`'${routerKey}.`)) {
    throw new Refusal(`${PATHS.teamMatrix} already has rows for "${routerKey}.*".`);
  }

  // Edits of the shared files: one place each, everything else untouched.
  const edits = [];

  {
    const lineStart = lineStartBefore(matrixSource, markerAt + 1);
    const indent = matrixSource.slice(lineStart, markerAt);
    // Team-scoped: every signed-in role gets past this layer (an unknown team is a 404); the team
    // roles are the team matrix's.
    const entries = (
      team
        ? [
            `// ${routerKey}.*: team-scoped, its team roles are in modules/teams/teams.matrix.test.ts.`,
            `'${routerKey}.create': { access: 'signedIn', input: () => ({ teamId: randomUUID(), name: 'X' }) },`,
            `'${routerKey}.list': { access: 'signedIn', input: () => ({ teamId: randomUUID() }) },`,
            `'${routerKey}.get': { access: 'signedIn', input: () => ({ teamId: randomUUID(), id: randomUUID() }) },`,
            `'${routerKey}.update': { access: 'signedIn', input: () => ({ teamId: randomUUID(), id: randomUUID(), name: 'X' }) },`,
            `'${routerKey}.delete': { access: 'signedIn', input: () => ({ teamId: randomUUID(), id: randomUUID() }) },`,
          ]
        : [
            `'${routerKey}.create': { access: 'member', input: () => ({ name: \`${tokens.ItemLabel} \${randomUUID()}\` }) },`,
            `'${routerKey}.list': { access: 'signedIn', input: () => ({}) },`,
            `'${routerKey}.get': { access: 'signedIn', input: () => ({ id: randomUUID() }) },`,
            `'${routerKey}.update': { access: 'member', input: () => ({ id: randomUUID(), name: 'X' }) },`,
            `'${routerKey}.delete': { access: 'member', input: () => ({ id: randomUUID() }) },`,
          ]
    ).map((entry) => `${indent}${entry}\n`);
    edits.push({
      path: PATHS.matrix,
      before: matrixSource,
      // Formatted like the generated files: a long module name must not leave a line past Biome's width.
      after: format(
        rootDir,
        PATHS.matrix,
        matrixSource.slice(0, lineStart) + entries.join('') + matrixSource.slice(lineStart),
      ),
      what: `role-matrix entries for ${routerKey}.create/list/get/update/delete`,
    });
  }

  if (team) {
    const lineStart = lineStartBefore(teamMatrixSource, teamMarkerAt + 1);
    const indent = teamMatrixSource.slice(lineStart, teamMarkerAt);
    // The outcome per standing of a call that passes the team check with `reached`.
    const row = (path, input, min, reached) => {
      const below = (role) => (role === 'VIEWER' && min !== 'VIEWER' ? 'FORBIDDEN' : reached);
      const globalAdmin = min === 'VIEWER' ? reached : 'FORBIDDEN';
      return `'${routerKey}.${path}': { input: (team) => (${input}), expect: { OWNER: '${reached}', ADMIN: '${reached}', MEMBER: '${reached}', VIEWER: '${below('VIEWER')}', ...HIDDEN, globalAdmin: '${globalAdmin}' } },`;
    };
    const lines = [
      `// ${routerKey}.*: an id that matches no row, so a standing that passes the team check is told NOT_FOUND;`,
      `// the rows themselves, the creator's delete among them, are walked in ${folder}.test.ts.`,
      row('create', `{ teamId: team.id, name: \`${tokens.ItemLabel} \${randomUUID()}\` }`, 'MEMBER', 'OK'),
      row('list', '{ teamId: team.id }', 'VIEWER', 'OK'),
      row('get', '{ teamId: team.id, id: randomUUID() }', 'VIEWER', 'NOT_FOUND'),
      row('update', "{ teamId: team.id, id: randomUUID(), name: 'X' }", 'MEMBER', 'NOT_FOUND'),
      row('delete', '{ teamId: team.id, id: randomUUID() }', 'MEMBER', 'NOT_FOUND'),
    ].map((line) => `${indent}${line}\n`);
    edits.push({
      path: PATHS.teamMatrix,
      before: teamMatrixSource,
      after: format(
        rootDir,
        PATHS.teamMatrix,
        teamMatrixSource.slice(0, lineStart) + lines.join('') + teamMatrixSource.slice(lineStart),
      ),
      what: `team-matrix rows for ${routerKey}.create/list/get/update/delete`,
    });
  }

  {
    let after = insertSorted(
      rootSource,
      /^import .* from '([^']+)';$/,
      `import { ${routerKey}Router } from './modules/${folder}/${folder}.router.js';`,
      `./modules/${folder}/${folder}.router.js`,
      PATHS.root,
    );
    after = appendEntry(after, 'export const appRouter = router(', `  ${routerKey}: ${routerKey}Router,`, PATHS.root);
    edits.push({ path: PATHS.root, before: rootSource, after, what: `${routerKey}: ${routerKey}Router` });
  }

  edits.push({
    path: PATHS.schemas,
    before: schemasSource,
    after: insertSorted(
      schemasSource,
      /^export \* from '([^']+)';$/,
      `export * from './modules/${folder}/${folder}.schema.js';`,
      `./modules/${folder}/${folder}.schema.js`,
      PATHS.schemas,
    ),
    what: `export * from './modules/${folder}/${folder}.schema.js'`,
  });

  {
    const tableDefinition = [
      `export interface ${tableInterface} {`,
      '  id: Generated<string>;',
      ...(team
        ? [
            '  team_id: string;',
            "  /** Null once the creator's account is deleted: the row stays with the team. */",
            '  created_by: string | null;',
          ]
        : ['  owner_id: string;']),
      '  name: string;',
      '  description: string | null;',
      '  created_at: CreatedAt;',
      '  updated_at: Timestamp;',
      '}',
      '',
      '',
    ].join('\n');
    if (!/^type CreatedAt = /m.test(dbSource) || !/^type Timestamp = /m.test(dbSource)) {
      throw new Refusal(`${PATHS.dbSchema} no longer defines the CreatedAt and Timestamp column types the table uses.`);
    }
    const dbAt = dbSource.indexOf('export interface DB {');
    let after = dbSource.slice(0, dbAt) + tableDefinition + dbSource.slice(dbAt);
    after = appendEntry(after, 'export interface DB ', `  ${table}: ${tableInterface};`, PATHS.dbSchema);
    const rowLine = `export type ${rowType} = Selectable<${tableInterface}>;`;
    const rows = [...after.matchAll(/^export type \w+ = Selectable<\w+>;$/gm)];
    const lastRow = rows.at(-1);
    if (lastRow?.index !== undefined) {
      const end = lastRow.index + lastRow[0].length;
      after = `${after.slice(0, end)}\n${rowLine}${after.slice(end)}`;
    } else {
      after = `${after.replace(/\n*$/, '\n')}${rowLine}\n`;
    }
    edits.push({ path: PATHS.dbSchema, before: dbSource, after, what: `${tableInterface}, DB.${table}, ${rowType}` });
  }

  {
    const specifier = `./${migrationName}.js`;
    const importLine = `import * as ${migrationAlias} from '${specifier}';`;
    const lines = indexSource.split('\n');
    const lastImport = lines.findLastIndex((line) => /^import /.test(line));
    if (lastImport === -1) throw new Refusal(`cannot find the migration imports in ${PATHS.migrationIndex}.`);
    lines.splice(lastImport + 1, 0, importLine);
    let after = lines.join('\n');
    after = appendEntry(
      after,
      'export const migrations',
      `  '${migrationName}': ${migrationAlias},`,
      PATHS.migrationIndex,
    );
    edits.push({ path: PATHS.migrationIndex, before: indexSource, after, what: `migration ${migrationName} appended` });
  }

  const creates = rendered.map((file) => ({ path: file.path, content: format(rootDir, file.path, file.content) }));
  return { names, migrationName, creates, edits };
}
