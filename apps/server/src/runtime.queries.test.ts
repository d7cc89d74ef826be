// The server opens its own database publishing SQL statements (for tracing's spans) only when
// tracing is on; without it, Kysely runs statements without its logging wrapper.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QUERY_CHANNEL } from '@keel/db';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { createRuntime, type RuntimeOverrides } from './runtime.js';
import { testEnv } from './testing/server.js';

/** How many statements a fresh embedded runtime publishes while it runs one query. */
async function publishedWhileQuerying(overrides: RuntimeOverrides): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'keel-queries-'));
  const config = loadConfig(testEnv({ DATA_DIR: dataDir, REDIS_URL: '', LOG_LEVEL: 'warn' }));
  const runtime = await createRuntime(config, createLogger('warn', { destination: { write: () => {} } }), overrides);
  let published = 0;
  const count = () => {
    published++;
  };
  subscribe(QUERY_CHANNEL, count);
  try {
    await sql`select 1`.execute(runtime.database.db);
  } finally {
    unsubscribe(QUERY_CHANNEL, count);
    await runtime.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return published;
}

describe("the server's own database", () => {
  it('publishes each statement while tracing is on', async () => {
    expect(await publishedWhileQuerying({ spanExporter: new InMemorySpanExporter() })).toBe(1);
  });

  it('publishes nothing while tracing is off', async () => {
    expect(await publishedWhileQuerying({})).toBe(0);
  });
});
