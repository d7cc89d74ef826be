// `pnpm gen:module <name>`: writes a feature module (router, service, repository, schema, mapper,
// tests), its migration, and its lines in the shared files, after checking everything in memory.
// See docs/adding-a-feature.md. A plain Node script: no prompts, no dependencies, runs on the pinned Node.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Refusal } from './gen-module/names.mjs';
import { planModule } from './gen-module/plan.mjs';

const USAGE = `Usage: pnpm gen:module <name> [--plural <plural>] [--scope personal|team] [--dry-run]

  <name>      the singular entity, lower-case: task, invoiceLine or invoice-line
  --plural    the plural when adding "s"/"es"/"ies" is wrong (person --plural people)
  --scope     personal (default): rows owned by one user; team: rows of a team, on teamProcedure,
              under /teams/{teamId}/<plural> (docs/teams.md)
  --dry-run   print what would be created and changed, write nothing

Example: pnpm gen:module task   → packages/api/src/modules/tasks/, table tasks, procedures tasks.*`;

const rootDir = join(dirname(fileURLToPath(import.meta.url)), '..');

function fail(message) {
  process.stderr.write(`gen:module: refused: ${message}\nNothing was written.\n`);
  process.exit(1);
}

function parse(argv) {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        plural: { type: 'string' },
        scope: { type: 'string', default: 'personal' },
        'dry-run': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    return { values, positionals };
  } catch (error) {
    return fail(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  }
}

/** Writes every file; on any failure puts back what was there, so a half-written module never stays. */
function apply(plan) {
  const written = [];
  try {
    for (const edit of plan.edits) {
      const current = readFileSync(join(rootDir, edit.path), 'utf8');
      if (current !== edit.before) throw new Error(`${edit.path} changed while the module was being generated`);
    }
    for (const file of plan.creates) {
      const full = join(rootDir, file.path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, file.content, { flag: 'wx' });
      written.push(() => rmSync(full, { force: true }));
    }
    for (const edit of plan.edits) {
      const full = join(rootDir, edit.path);
      writeFileSync(full, edit.after);
      written.push(() => writeFileSync(full, edit.before));
    }
  } catch (error) {
    for (const undo of written.reverse()) undo();
    rmSync(join(rootDir, 'packages/api/src/modules', plan.names.folder), { recursive: true, force: true });
    throw error;
  }
}

const { values, positionals } = parse(process.argv.slice(2));
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
if (positionals.length !== 1)
  fail(`${positionals.length === 0 ? 'no name given' : 'give exactly one name'}.\n\n${USAGE}`);

let plan;
try {
  plan = planModule(rootDir, { name: positionals[0], plural: values.plural, scope: values.scope });
} catch (error) {
  if (error instanceof Refusal) fail(error.message);
  throw error;
}

const { names } = plan;
const dryRun = values['dry-run'];
if (!dryRun) apply(plan);

const out = [
  `${dryRun ? 'Would create' : 'Created'} the ${names.routerKey} module (${values.scope} scope, entity "${names.singular.camel}", table ${names.table}, procedures ${names.routerKey}.list/get/create/update/delete, audit action ${names.auditAction}):`,
  ...plan.creates.map((file) => `  + ${file.path}`),
  ...plan.edits.map((edit) => `  ~ ${edit.path}  (${edit.what})`),
];
if (dryRun) {
  out.push('', 'Dry run: nothing was written.');
} else {
  const moduleDir = relative(rootDir, join(rootDir, 'packages/api/src/modules', names.folder));
  out.push(
    '',
    'Next:',
    '  pnpm db:migrate                                   # apply the new migration',
    `  pnpm --filter @keel/api exec vitest run ${relative('packages/api', moduleDir)} src/authorization.test.ts${values.scope === 'team' ? ' src/modules/teams/teams.matrix.test.ts' : ''}`,
    '  pnpm typecheck',
    `  then call trpc.${names.routerKey}.list from apps/web (docs/adding-a-feature.md)`,
  );
}
process.stdout.write(`${out.join('\n')}\n`);
