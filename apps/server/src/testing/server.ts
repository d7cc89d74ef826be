// A real Keel server for HTTP tests: in process on a free port, or as a child process.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  clearRedisPrefix,
  connectTestRedis,
  createTestDatabase,
  inheritedPath,
  type OutputAt,
  TEST_SECRET,
  type TestDatabase,
  type TrpcEnvelope,
  testDatabaseUrl,
  testRedisUrl,
} from '@keel/api/testing';
import { inject } from 'vitest';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { createRuntime, type Runtime, type RuntimeOverrides } from '../runtime.js';
import { readJson } from './bodies.js';

export const SERVER_DIR = resolve(import.meta.dirname, '../..');

declare module 'vitest' {
  export interface ProvidedContext {
    /** `false` in the vitest projects that run the HTTP suites on the official tRPC adapter. */
    trpcFastPath?: boolean;
  }
}

/** Environment of a test server: cheap argon2, generous limits, the test services when configured. */
export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    JWT_ACCESS_SECRET: TEST_SECRET,
    ARGON2_MEMORY_COST: '1024',
    ARGON2_TIME_COST: '1',
    ARGON2_PARALLELISM: '1',
    HASH_CONCURRENCY: '4',
    HASH_QUEUE_MAX: '1000',
    RATE_LIMIT_MULTIPLIER: '1000',
    LOG_LEVEL: 'debug',
    REDIS_URL: testRedisUrl ?? '',
    REDIS_KEY_PREFIX: `keel-test:${process.pid}:${randomBytes(4).toString('hex')}:`,
    TRPC_FAST_PATH: String(inject('trpcFastPath') ?? true),
    ...overrides,
  };
}

export interface TestServer {
  url: string;
  runtime: Runtime;
  logs: Record<string, unknown>[];
  database: TestDatabase;
  close(): Promise<void>;
}

export async function startTestServer(
  env: Record<string, string> = {},
  overrides: Omit<RuntimeOverrides, 'database'> = {},
): Promise<TestServer> {
  const database = await createTestDatabase();
  const fullEnv = testEnv({ DATA_DIR: mkdtempSync(join(tmpdir(), 'keel-data-')), ...env });
  const config = loadConfig(fullEnv);
  // The production logger (its redaction included), writing to memory.
  const logs: Record<string, unknown>[] = [];
  const logger = createLogger('debug', {
    destination: { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) },
  });
  const runtime = await createRuntime(config, logger, {
    ...overrides,
    database: { ...database, close: async () => {} },
  });
  const url = await runtime.app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    runtime,
    logs,
    database,
    async close() {
      await runtime.close();
      if (testRedisUrl) {
        const redis = await connectTestRedis();
        if (redis) {
          await clearRedisPrefix(redis, fullEnv.REDIS_KEY_PREFIX as string);
          redis.disconnect();
        }
      }
      await database.destroy();
      rmSync(fullEnv.DATA_DIR as string, { recursive: true, force: true });
    },
  };
}

export interface ChildServer {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `src/main.ts` in its own Node process (for signals, crashes and several instances). */
export async function startChildServer(env: Record<string, string>): Promise<ChildServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=@keel/source', 'src/main.ts'], {
    cwd: SERVER_DIR,
    env: { PATH: inheritedPath, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  const url = await new Promise<string>((resolveUrl, reject) => {
    const deadline = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 30_000);
    const onData = () => {
      const match = /"address":"(http:\/\/[^"]+)"/.exec(output);
      if (match?.[1]) {
        clearTimeout(deadline);
        resolveUrl(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(deadline);
      reject(new Error(`server exited with ${code} before listening:\n${output}`));
    });
  });
  return {
    url,
    child,
    output: () => output,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

/**
 * A child server (`testEnv` plus `env`) on a database of its own. `onCleanup` receives the steps that
 * undo it, in the order they must run last-first: the server is killed before its database goes.
 */
export async function startIsolatedChildServer(
  env: Record<string, string>,
  onCleanup: (step: () => Promise<unknown>) => void,
): Promise<ChildServer> {
  const database = await childDatabaseEnv();
  onCleanup(() => database.cleanup());
  const server = await startChildServer(testEnv({ ...database.env, ...env }));
  onCleanup(() => server.stop('SIGKILL'));
  return server;
}

/** Creates a PostgreSQL test database a child server can use, or a temporary PGlite directory. */
export async function childDatabaseEnv(): Promise<{ env: Record<string, string>; cleanup(): Promise<void> }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keel-child-'));
  if (!testDatabaseUrl) {
    return { env: { DATA_DIR: dataDir }, cleanup: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const database = await createTestDatabase();
  await database.close();
  return {
    env: { DATA_DIR: dataDir, DATABASE_URL: database.url as string },
    async cleanup() {
      await database.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export interface TrpcCallOptions {
  token?: string;
  headers?: Record<string, string>;
  cookie?: string;
}

export interface TrpcResult<T = unknown> {
  status: number;
  headers: Headers;
  body: TrpcEnvelope<T>;
}

/** One raw tRPC call over HTTP (no client library), returning status, headers and the parsed body. */
export async function trpcCall<P extends string>(
  baseUrl: string,
  path: P,
  kind: 'query' | 'mutation',
  input?: unknown,
  options: TrpcCallOptions = {},
): Promise<TrpcResult<OutputAt<P>>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.cookie) headers.cookie = options.cookie;
  let response: Response;
  if (kind === 'query') {
    const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
    response = await fetch(`${baseUrl}/trpc/${path}${query}`, { headers });
  } else {
    response = await fetch(`${baseUrl}/trpc/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: input === undefined ? undefined : JSON.stringify(input),
    });
  }
  const body = await readJson<TrpcEnvelope<OutputAt<P>>>(response);
  return { status: response.status, headers: response.headers, body };
}
