import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDeps, createUser, outcome, type TestDeps, until } from '../../testing/index.js';

let deps: TestDeps;
beforeAll(async () => {
  deps = await createTestDeps();
});
afterAll(async () => {
  await deps.close();
});

/** A small deterministic generator, so a failing run can be replayed. */
function seededRandom(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

async function balanceOf(userId: string): Promise<number> {
  const row = await deps.db.selectFrom('users').select('balance').where('id', '=', userId).executeTakeFirstOrThrow();
  return row.balance;
}

describe('credits.transfer', () => {
  it('moves credits, writes two ledger rows and an audit event, and tells the recipient', async () => {
    const sender = await createUser(deps, { balance: 100 });
    const recipient = await createUser(deps);
    const received: unknown[] = [];
    const unsubscribe = deps.events.subscribe(recipient.id, (event) => received.push(event));
    try {
      const transfer = await sender.caller.credits.transfer({ toUserId: recipient.id, amount: 40, note: 'lunch' });
      expect(transfer).toMatchObject({
        fromUserId: sender.id,
        toUserId: recipient.id,
        amount: 40,
        note: 'lunch',
        balanceAfter: 60,
      });
      expect(await sender.caller.credits.balance()).toEqual({ balance: 60 });
      expect(await recipient.caller.credits.balance()).toEqual({ balance: 40 });

      const ledger = await deps.db
        .selectFrom('ledger_entries')
        .select(['user_id', 'direction', 'amount', 'counterparty_id', 'balance_after'])
        .where('transfer_id', '=', transfer.id)
        .orderBy('seq')
        .execute();
      expect(ledger).toEqual([
        { user_id: sender.id, direction: 'out', amount: 40, counterparty_id: recipient.id, balance_after: 60 },
        { user_id: recipient.id, direction: 'in', amount: 40, counterparty_id: sender.id, balance_after: 40 },
      ]);
      const auditRow = await deps.db
        .selectFrom('audit_events')
        .select(['actor_id', 'target_id'])
        .where('action', '=', 'credits.transfer')
        .where('target_id', '=', transfer.id)
        .executeTakeFirst();
      expect(auditRow).toEqual({ actor_id: sender.id, target_id: transfer.id });

      await until(() => received.length > 0);
      expect(received[0]).toMatchObject({
        type: 'credits.received',
        userId: recipient.id,
        data: { transferId: transfer.id, fromUserId: sender.id, amount: 40, balance: 40 },
      });
    } finally {
      unsubscribe();
    }
  });

  it('ten concurrent transfers of 30 from a balance of 100 let exactly three through', async () => {
    const sender = await createUser(deps, { balance: 100 });
    const recipient = await createUser(deps);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => outcome(sender.caller.credits.transfer({ toUserId: recipient.id, amount: 30 }))),
    );
    expect(results.filter((code) => code === 'OK')).toHaveLength(3);
    expect(results.filter((code) => code === 'BAD_REQUEST')).toHaveLength(7);
    expect(await sender.caller.credits.balance()).toEqual({ balance: 10 });
    expect(await balanceOf(recipient.id)).toBe(90);
  });

  it('insufficient credits are refused with the business message', async () => {
    const sender = await createUser(deps, { balance: 5 });
    const recipient = await createUser(deps);
    await expect(sender.caller.credits.transfer({ toUserId: recipient.id, amount: 6 })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: 'Insufficient credits',
    });
    expect(await balanceOf(sender.id)).toBe(5);
  });

  it('200 concurrent crossing transfers among 8 users neither deadlock, overdraw, create nor lose credits', async () => {
    const users = await Promise.all(Array.from({ length: 8 }, () => createUser(deps, { balance: 100 })));
    const random = seededRandom(20_261_126);
    const calls = Array.from({ length: 200 }, () => {
      const from = Math.floor(random() * users.length);
      const to = (from + 1 + Math.floor(random() * (users.length - 1))) % users.length;
      const amount = 1 + Math.floor(random() * 60);
      const sender = users[from];
      const recipient = users[to];
      if (!sender || !recipient) throw new Error('bad index');
      return outcome(sender.caller.credits.transfer({ toUserId: recipient.id, amount }));
    });
    const results = await Promise.all(calls);
    expect(results.filter((code) => code !== 'OK' && code !== 'BAD_REQUEST')).toEqual([]);
    const succeeded = results.filter((code) => code === 'OK').length;
    expect(succeeded).toBeGreaterThan(0);

    const ids = users.map((user) => user.id);
    const balances = await deps.db.selectFrom('users').select(['id', 'balance']).where('id', 'in', ids).execute();
    expect(balances.every((row) => row.balance >= 0)).toBe(true);
    expect(balances.reduce((sum, row) => sum + row.balance, 0)).toBe(800);

    const transfers = await deps.db.selectFrom('transfers').select('id').where('from_user_id', 'in', ids).execute();
    expect(transfers).toHaveLength(succeeded);
    const ledgerCounts = await deps.db
      .selectFrom('ledger_entries')
      .select((eb) => ['transfer_id', eb.fn.countAll<number>().as('rows')])
      .where(
        'transfer_id',
        'in',
        transfers.map((row) => row.id),
      )
      .groupBy('transfer_id')
      .execute();
    expect(ledgerCounts).toHaveLength(succeeded);
    expect(ledgerCounts.every((row) => Number(row.rows) === 2)).toBe(true);

    // Each balance is its starting 100 plus what the ledger says came in, minus what went out.
    const ledger = await deps.db
      .selectFrom('ledger_entries')
      .select(['user_id', 'direction', 'amount'])
      .where('user_id', 'in', ids)
      .execute();
    for (const row of balances) {
      const net = ledger
        .filter((entry) => entry.user_id === row.id)
        .reduce((sum, entry) => sum + (entry.direction === 'out' ? -entry.amount : entry.amount), 0);
      expect(row.balance).toBe(100 + net);
    }
  });

  it('admin grants racing transfers to and from that admin never deadlock', async () => {
    const admin = await createUser(deps, { role: 'ADMIN', balance: 100 });
    const others = await Promise.all(Array.from({ length: 4 }, () => createUser(deps, { balance: 100 })));
    const everyone = [admin, ...others];
    const random = seededRandom(42);
    const pick = () => everyone[Math.floor(random() * everyone.length)] ?? admin;
    let granted = 0;
    const calls: Promise<string>[] = [];
    for (let i = 0; i < 120; i += 1) {
      if (i % 3 === 0) {
        const amount = 1 + Math.floor(random() * 10);
        granted += amount;
        calls.push(outcome(admin.caller.admin.credits.grant({ userId: pick().id, amount, reason: 'race' })));
      } else {
        const other = others[Math.floor(random() * others.length)] ?? admin;
        const [from, to] = random() < 0.5 ? [admin, other] : [other, admin];
        calls.push(outcome(from.caller.credits.transfer({ toUserId: to.id, amount: 1 + Math.floor(random() * 40) })));
      }
    }
    const results = await Promise.all(calls);
    expect(results.filter((code) => code !== 'OK' && code !== 'BAD_REQUEST')).toEqual([]);
    expect(results.filter((code, i) => i % 3 === 0 && code !== 'OK')).toEqual([]);
    const balances = await deps.db
      .selectFrom('users')
      .select('balance')
      .where(
        'id',
        'in',
        everyone.map((user) => user.id),
      )
      .execute();
    expect(balances.reduce((sum, row) => sum + row.balance, 0)).toBe(500 + granted);
  });

  it('two racing calls with one idempotency key make one transfer and both return it', async () => {
    const sender = await createUser(deps, { balance: 100 });
    const recipient = await createUser(deps);
    const input = { toUserId: recipient.id, amount: 25, note: 'once', idempotencyKey: `key-${randomUUID()}` };
    const [first, second] = await Promise.all([
      sender.caller.credits.transfer(input),
      sender.caller.credits.transfer(input),
    ]);
    expect(second.id).toBe(first.id);
    expect(second).toEqual(first);
    const rows = await deps.db
      .selectFrom('transfers')
      .select('id')
      .where('from_user_id', '=', sender.id)
      .where('idempotency_key', '=', input.idempotencyKey)
      .execute();
    expect(rows).toHaveLength(1);
    expect(await balanceOf(sender.id)).toBe(75);

    // A later retry still answers with the original, moving nothing.
    const retried = await sender.caller.credits.transfer(input);
    expect(retried).toEqual(first);
    expect(await balanceOf(sender.id)).toBe(75);
    expect(await balanceOf(recipient.id)).toBe(25);
  });

  it('the same idempotency key with another payload is a conflict', async () => {
    const sender = await createUser(deps, { balance: 100 });
    const recipient = await createUser(deps);
    const idempotencyKey = `key-${randomUUID()}`;
    await sender.caller.credits.transfer({ toUserId: recipient.id, amount: 10, idempotencyKey });
    await expect(
      sender.caller.credits.transfer({ toUserId: recipient.id, amount: 11, idempotencyKey }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(
      sender.caller.credits.transfer({ toUserId: recipient.id, amount: 10, note: 'changed', idempotencyKey }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await balanceOf(sender.id)).toBe(90);
  });

  it('an idempotency key belongs to its sender: another sender may use the same key', async () => {
    const alice = await createUser(deps, { balance: 50 });
    const bob = await createUser(deps, { balance: 50 });
    const recipient = await createUser(deps);
    const idempotencyKey = `key-${randomUUID()}`;
    const fromAlice = await alice.caller.credits.transfer({ toUserId: recipient.id, amount: 5, idempotencyKey });
    const fromBob = await bob.caller.credits.transfer({ toUserId: recipient.id, amount: 5, idempotencyKey });
    expect(fromBob.id).not.toBe(fromAlice.id);
    expect(await balanceOf(recipient.id)).toBe(10);
  });

  it('refuses transfers the rules forbid', async () => {
    const sender = await createUser(deps, { balance: 100 });
    const recipient = await createUser(deps);
    const disabled = await createUser(deps);
    await deps.db.updateTable('users').set({ active: false }).where('id', '=', disabled.id).execute();
    const guest = await createUser(deps, { role: 'GUEST', balance: 100 });

    const cases: [string, () => Promise<unknown>, string][] = [
      ['to oneself', () => sender.caller.credits.transfer({ toUserId: sender.id, amount: 1 }), 'BAD_REQUEST'],
      ['to a missing user', () => sender.caller.credits.transfer({ toUserId: randomUUID(), amount: 1 }), 'NOT_FOUND'],
      ['to a disabled user', () => sender.caller.credits.transfer({ toUserId: disabled.id, amount: 1 }), 'BAD_REQUEST'],
      ['of 0 credits', () => sender.caller.credits.transfer({ toUserId: recipient.id, amount: 0 }), 'BAD_REQUEST'],
      ['of 1.5 credits', () => sender.caller.credits.transfer({ toUserId: recipient.id, amount: 1.5 }), 'BAD_REQUEST'],
      [
        'over the maximum',
        () => sender.caller.credits.transfer({ toUserId: recipient.id, amount: 1_000_001 }),
        'BAD_REQUEST',
      ],
      ['to a non-uuid', () => sender.caller.credits.transfer({ toUserId: 'nobody', amount: 1 }), 'BAD_REQUEST'],
      [
        'with a note over 200 characters',
        () => sender.caller.credits.transfer({ toUserId: recipient.id, amount: 1, note: 'x'.repeat(201) }),
        'BAD_REQUEST',
      ],
      [
        'with a short idempotency key',
        () => sender.caller.credits.transfer({ toUserId: recipient.id, amount: 1, idempotencyKey: 'short' }),
        'BAD_REQUEST',
      ],
      ['by a GUEST', () => guest.caller.credits.transfer({ toUserId: recipient.id, amount: 1 }), 'FORBIDDEN'],
    ];
    for (const [name, call, expected] of cases) {
      expect([name, await outcome(call())]).toEqual([name, expected]);
    }
    expect(await balanceOf(sender.id)).toBe(100);
    expect(await balanceOf(guest.id)).toBe(100);
    expect(await balanceOf(recipient.id)).toBe(0);
  });

  it('a GUEST may read its balance and history', async () => {
    const guest = await createUser(deps, { role: 'GUEST', balance: 7 });
    expect(await guest.caller.credits.balance()).toEqual({ balance: 7 });
    expect(await guest.caller.credits.history()).toEqual({ items: [], nextCursor: null });
  });
});

describe('credits.history', () => {
  it('lists the ledger newest first and pages by cursor without duplicates or gaps', async () => {
    const sender = await createUser(deps, { balance: 100 });
    const recipient = await createUser(deps);
    for (let i = 1; i <= 12; i += 1) {
      await sender.caller.credits.transfer({ toUserId: recipient.id, amount: 1, note: `n${i}` });
    }

    const first = await sender.caller.credits.history({ limit: 5 });
    expect(first.items).toHaveLength(5);
    expect(first.nextCursor).not.toBeNull();
    const second = await sender.caller.credits.history({ limit: 5, cursor: first.nextCursor ?? undefined });
    expect(second.items).toHaveLength(5);
    const third = await sender.caller.credits.history({ limit: 5, cursor: second.nextCursor ?? undefined });
    expect(third.items).toHaveLength(2);
    expect(third.nextCursor).toBeNull();

    const items = [...first.items, ...second.items, ...third.items];
    expect(new Set(items.map((item) => item.id)).size).toBe(12);
    // Newest first: the most recent debit left the smallest balance, the notes count down.
    expect(items.map((item) => item.balanceAfter)).toEqual(Array.from({ length: 12 }, (_, i) => 88 + i));
    expect(items.map((item) => item.note)).toEqual(Array.from({ length: 12 }, (_, i) => `n${12 - i}`));
    // People, not ids: the other party's name comes with each entry.
    const [senderName, recipientName] = await Promise.all(
      [sender, recipient].map(async (user) => (await user.caller.auth.me()).name),
    );
    expect(items[0]).toMatchObject({
      direction: 'out',
      amount: 1,
      counterpartyId: recipient.id,
      counterpartyName: recipientName,
    });

    const received = await recipient.caller.credits.history();
    expect(received.items).toHaveLength(12);
    expect(received.items[0]).toMatchObject({
      direction: 'in',
      counterpartyId: sender.id,
      counterpartyName: senderName,
      balanceAfter: 12,
    });
  });

  it('a malformed cursor is a bad request', async () => {
    const user = await createUser(deps);
    await expect(user.caller.credits.history({ cursor: 'not-a-cursor' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
  });
});
