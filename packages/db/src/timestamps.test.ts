// timestamptz values reach the application as the instant they name, whichever driver reads them
// (pg with the postgres-date parser set in connection.ts, or PGlite) and whatever the session's zone.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { freshDatabase } from './test-env.js';

describe('timestamptz values', () => {
  it('arrive as the same instant in any session time zone, to the millisecond', async () => {
    const { db } = (await freshDatabase())();
    const read = async (zone: string) =>
      db.connection().execute(async (connection) => {
        await sql`select set_config('TimeZone', ${zone}, false)`.execute(connection);
        const { rows } = await sql<{ at: Date; early: Date }>`
          select timestamptz '2026-11-27 04:05:38.123456+00' as at,
                 timestamptz '1969-07-20 20:17:40.5-05:30' as early`.execute(connection);
        return rows[0];
      });
    for (const zone of ['UTC', 'Asia/Kolkata', 'America/St_Johns']) {
      const row = await read(zone);
      expect(row?.at.toISOString()).toBe('2026-11-27T04:05:38.123Z');
      expect(row?.early.toISOString()).toBe('1969-07-21T01:47:40.500Z');
    }
  });
});
