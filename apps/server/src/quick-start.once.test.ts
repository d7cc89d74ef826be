// The README's first hour, run the way a newcomer runs it: `pnpm` commands from the repository root
// with nothing configured, each in its own process.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { inheritedHome, inheritedPath } from '@keel/api/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { repositoryRoot } from './config.js';
import { trpcCall } from './testing/server.js';

const ROOT = repositoryRoot();
const SEEDED_ADMIN = { email: 'admin@keel.local', password: 'Admin-passw0rd' };
const cleanups: Array<() => unknown> = [];
afterAll(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** A data directory given relative, as a newcomer's `.data` is: removed after the suite. */
function relativeDataDir(): string {
  const dir = `.data-quick-start-${randomBytes(4).toString('hex')}`;
  cleanups.push(() => rmSync(join(ROOT, dir), { recursive: true, force: true }));
  return dir;
}

interface Command {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * A newcomer's shell's PATH: the test runner's without the node_modules/.bin directories pnpm put
 * in front of it, so pnpm runs on the machine's Node as it does from a terminal.
 */
const MACHINE_PATH = inheritedPath
  .split(':')
  .filter((dir) => !dir.includes('node_modules'))
  .join(':');

/** `pnpm <args>` from the repository root, in its own process group, with only `env` (no services). */
function pnpm(args: string[], env: Record<string, string>): Command {
  const child = spawn('pnpm', args, {
    cwd: ROOT,
    env: { PATH: MACHINE_PATH, HOME: inheritedHome, CI: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  cleanups.push(() => {
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // The whole group has exited already.
    }
  });
  return { child, output: () => output, exited };
}

/** Resolves with the first match of `pattern` in the command's output, checked as each chunk arrives. */
function untilOutput(command: Command, pattern: RegExp, timeoutMs: number): Promise<RegExpExecArray> {
  const { child } = command;
  return new Promise((resolve, reject) => {
    const stop = () => {
      clearTimeout(timer);
      child.stdout?.off('data', check);
      child.stderr?.off('data', check);
      child.off('exit', exited);
    };
    const fail = (why: string) => {
      stop();
      reject(new Error(`no ${pattern} in the output of pnpm (${why}):\n${command.output()}`));
    };
    // Added after the command's own listeners, so the chunk is already in `output()`.
    const check = () => {
      const match = pattern.exec(command.output());
      if (!match) return;
      stop();
      resolve(match);
    };
    const exited = () => fail('it exited');
    const timer = setTimeout(() => fail(`not within ${timeoutMs} ms`), timeoutMs);
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.once('exit', exited);
    check();
  });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const signIn = (url: string, credentials: { email: string; password: string }) =>
  trpcCall(url, 'auth.login', 'mutation', credentials);

/** Longer than the waits for a listening server inside each test, so those say what went wrong. */
const START_TIMEOUT_MS = 300_000;

describe('the quick start', () => {
  it(
    'seeds the database `pnpm start` serves, refuses a second process on it, and stops cleanly on Ctrl-C',
    async () => {
      const dataDir = relativeDataDir();
      const seed = pnpm(['db:seed'], { DATA_DIR: dataDir });
      expect(await seed.exited, seed.output()).toBe(0);
      expect(seed.output()).toContain(`Sign in as ${SEEDED_ADMIN.email} / ${SEEDED_ADMIN.password}`);
      // The seed runs inside apps/server; the data directory is the root's all the same.
      expect(existsSync(join(ROOT, dataDir, 'pglite'))).toBe(true);
      expect(existsSync(join(ROOT, 'apps', 'server', dataDir))).toBe(false);

      const server = pnpm(['start'], { DATA_DIR: dataDir, PORT: String(await freePort()), LOG_LEVEL: 'info' });
      const [, url] = await untilOutput(server, /"address":"(http:\/\/[^"]+)"/, 240_000);
      expect((await signIn(url as string, SEEDED_ADMIN)).status).toBe(200);

      // While the server holds the embedded database, a seed would work on a copy the server never sees.
      const second = pnpm(['db:seed'], { DATA_DIR: dataDir });
      expect(await second.exited).not.toBe(0);
      expect(second.output()).toContain('is in use by another process (is the server running on this data directory?)');
      expect((await signIn(url as string, SEEDED_ADMIN)).status).toBe(200);

      process.kill(-(server.child.pid as number), 'SIGINT');
      expect(await server.exited).toBe(0);
      expect(server.output()).toContain('shutdown complete');
      expect(server.output()).not.toContain('ELIFECYCLE');
      // `pnpm start` on a fresh clone builds the server, its packages and the dashboard first.
    },
    START_TIMEOUT_MS,
  );

  it(
    '`pnpm dev` passes the configuration through to the server',
    async () => {
      const port = await freePort();
      const admin = { email: `dev-${randomBytes(3).toString('hex')}@example.com`, password: 'Dev-passw0rd-1' };
      const dev = pnpm(['dev'], {
        DATA_DIR: relativeDataDir(),
        PORT: String(port),
        ADMIN_EMAIL: admin.email,
        ADMIN_PASSWORD: admin.password,
      });
      await untilOutput(dev, new RegExp(`127\\.0\\.0\\.1:${port}`), 120_000);
      expect((await signIn(`http://127.0.0.1:${port}`, admin)).status).toBe(200);
      process.kill(-(dev.child.pid as number), 'SIGTERM');
      await dev.exited;
    },
    START_TIMEOUT_MS,
  );

  it("runs pnpm on the machine's Node without an engine warning, and every script on the repository's Node 24", async () => {
    const version = pnpm(['exec', 'node', '--print', 'process.version'], {});
    expect(await version.exited).toBe(0);
    expect(version.output()).toMatch(/^v24\./m);
    expect(version.output()).not.toContain('Unsupported engine');
  });
});
