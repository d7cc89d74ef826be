// What a script that imports @keel/client ships: tRPC's client and this package's own code, never
// the server (AppRouter is a type). esbuild bundles src/index.ts and its metafile names every source.
import { resolve } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

const PACKAGE_DIR = resolve(import.meta.dirname, '..');
/** Minified ESM; tRPC's client alone is about 18 KB of it. */
const SIZE_BUDGET_BYTES = 30_000;

/** Server code of any kind: the workspace's server packages and what only they depend on. */
const SERVER_SOURCES = [
  /(^|\/)packages\/(api|db)\//,
  /(^|\/)apps\/server\//,
  /node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?(kysely|pg|pg-[a-z-]+|argon2|fastify|@fastify\/[^/]+|ioredis|pino|jose|zod|pg-boss|nodemailer|trpc-to-openapi|@electric-sql\/pglite)\//,
  /@trpc\/server\/dist\/adapters\//,
];

/**
 * @trpc/client runs a few helpers that @trpc/server also uses: the call proxy, the error codes and
 * error class, observables and the (identity) result transformer. Nothing else of it may end up in
 * the bundle: not initTRPC, the router or resolveResponse (the request handler).
 */
const SHARED_TRPC_CHUNKS = ['observable', 'codes', 'getErrorShape', 'asyncGeneratorDelegate'];

let metafile: Metafile;
let output: Metafile['outputs'][string];

/** Where a bundled file comes from: `src/…`, `@trpc/client/…`, `@trpc/server/<chunk>` or its path. */
function origin(input: string): string {
  if (input.startsWith('src/')) return input;
  const trpc = /node_modules\/(@trpc\/(?:client|server))\/dist\/(.+)\.mjs$/.exec(input);
  if (!trpc) return input;
  const [, pkg, file] = trpc as unknown as [string, string, string];
  return pkg === '@trpc/client' ? pkg : `${pkg}/${file.replace(/-[A-Za-z0-9_]{8}$/, '')}`;
}

beforeAll(async () => {
  const result = await build({
    absWorkingDir: PACKAGE_DIR,
    entryPoints: ['src/index.ts'],
    bundle: true,
    format: 'esm',
    platform: 'node',
    minify: true,
    write: false,
    metafile: true,
    // Workspace imports resolve to their sources, as in development: a runtime import of
    // @keel/api would pull packages/api/src into the bundle and fail below.
    conditions: ['@keel/source'],
    logLevel: 'silent',
  });
  metafile = result.metafile;
  const outputs = Object.values(metafile.outputs);
  expect(outputs).toHaveLength(1);
  output = outputs[0] as Metafile['outputs'][string];
});

describe('the bundle of @keel/client', () => {
  it('reads no server source at all', () => {
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.filter((input) => SERVER_SOURCES.some((pattern) => pattern.test(input)))).toEqual([]);
    // Not vacuous: the client and tRPC's client were read.
    expect(inputs).toContain('src/index.ts');
    expect(inputs.some((input) => input.includes('/@trpc/client/'))).toBe(true);
  });

  it("holds only tRPC's client, the helpers it shares with @trpc/server, and this package's code", () => {
    const shipped = new Set(
      Object.entries(output.inputs)
        .filter(([, contribution]) => contribution.bytesInOutput > 0)
        .map(([input]) => origin(input)),
    );
    expect([...shipped].sort()).toEqual(
      ['@trpc/client', ...SHARED_TRPC_CHUNKS.map((chunk) => `@trpc/server/${chunk}`), 'src/index.ts'].sort(),
    );
  });

  it(`is small: under ${SIZE_BUDGET_BYTES / 1000} KB minified`, () => {
    expect(output.bytes, `the bundle is ${output.bytes} bytes`).toBeLessThan(SIZE_BUDGET_BYTES);
  });
});
