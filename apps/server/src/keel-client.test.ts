// @keel/client against a live server, as a script uses it: typed calls with a write key, a read key
// refused mutations with FORBIDDEN, and packages/client/examples/projects-and-credits.ts run as its
// own process, listing projects and moving credits for real.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { inheritedPath, tokensOf } from '@keel/api/testing';
import { createKeelClient, isKeelClientError, type RouterOutputs } from '@keel/client';
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { SERVER_DIR, startTestServer, type TestServer, trpcCall } from './testing/server.js';

const EXAMPLE = resolve(SERVER_DIR, '../../packages/client/examples/projects-and-credits.ts');
const PASSWORD = 'Passw0rd!';
const ADMIN = { email: 'client-admin@example.com', password: 'Adm1n-Passw0rd' };
let server: TestServer;
let counter = 0;

interface Person {
  id: string;
  name: string;
  email: string;
  accessToken: string;
}

async function signUp(name: string): Promise<Person> {
  counter += 1;
  const email = `client${counter}-${Date.now()}@example.com`;
  const res = await trpcCall(server.url, 'auth.register', 'mutation', { email, password: PASSWORD, name });
  expect(res.status).toBe(200);
  const { user, accessToken } = res.body.result.data;
  return { id: user.id, name, email, accessToken };
}

async function createKey(person: Person, scope: 'read' | 'write'): Promise<string> {
  const res = await trpcCall(
    server.url,
    'apiKeys.create',
    'mutation',
    { name: `${scope} script`, scope },
    { token: person.accessToken },
  );
  expect(res.status).toBe(200);
  return res.body.result.data.key;
}

async function grantCredits(person: Person, amount: number): Promise<void> {
  const admin = await trpcCall(server.url, 'auth.login', 'mutation', ADMIN);
  expect(admin.status).toBe(200);
  const grant = await trpcCall(
    server.url,
    'admin.credits.grant',
    'mutation',
    { userId: person.id, amount, reason: 'script budget' },
    { token: tokensOf(admin.body.result.data).accessToken },
  );
  expect(grant.status).toBe(200);
}

interface ScriptRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the example with only the environment a user would give it; resolves when it has exited. */
function runExample(apiKey: string, args: string[]): Promise<ScriptRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@keel/source', EXAMPLE, ...args], {
    cwd: SERVER_DIR,
    env: { PATH: inheritedPath, KEEL_URL: server.url, KEEL_API_KEY: apiKey },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 45_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolveRun, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolveRun({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  server = await startTestServer({ ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password });
});
afterAll(async () => {
  await server?.close();
});

describe('@keel/client against a live server', () => {
  it('a write key creates and lists the projects of its owner, typed from AppRouter', async () => {
    const owner = await signUp('Scripter');
    const client = createKeelClient({ url: server.url, apiKey: await createKey(owner, 'write') });

    const created = await client.projects.create.mutate({ name: 'Nightly', description: 'built by a script' });
    // One batched request for both queries.
    const [me, page] = await Promise.all([client.auth.me.query(), client.projects.list.query({})]);

    expectTypeOf(created).toEqualTypeOf<RouterOutputs['projects']['create']>();
    expectTypeOf(page.items[0]?.name).toEqualTypeOf<string | undefined>();
    expect(created).toMatchObject({ name: 'Nightly', description: 'built by a script', ownerId: owner.id });
    expect(me.id).toBe(owner.id);
    expect(page.total).toBe(1);
    expect(page.items.map((project) => project.id)).toEqual([created.id]);
  });

  it('a read key may query, and its mutation rejects with FORBIDDEN (403)', async () => {
    const owner = await signUp('Reader');
    const client = createKeelClient({ url: server.url, apiKey: await createKey(owner, 'read') });
    expect((await client.projects.list.query({})).items).toEqual([]);

    const failure = await client.projects.create.mutate({ name: 'Refused' }).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(TRPCClientError);
    if (!isKeelClientError(failure)) throw new Error('expected a TRPCClientError');
    expect(failure.message).toBe('This API key is read-only');
    expect(failure.data).toMatchObject({ code: 'FORBIDDEN', httpStatus: 403, path: 'projects.create' });
    expect((await client.projects.list.query({})).total).toBe(0);
  });

  it('the example script lists the projects and sends credits to a user named by email', async () => {
    const sender = await signUp('Ada Sender');
    const recipient = await signUp('Bob Recipient');
    await grantCredits(sender, 100);
    const senderKey = await createKey(sender, 'write');
    const project = await createKeelClient({ url: server.url, apiKey: senderKey }).projects.create.mutate({
      name: 'Payroll',
      description: 'monthly credits',
    });

    const run = await runExample(senderKey, [recipient.email, '25']);

    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines[0]).toBe(`Projects of Ada Sender <${sender.email}>: 1`);
    expect(lines[1]).toBe(`  Payroll — monthly credits (${project.id})`);
    expect(lines[2]).toMatch(
      new RegExp(`^Sent 25 credits to ${recipient.email} \\(transfer [0-9a-f-]{36}\\); your balance is now 75$`),
    );
    const recipientClient = createKeelClient({ url: server.url, apiKey: await createKey(recipient, 'read') });
    expect(await recipientClient.credits.balance.query()).toEqual({ balance: 25 });
    const history = await recipientClient.credits.history.query({ limit: 1 });
    expect(history.items[0]).toMatchObject({ direction: 'in', amount: 25, counterpartyId: sender.id });
  });

  it('the example script run with a read key lists, then exits 1 saying the key is read-only', async () => {
    const sender = await signUp('Read Only');
    const recipient = await signUp('Nobody Paid');
    await grantCredits(sender, 10);

    const run = await runExample(await createKey(sender, 'read'), [recipient.id, '5']);

    expect(run.code).toBe(1);
    expect(run.stdout).toBe(`Projects of Read Only <${sender.email}>: 0\n`);
    expect(run.stderr).toBe('error: Keel refused credits.transfer: This API key is read-only (FORBIDDEN, HTTP 403)\n');
    const balance = await trpcCall(server.url, 'credits.balance', 'query', undefined, { token: recipient.accessToken });
    expect(balance.body.result.data).toEqual({ balance: 0 });
  });
});
