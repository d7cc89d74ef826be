// /openapi.json as a TypeScript team outside the monorepo uses it: Redocly's recommended rules pass,
// and a client generated from the served document (openapi-typescript + openapi-fetch) compiles
// and works against the running server.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inheritedHome, inheritedPath } from '@keel/api/testing';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_DIR, startTestServer, type TestServer } from './testing/server.js';

const run = promisify(execFile);
const BIN = join(SERVER_DIR, 'node_modules', '.bin');
let server: TestServer;
let document: string;
// Inside the package, so the generated client resolves openapi-fetch as an outside project would.
const workDir = join(SERVER_DIR, `.openapi-client-${randomBytes(4).toString('hex')}`);

beforeAll(async () => {
  server = await startTestServer();
  document = await (await fetch(`${server.url}/openapi.json`)).text();
  mkdirSync(workDir, { recursive: true });
  writeFileSync(join(workDir, 'openapi.json'), document);
});
afterAll(async () => {
  rmSync(workDir, { recursive: true, force: true });
  await server?.close();
});

describe('/openapi.json for clients outside the monorepo', () => {
  it("passes Redocly's recommended rules with no error and no warning", async () => {
    const { stdout, stderr } = await run(
      join(BIN, 'redocly'),
      ['lint', '--extends=recommended', '--format=stylish', join(workDir, 'openapi.json')],
      {
        env: {
          PATH: inheritedPath,
          HOME: inheritedHome,
          REDOCLY_TELEMETRY: 'off',
          REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true',
        },
      },
    ).catch((failure: { stdout: string; stderr: string }) => {
      throw new Error(`redocly lint failed:\n${failure.stdout}${failure.stderr}`);
    });
    expect(`${stdout}${stderr}`).toContain('Your API description is valid');
    expect(`${stdout}${stderr}`).not.toMatch(/warning/i);
  });

  it('generates a typed client that compiles and registers, creates and lists projects', async () => {
    const types = astToString(await openapiTS(JSON.parse(document)));
    writeFileSync(join(workDir, 'schema.ts'), types);
    writeFileSync(
      join(workDir, 'client.ts'),
      `import createClient from 'openapi-fetch';
import type { paths } from './schema.js';

export async function tryIt(baseUrl: string, email: string) {
  const client = createClient<paths>({ baseUrl });
  const registered = await client.POST('/auth/register', {
    body: { email, password: 'Generated-Passw0rd', name: 'Generated Client' },
  });
  if (!registered.data) throw new Error(JSON.stringify(registered.error));
  const headers = { authorization: \`Bearer \${registered.data.accessToken}\` };
  const created = await client.POST('/projects', { body: { name: 'From a generated client' }, headers });
  const listed = await client.GET('/projects', { params: { query: { search: 'generated' } }, headers });
  const refused = await client.GET('/projects', { params: { query: { limit: 1000 } }, headers });
  return { created: created.data, listed: listed.data, refusedCode: refused.error?.error.code };
}
`,
    );
    writeFileSync(
      join(workDir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
        },
        include: ['client.ts', 'schema.ts'],
      }),
    );
    await run(join(BIN, 'tsc'), ['-p', join(workDir, 'tsconfig.json')]).catch(
      (failure: { stdout: string; stderr: string }) => {
        throw new Error(`the generated client does not compile:\n${failure.stdout}${failure.stderr}`);
      },
    );

    const { tryIt } = (await import(join(workDir, 'client.ts'))) as {
      tryIt(baseUrl: string, email: string): Promise<{ created: unknown; listed: unknown; refusedCode: unknown }>;
    };
    const result = await tryIt(`${server.url}/api`, `generated-${randomBytes(4).toString('hex')}@example.com`);
    expect(result.created).toMatchObject({ name: 'From a generated client' });
    expect(result.listed).toMatchObject({ total: 1, items: [{ name: 'From a generated client' }] });
    expect(result.refusedCode).toBe('VALIDATION_ERROR');
  });
});
