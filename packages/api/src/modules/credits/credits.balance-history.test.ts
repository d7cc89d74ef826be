import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lastUtcDays } from '../../common/utc-days.js';
import { createTestDeps, createUser, outcome, type TestDeps } from '../../testing/index.js';

let deps: TestDeps;
beforeAll(async () => {
  deps = await createTestDeps();
});
afterAll(async () => {
  await deps.close();
});

/** `hour`:00 UTC on the day `ago` days before today. */
function hourAgo(ago: number, hour: number): string {
  const { days } = lastUtcDays(ago + 1);
  return `${days[0]}T${String(hour).padStart(2, '0')}:00:00Z`;
}

/** A ledger row written at a chosen time, with the balance change it records. */
async function insertLedgerEntry(
  userId: string,
  entry: { direction: 'in' | 'out' | 'grant'; amount: number; balanceAfter: number; at: string },
): Promise<void> {
  await sql`insert into ledger_entries (user_id, direction, amount, balance_after, created_at)
    values (${userId}, ${entry.direction}, ${entry.amount}, ${entry.balanceAfter}, ${entry.at}::timestamptz)`.execute(
    deps.db,
  );
  const delta = entry.direction === 'out' ? -entry.amount : entry.amount;
  await deps.db
    .updateTable('users')
    .set({ balance: sql`balance + ${delta}` })
    .where('id', '=', userId)
    .execute();
}

describe('credits.balanceHistory', () => {
  it('gives the closing balance of each of the last 30 UTC days, oldest first, today last', async () => {
    const user = await createUser(deps);
    await insertLedgerEntry(user.id, { direction: 'grant', amount: 50, balanceAfter: 50, at: hourAgo(6, 9) });
    await insertLedgerEntry(user.id, { direction: 'out', amount: 20, balanceAfter: 30, at: hourAgo(2, 8) });
    await insertLedgerEntry(user.id, { direction: 'in', amount: 5, balanceAfter: 35, at: hourAgo(2, 23) });

    const { days } = await user.caller.credits.balanceHistory();
    const range = lastUtcDays(30).days;
    expect(days.map((entry) => entry.day)).toEqual(range);
    const expected = range.map((day, index) => {
      const ago = range.length - 1 - index;
      return { day, balance: ago > 6 ? 0 : ago > 2 ? 50 : 35 };
    });
    expect(days).toEqual(expected);
  });

  it('shows a transfer made today in today’s balance only, for both parties', async () => {
    const sender = await createUser(deps, { balance: 100 });
    const recipient = await createUser(deps);
    await sender.caller.credits.transfer({ toUserId: recipient.id, amount: 40 });

    const sent = (await sender.caller.credits.balanceHistory({ days: 7 })).days;
    expect(sent.map((entry) => entry.balance)).toEqual([100, 100, 100, 100, 100, 100, 60]);
    const received = (await recipient.caller.credits.balanceHistory({ days: 7 })).days;
    expect(received.map((entry) => entry.balance)).toEqual([0, 0, 0, 0, 0, 0, 40]);
  });

  it('keeps a balance set without a ledger row on every day', async () => {
    const seeded = await createUser(deps, { balance: 250 });
    const { days } = await seeded.caller.credits.balanceHistory({ days: 7 });
    expect(days.map((entry) => entry.balance)).toEqual(Array(7).fill(250));
  });

  it('covers 7 to 90 days and refuses other lengths', async () => {
    const user = await createUser(deps, { role: 'GUEST' });
    expect((await user.caller.credits.balanceHistory({ days: 7 })).days).toHaveLength(7);
    expect((await user.caller.credits.balanceHistory({ days: 90 })).days).toHaveLength(90);
    for (const days of [6, 91, 1.5]) {
      expect(await outcome(user.caller.credits.balanceHistory({ days }))).toBe('BAD_REQUEST');
    }
  });
});
