// The server as an operator runs it: its own process, production argon2 cost, signals.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inheritedPath } from '@keel/api/testing';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ChildServer,
  SERVER_DIR,
  startChildServer,
  startIsolatedChildServer,
  startTestServer,
  trpcCall,
} from './testing/server.js';

const PASSWORD = 'Passw0rd!';
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

/** A child server with the production argon2 parameters (m=64 MiB, t=3, p=4). */
function productionCostServer(extra: Record<string, string> = {}): Promise<ChildServer> {
  const env = {
    ARGON2_MEMORY_COST: '65536',
    ARGON2_TIME_COST: '3',
    ARGON2_PARALLELISM: '4',
    HASH_CONCURRENCY: '2',
    HASH_QUEUE_MAX: '32',
    LOG_LEVEL: 'info',
    ...extra,
  };
  return startIsolatedChildServer(env, (step) => cleanups.push(step));
}

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kib) * 1024;
}

/** Samples the process's resident set every few milliseconds while `work` runs; returns the largest. */
async function peakRssDuring<T>(pid: number, work: Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = rssBytes(pid);
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssBytes(pid));
  }, 5);
  try {
    const result = await work;
    return { result, peak: Math.max(peak, rssBytes(pid)) };
  } finally {
    clearInterval(sampler);
  }
}

describe('server process', () => {
  it('refuses to start in production without JWT_ACCESS_SECRET and names the variable', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@keel/source', 'src/main.ts'], {
      cwd: SERVER_DIR,
      env: { PATH: inheritedPath, NODE_ENV: 'production', PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).not.toBe(0);
    expect(output).toContain('JWT_ACCESS_SECRET');
  });

  it('starts with no configuration on PGlite, keeping one generated JWT secret across restarts', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'keel-bare-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    // Nothing but a free port and a scratch data directory: no database, no Redis, no secret.
    const bare = { PORT: '0', DATA_DIR: dataDir };
    const first = await startChildServer(bare);
    cleanups.push(() => first.stop('SIGKILL'));
    expect(first.output()).toContain('"database":"pglite"');
    const ready = await fetch(`${first.url}/health/ready`);
    expect(await ready.json()).toEqual({ status: 'ok', checks: { database: 'ok' } });
    const registered = await trpcCall(first.url, 'auth.register', 'mutation', {
      email: 'bare@example.com',
      password: PASSWORD,
      name: 'Bare',
    });
    expect(registered.status).toBe(200);
    expect(existsSync(join(dataDir, 'jwt-secret'))).toBe(true);
    expect(await first.stop('SIGTERM')).toBe(0);

    const second = await startChildServer(bare);
    cleanups.push(() => second.stop('SIGKILL'));
    const me = await trpcCall(second.url, 'auth.me', 'query', undefined, {
      token: registered.body.result.data.accessToken,
    });
    expect(me.status).toBe(200);
    expect(me.body.result.data.email).toBe('bare@example.com');
  });

  it('stores argon2id hashes with m=65536,t=3,p=4 and never the password', async () => {
    const server = await startTestServer({
      ARGON2_MEMORY_COST: '65536',
      ARGON2_TIME_COST: '3',
      ARGON2_PARALLELISM: '4',
    });
    cleanups.push(() => server.close());
    const email = `argon-${Date.now()}@example.com`;
    const res = await trpcCall(server.url, 'auth.register', 'mutation', { email, password: PASSWORD, name: 'A' });
    expect(res.status).toBe(200);
    const row = await server.database.db
      .selectFrom('users')
      .select('password_hash')
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    const params = /^\$argon2id\$v=19\$([^$]+)\$/.exec(row.password_hash)?.[1]?.split(',').sort();
    expect(params).toEqual(['m=65536', 'p=4', 't=3']);
    expect(row.password_hash).not.toContain(PASSWORD);
  });

  it('answers all 20 in-flight requests on SIGTERM, then exits 0', async () => {
    const server = await productionCostServer();
    const email = `sigterm-${Date.now()}@example.com`;
    expect(
      (await trpcCall(server.url, 'auth.register', 'mutation', { email, password: PASSWORD, name: 'S' })).status,
    ).toBe(200);
    let firstDone!: () => void;
    const firstAnswer = new Promise<void>((resolve) => (firstDone = resolve));
    const logins = Array.from({ length: 20 }, () =>
      trpcCall(server.url, 'auth.login', 'mutation', { email, password: PASSWORD }).then((res) => {
        firstDone();
        return res.status;
      }),
    );
    // One answer proves the other nineteen are queued behind the hashing semaphore.
    await firstAnswer;
    server.child.kill('SIGTERM');
    const statuses = await Promise.all(logins);
    expect(statuses).toEqual(Array.from({ length: 20 }, () => 200));
    const code = await server.exited;
    expect({ code, output: code === 0 ? '' : server.output() }).toEqual({ code: 0, output: '' });
    expect(server.output()).toContain('shutdown complete');
  });

  it('answers 200 concurrent logins with 200 or a fast 503 + Retry-After, under 1 GiB of RSS', async () => {
    const server = await productionCostServer();
    const email = `burst-${Date.now()}@example.com`;
    expect(
      (await trpcCall(server.url, 'auth.register', 'mutation', { email, password: PASSWORD, name: 'B' })).status,
    ).toBe(200);
    const { result: results, peak } = await peakRssDuring(
      server.child.pid as number,
      Promise.all(
        Array.from({ length: 200 }, () =>
          trpcCall(server.url, 'auth.login', 'mutation', { email, password: PASSWORD }),
        ),
      ),
    );
    const ok = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status === 503);
    expect(ok.length + refused.length).toBe(200);
    expect(ok.length).toBeGreaterThanOrEqual(20);
    for (const r of refused) {
      expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(r.body.error.data.code).toBe('SERVICE_UNAVAILABLE');
    }
    console.log(
      `200 concurrent logins: ${ok.length} answered 200, ${refused.length} got 503; peak RSS ${(peak / 1024 / 1024).toFixed(0)} MiB`,
    );
    expect(peak).toBeLessThan(1024 * 1024 * 1024);
  });
});
