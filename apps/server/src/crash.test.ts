// Money survives a crash: SIGKILL in the middle of a transfer storm loses and creates no credits.
import { join } from 'node:path';
import { tokensOf } from '@keel/api/testing';
import { createDatabase } from '@keel/db';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { childDatabaseEnv, startChildServer, testEnv, trpcCall } from './testing/server.js';

const PASSWORD = 'Passw0rd!';
const ADMIN = { email: 'crash-admin@example.com', password: 'Admin-passw0rd1' };
const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  while (cleanups.length > 0) await cleanups.pop()?.();
});

describe('crash during a transfer storm', () => {
  it('keeps the sum of balances equal to the grants and every transfer with both ledger rows', async () => {
    const database = await childDatabaseEnv();
    cleanups.push(() => database.cleanup());
    const env = testEnv({
      ...database.env,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      LOG_LEVEL: 'info',
    });
    const server = await startChildServer(env);
    cleanups.push(() => server.stop('SIGKILL'));

    const admin = tokensOf((await trpcCall(server.url, 'auth.login', 'mutation', ADMIN)).body.result.data);
    const users: { id: string; token: string }[] = [];
    for (let i = 0; i < 8; i++) {
      const email = `crash-${i}-${Date.now()}@example.com`;
      const res = await trpcCall(server.url, 'auth.register', 'mutation', { email, password: PASSWORD, name: `U${i}` });
      const payload = res.body.result.data;
      users.push({ id: payload.user.id, token: payload.accessToken });
      const grant = await trpcCall(
        server.url,
        'admin.credits.grant',
        'mutation',
        { userId: payload.user.id, amount: 1000, reason: 'storm' },
        { token: admin.accessToken },
      );
      expect(grant.status).toBe(200);
    }

    let answered = 0;
    let stopStorm = false;
    const worker = async () => {
      while (!stopStorm) {
        const from = users[Math.floor(Math.random() * users.length)] as (typeof users)[number];
        let to = users[Math.floor(Math.random() * users.length)] as (typeof users)[number];
        if (to === from) to = users[(users.indexOf(from) + 1) % users.length] as (typeof users)[number];
        try {
          await trpcCall(
            server.url,
            'credits.transfer',
            'mutation',
            { toUserId: to.id, amount: 1 + Math.floor(Math.random() * 50) },
            { token: from.token },
          );
          answered++;
        } catch {
          // The connection died with the server: expected once it is killed.
        }
      }
    };
    const workers = Array.from({ length: 16 }, worker);
    // Kill it mid-storm: after real transfers have committed, while many are in flight.
    while (answered < 150) await new Promise((resolve) => setTimeout(resolve, 5));
    server.child.kill('SIGKILL');
    await server.exited;
    stopStorm = true;
    await Promise.all(workers);

    // It comes back on the same database (PGlite recovers its files, PostgreSQL never went away)…
    const restarted = await startChildServer(env);
    expect((await fetch(`${restarted.url}/health/ready`)).status).toBe(200);
    expect(await restarted.stop('SIGTERM')).toBe(0);

    // …and the books balance.
    const db = createDatabase(
      env.DATABASE_URL ? { url: env.DATABASE_URL } : { pgliteDir: join(env.DATA_DIR as string, 'pglite') },
    ).db;
    try {
      const sums = await sql<{ balances: number; grants: number; transfers: number }>`
        select (select coalesce(sum(balance), 0) from users)::int as balances,
               (select coalesce(sum(amount), 0) from ledger_entries where direction = 'grant')::int as grants,
               (select count(*) from transfers)::int as transfers`.execute(db);
      const totals = sums.rows[0];
      expect(totals?.grants).toBe(8000);
      expect(totals?.balances).toBe(8000);
      expect(totals?.transfers).toBeGreaterThan(100);
      const incomplete = await sql<{ id: string }>`
        select t.id from transfers t
        left join ledger_entries l on l.transfer_id = t.id
        group by t.id having count(l.id) <> 2`.execute(db);
      expect(incomplete.rows).toEqual([]);
      const negative = await db.selectFrom('users').select('id').where('balance', '<', 0).execute();
      expect(negative).toEqual([]);
    } finally {
      await db.destroy();
    }
  });
});
