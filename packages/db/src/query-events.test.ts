// Statements published on QUERY_CHANNEL (what tracing turns into spans), and none when the host
// says nothing listens.
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { sql } from 'kysely';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createDatabase, QUERY_CHANNEL, type QueryEvent } from './connection.js';
import { testDatabaseUrl } from './test-env.js';

const received: QueryEvent[] = [];
const onQuery = (event: unknown) => received.push(event as QueryEvent);
subscribe(QUERY_CHANNEL, onQuery);
afterEach(() => {
  received.length = 0;
});
afterAll(() => {
  unsubscribe(QUERY_CHANNEL, onQuery);
});

function open(publishQueries?: boolean) {
  return testDatabaseUrl
    ? createDatabase({ url: testDatabaseUrl, poolMax: 1, publishQueries })
    : createDatabase({ pgliteDir: 'memory', publishQueries });
}

describe('query events', () => {
  it('are published for each statement, failed ones with their error', async () => {
    const { db, close } = open();
    try {
      await sql`select 1 as one`.execute(db);
      await expect(sql`select * from no_such_table`.execute(db)).rejects.toThrow();
    } finally {
      await close();
    }
    expect(received.map((event) => event.sql)).toEqual(['select 1 as one', 'select * from no_such_table']);
    expect(received[0]?.durationMs).toBeGreaterThanOrEqual(0);
    expect(received[0]?.error).toBeUndefined();
    expect(String(received[1]?.error)).toContain('no_such_table');
  });

  it('are not published when the host turns them off', async () => {
    const { db, close } = open(false);
    try {
      await sql`select 1 as one`.execute(db);
    } finally {
      await close();
    }
    expect(received).toEqual([]);
  });
});
