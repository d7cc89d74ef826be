// SQL for credit balances, transfers and the per-user ledger.

import type { DB, LedgerDirection, TransferRow } from '@keel/db';
import { type Kysely, sql, type Transaction } from 'kysely';

export interface BalanceRow {
  id: string;
  active: boolean;
  balance: number;
}

/**
 * Locks the users' rows for the rest of the transaction, one statement in ascending id order, so
 * any two transactions locking overlapping sets queue instead of deadlocking. `FOR NO KEY UPDATE`
 * is the lock an UPDATE of the balance takes anyway: it serializes balance changes exactly like
 * `FOR UPDATE`, but lets other transactions keep inserting rows that merely reference these users
 * (audit events, sessions), which would otherwise wait on us and could close a lock cycle.
 */
export function lockBalances(db: Transaction<DB>, userIds: readonly string[]): Promise<BalanceRow[]> {
  return db
    .selectFrom('users')
    .select(['id', 'active', 'balance'])
    .where('id', 'in', userIds)
    .orderBy('id')
    .forNoKeyUpdate()
    .execute();
}

export async function findBalance(db: Kysely<DB>, userId: string): Promise<number | undefined> {
  const row = await db.selectFrom('users').select('balance').where('id', '=', userId).executeTakeFirst();
  return row?.balance;
}

/** Adds `delta` (negative to debit) and returns the new balance; the CHECK refuses a negative one. */
export async function addToBalance(db: Kysely<DB>, userId: string, delta: number): Promise<number> {
  const row = await db
    .updateTable('users')
    .set({ balance: sql<number>`balance + ${delta}` })
    .where('id', '=', userId)
    .returning('balance')
    .executeTakeFirstOrThrow();
  return row.balance;
}

export interface NewTransfer {
  fromUserId: string;
  toUserId: string;
  amount: number;
  note: string | null;
  idempotencyKey: string | null;
  payloadHash: string | null;
  fromBalanceAfter: number;
  toBalanceAfter: number;
}

export function insertTransfer(db: Kysely<DB>, transfer: NewTransfer): Promise<TransferRow> {
  return db
    .insertInto('transfers')
    .values({
      from_user_id: transfer.fromUserId,
      to_user_id: transfer.toUserId,
      amount: transfer.amount,
      note: transfer.note,
      idempotency_key: transfer.idempotencyKey,
      payload_hash: transfer.payloadHash,
      from_balance_after: transfer.fromBalanceAfter,
      to_balance_after: transfer.toBalanceAfter,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export function findTransferByIdempotencyKey(
  db: Kysely<DB>,
  fromUserId: string,
  idempotencyKey: string,
): Promise<TransferRow | undefined> {
  return db
    .selectFrom('transfers')
    .selectAll()
    .where('from_user_id', '=', fromUserId)
    .where('idempotency_key', '=', idempotencyKey)
    .executeTakeFirst();
}

export interface NewLedgerEntry {
  userId: string;
  transferId: string | null;
  direction: LedgerDirection;
  amount: number;
  counterpartyId: string | null;
  note: string | null;
  balanceAfter: number;
}

export async function insertLedgerEntries(db: Kysely<DB>, entries: readonly NewLedgerEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await db
    .insertInto('ledger_entries')
    .values(
      entries.map((entry) => ({
        user_id: entry.userId,
        transfer_id: entry.transferId,
        direction: entry.direction,
        amount: entry.amount,
        counterparty_id: entry.counterpartyId,
        note: entry.note,
        balance_after: entry.balanceAfter,
      })),
    )
    .execute();
}

/** A user's ledger, newest first (ask for one row more than a page to learn whether another exists). */
export function listLedgerEntries(
  db: Kysely<DB>,
  filter: { userId: string; beforeSeq?: number | undefined; limit: number },
) {
  let query = db
    .selectFrom('ledger_entries')
    // The other party's name in the same statement: a page shows people, not ids, without a query per row.
    .leftJoin('users as counterparty', 'counterparty.id', 'ledger_entries.counterparty_id')
    .select([
      'ledger_entries.id',
      'ledger_entries.seq',
      'ledger_entries.transfer_id',
      'ledger_entries.direction',
      'ledger_entries.amount',
      'ledger_entries.counterparty_id',
      'counterparty.name as counterparty_name',
      'ledger_entries.note',
      'ledger_entries.balance_after',
      'ledger_entries.created_at',
    ])
    .where('ledger_entries.user_id', '=', filter.userId)
    .orderBy('ledger_entries.seq', 'desc')
    .limit(filter.limit);
  if (filter.beforeSeq !== undefined) query = query.where('ledger_entries.seq', '<', String(filter.beforeSeq));
  return query.execute();
}

export type LedgerEntryListRow = Awaited<ReturnType<typeof listLedgerEntries>>[number];

/**
 * The user's balance at the end of each of `days` consecutive 24-hour days from `since`, oldest
 * first, in one statement: today's balance less every ledger change made after that day ended.
 * Derived backwards from the balance, not forwards from the ledger, so a balance that was set
 * without a ledger row (a seeded account) still reads the same on every day. No row when the user
 * does not exist.
 */
export async function listClosingBalances(
  db: Kysely<DB>,
  filter: { userId: string; since: Date; days: number },
): Promise<number[]> {
  // Whole 24-hour steps, not `interval '1 day'`, which follows the session's time zone across DST.
  // Only the changes after the first day's end matter, a range of ledger_entries_user_created_idx.
  const result = await sql<{ balance: number | string }>`
    select users.balance - coalesce(sum(later.change), 0) as balance
    from generate_series(1, ${filter.days}::int) as day(number)
    cross join users
    left join (
      select created_at, case when direction = 'out' then -amount else amount end as change
      from ledger_entries
      where user_id = ${filter.userId} and created_at >= ${filter.since}::timestamptz + interval '24 hours'
    ) as later on later.created_at >= ${filter.since}::timestamptz + day.number * interval '24 hours'
    where users.id = ${filter.userId}
    group by day.number, users.balance
    order by day.number
  `.execute(db);
  return result.rows.map((row) => Number(row.balance));
}
