// `pnpm worker` beside an HTTP-only server (JOBS_WORKER=false) on the same PostgreSQL database: the
// server only enqueues, the worker process sends the mail, and SIGTERM stops it cleanly.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  inheritedPath,
  linkToken,
  type ReceivedMail,
  startTestSmtpServer,
  type TestSmtpServer,
} from '@keel/api/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_DIR, startTestServer, type TestServer, testEnv, trpcCall } from './testing/server.js';

const PUBLIC_URL = 'https://dashboard.keel.test';
const PASSWORD = 'Passw0rd!';
let smtp: TestSmtpServer;
let server: TestServer;
const cleanups: Array<() => unknown> = [];

beforeAll(async () => {
  smtp = await startTestSmtpServer();
  server = await startTestServer({ JOBS_WORKER: 'false', SMTP_URL: smtp.url, PUBLIC_URL });
});
afterAll(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
  await server?.close();
  await smtp?.close();
});

/** `src/cli/worker.ts` in its own process, as `pnpm worker` runs it. */
function startWorker(env: Record<string, string>) {
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions=@keel/source', 'src/cli/worker.ts'],
    { cwd: SERVER_DIR, env: { PATH: inheritedPath, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    return exited;
  });
  return { child, output: () => output, exited };
}

const mailTo = (address: string, subject: RegExp) => (mail: ReceivedMail) =>
  mail.to === address && subject.test(mail.subject);

describe('pnpm worker', () => {
  it('mails a reset the server only enqueued, and stops with exit code 0 on SIGTERM', async () => {
    const address = `worker-${Date.now()}@example.com`;
    const registered = await trpcCall(server.url, 'auth.register', 'mutation', {
      email: address,
      password: PASSWORD,
      name: 'Wanda',
    });
    expect(registered.status).toBe(200);
    const requested = await fetch(`${server.url}/api/auth/request-password-reset`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: address }),
    });
    expect(requested.status).toBe(200);

    const dataDir = mkdtempSync(join(tmpdir(), 'keel-worker-'));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const worker = startWorker(
      testEnv({
        DATABASE_URL: server.database.url as string,
        DATA_DIR: dataDir,
        SMTP_URL: smtp.url,
        PUBLIC_URL,
        LOG_LEVEL: 'info',
      }),
    );

    // Both jobs waited in the database for a worker: the verification of the sign-up, then the reset.
    const verification = await smtp.next(mailTo(address, /confirm your email/i), 60_000);
    expect(verification.text).toContain(`${PUBLIC_URL}/verify-email?token=`);
    const reset = await smtp.next(mailTo(address, /reset your keel password/i), 30_000);
    const token = linkToken(reset.text, PUBLIC_URL, '/reset-password');
    // The log reaches stdout in batches (every 250 ms): the line may follow the mail it announced.
    await expect.poll(() => worker.output()).toContain('worker started');

    // The link works on the server; the security notice it enqueues is mailed by the worker too.
    const done = await fetch(`${server.url}/api/auth/reset-password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, newPassword: 'N3w-Passw0rd!' }),
    });
    expect(done.status).toBe(200);
    await smtp.next(mailTo(address, /password was changed/i), 30_000);

    // The server itself worked no job: it counts none on /metrics.
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).not.toMatch(/^keel_jobs_total\{/m);

    worker.child.kill('SIGTERM');
    expect(await worker.exited, worker.output()).toBe(0);
    expect(worker.output()).toContain('worker stopped');
  });
});
