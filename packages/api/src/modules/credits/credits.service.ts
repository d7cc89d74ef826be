// Credit rules: balances that never go negative, transfers that neither lose nor create
// credits under concurrency, idempotent retries, and admin grants.
import { createHash } from 'node:crypto';
import type { TransferRow } from '@keel/db';
import {
  badRequest,
  conflict,
  forbidden,
  isCheckViolation,
  isUniqueViolation,
  notFound,
  unauthorized,
} from '../../common/errors.js';
import { decodeCursor, toCursorPage } from '../../common/pagination.js';
import { lastUtcDays } from '../../common/utc-days.js';
import type { Context } from '../../context.js';
import type { AuthedContext } from '../../trpc.js';
import { audit } from '../audit/audit.service.js';
import type { CreditsReceivedEvent } from '../events/events.schema.js';
import { toLedgerEntry, toTransfer } from './credits.mapper.js';
import * as repo from './credits.repository.js';
import type {
  Balance,
  BalanceHistory,
  BalanceHistoryInput,
  HistoryInput,
  HistoryPage,
  Transfer,
  TransferInput,
} from './credits.schema.js';

/** The largest value of the `integer` balance column. */
const MAX_BALANCE = 2_147_483_647;
const INSUFFICIENT = 'Insufficient credits';

export async function balance(ctx: AuthedContext): Promise<Balance> {
  const value = await repo.findBalance(ctx.db, ctx.user.id);
  if (value === undefined) throw unauthorized('User no longer exists');
  return { balance: value };
}

/** What an idempotency key stands for: the same key must always mean the same transfer. */
function payloadHash(toUserId: string, amount: number, note: string | null): string {
  return createHash('sha256')
    .update(`${toUserId}|${amount}|${note ?? ''}`)
    .digest('hex');
}

/** The original transfer for a repeated key, or 409 when the key now comes with another payload. */
function replay(existing: TransferRow, hash: string | null): Transfer {
  if (existing.payload_hash !== hash) {
    throw conflict('Idempotency key was already used with a different payload');
  }
  return toTransfer(existing);
}

type TransferOutcome = { kind: 'replayed'; row: TransferRow } | { kind: 'done'; row: TransferRow };

export async function transfer(ctx: AuthedContext, input: TransferInput): Promise<Transfer> {
  const fromUserId = ctx.user.id;
  const toUserId = input.toUserId.toLowerCase();
  if (toUserId === fromUserId) throw badRequest('Cannot transfer credits to yourself');
  const note = input.note ? input.note : null;
  const key = input.idempotencyKey ?? null;
  const hash = key === null ? null : payloadHash(toUserId, input.amount, note);

  // A retry after the original committed: answer without taking any lock.
  if (key !== null) {
    const existing = await repo.findTransferByIdempotencyKey(ctx.db, fromUserId, key);
    if (existing) return replay(existing, hash);
  }

  let outcome: TransferOutcome;
  try {
    outcome = await ctx.db.transaction().execute(async (trx): Promise<TransferOutcome> => {
      const locked = await repo.lockBalances(trx, [fromUserId, toUserId]);
      const sender = locked.find((row) => row.id === fromUserId);
      const recipient = locked.find((row) => row.id === toUserId);
      if (!sender) throw unauthorized('User no longer exists');
      if (!recipient) throw notFound('Recipient');

      // A racing call with the same key committed while we waited for the sender's lock.
      if (key !== null) {
        const existing = await repo.findTransferByIdempotencyKey(trx, fromUserId, key);
        if (existing) return { kind: 'replayed', row: existing };
      }
      if (!sender.active) throw forbidden('This account is disabled');
      if (!recipient.active) throw badRequest('Recipient account is disabled');
      if (sender.balance < input.amount) throw badRequest(INSUFFICIENT);
      if (recipient.balance > MAX_BALANCE - input.amount)
        throw badRequest('Recipient balance would exceed the maximum');

      const fromBalanceAfter = await repo.addToBalance(trx, fromUserId, -input.amount);
      const toBalanceAfter = await repo.addToBalance(trx, toUserId, input.amount);
      const row = await repo.insertTransfer(trx, {
        fromUserId,
        toUserId,
        amount: input.amount,
        note,
        idempotencyKey: key,
        payloadHash: hash,
        fromBalanceAfter,
        toBalanceAfter,
      });
      await repo.insertLedgerEntries(trx, [
        {
          userId: fromUserId,
          transferId: row.id,
          direction: 'out',
          amount: input.amount,
          counterpartyId: toUserId,
          note,
          balanceAfter: fromBalanceAfter,
        },
        {
          userId: toUserId,
          transferId: row.id,
          direction: 'in',
          amount: input.amount,
          counterpartyId: fromUserId,
          note,
          balanceAfter: toBalanceAfter,
        },
      ]);
      await audit(trx, ctx, {
        actorId: fromUserId,
        action: 'credits.transfer',
        targetType: 'transfer',
        targetId: row.id,
        metadata: { toUserId, amount: input.amount, ...(key !== null ? { idempotencyKey: key } : {}) },
      });
      return { kind: 'done', row };
    });
  } catch (error) {
    // The unique (sender, key) constraint decides a race the lookups above did not see: the
    // loser's transaction is rolled back and it answers with the winner's transfer.
    if (key !== null && isUniqueViolation(error)) {
      const existing = await repo.findTransferByIdempotencyKey(ctx.db, fromUserId, key);
      if (existing) return replay(existing, hash);
    }
    // The balance CHECK is the backstop behind the locked read above.
    if (isCheckViolation(error)) throw badRequest(INSUFFICIENT);
    throw error;
  }

  if (outcome.kind === 'replayed') return replay(outcome.row, hash);
  const { row } = outcome;
  await publishReceived(ctx, toUserId, {
    transferId: row.id,
    fromUserId,
    amount: row.amount,
    balance: row.to_balance_after,
  });
  return toTransfer(row);
}

export async function history(ctx: AuthedContext, input: HistoryInput): Promise<HistoryPage> {
  const beforeSeq = decodeCursor(input.cursor);
  const rows = await repo.listLedgerEntries(ctx.db, { userId: ctx.user.id, beforeSeq, limit: input.limit + 1 });
  return toCursorPage(rows, input.limit, (row) => String(row.seq), toLedgerEntry);
}

/** The caller's balance at the end of each of the last `days` UTC days (today: now), oldest first. */
export async function balanceHistory(ctx: AuthedContext, input: BalanceHistoryInput): Promise<BalanceHistory> {
  const { days, since } = lastUtcDays(input.days);
  const balances = await repo.listClosingBalances(ctx.db, { userId: ctx.user.id, since, days: input.days });
  if (balances.length === 0) throw unauthorized('User no longer exists');
  return { days: days.map((day, index) => ({ day, balance: balances[index] ?? 0 })) };
}

export interface GrantRequest {
  userId: string;
  amount: number;
  reason: string;
}

/** An admin adds credits to a user's balance: one locked row, one ledger row, one audit event. */
export async function grant(ctx: AuthedContext, input: GrantRequest): Promise<Balance> {
  const userId = input.userId.toLowerCase();
  const balanceAfter = await ctx.db.transaction().execute(async (trx) => {
    const [row] = await repo.lockBalances(trx, [userId]);
    if (!row) throw notFound('User');
    if (row.balance > MAX_BALANCE - input.amount) throw badRequest('Balance would exceed the maximum');
    const after = await repo.addToBalance(trx, userId, input.amount);
    await repo.insertLedgerEntries(trx, [
      {
        userId,
        transferId: null,
        direction: 'grant',
        amount: input.amount,
        counterpartyId: null,
        note: input.reason,
        balanceAfter: after,
      },
    ]);
    await audit(trx, ctx, {
      actorId: ctx.user.id,
      action: 'credits.grant',
      targetType: 'user',
      targetId: userId,
      metadata: { amount: input.amount, reason: input.reason, balanceAfter: after },
    });
    return after;
  });
  await publishReceived(ctx, userId, {
    transferId: null,
    fromUserId: null,
    amount: input.amount,
    balance: balanceAfter,
    reason: input.reason,
  });
  return { balance: balanceAfter };
}

/** Live notice to the recipient; the credits are already committed, so a failed publish is only logged. */
async function publishReceived(ctx: Context, userId: string, data: CreditsReceivedEvent['data']): Promise<void> {
  try {
    await ctx.events.publish({ type: 'credits.received', userId, data });
  } catch (error) {
    ctx.log.warn({ err: error, userId }, 'could not publish credits.received');
  }
}
