// @trpc/server stays at the version the fast path, the error writer and the patch were verified
// against: another version fails here until the upgrade checklist of ./trpc-route.ts is done.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { TRPC_SERVER_VERIFIED } from './trpc-route.js';

const REPO = resolve(import.meta.dirname, '../../../..');
const require = createRequire(import.meta.url);

describe('@trpc/server', () => {
  it('is installed at the version the fast path and the patch were verified against', () => {
    // The package this server resolves at run time, not the version a manifest asks for.
    const { version } = require('@trpc/server/package.json') as { version: string };
    expect(
      version,
      'work through the upgrade checklist of src/http/trpc-route.ts, then bump TRPC_SERVER_VERIFIED',
    ).toBe(TRPC_SERVER_VERIFIED);
  });

  it('is patched by the patch made for that version', () => {
    const workspace = parse(readFileSync(resolve(REPO, 'pnpm-workspace.yaml'), 'utf8')) as {
      patchedDependencies?: Record<string, string>;
    };
    const patch = workspace.patchedDependencies?.[`@trpc/server@${TRPC_SERVER_VERIFIED}`];
    expect(patch).toBe(`patches/@trpc__server@${TRPC_SERVER_VERIFIED}.patch`);
    expect(existsSync(resolve(REPO, patch as string))).toBe(true);
  });
});
