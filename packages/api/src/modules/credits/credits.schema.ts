// zod inputs and outputs of the credits procedures, shared with the web app's forms.
import { z } from 'zod';
import { CursorInput, cursorPage, DayRangeInput, text } from '../common.schema.js';

/** Credits moved or granted in one operation: a whole number from 1 to 1 000 000. */
export const CreditAmount = z
  .number({ error: 'Amount must be a number' })
  .int('Amount must be a whole number')
  .min(1, 'Amount must be at least 1')
  .max(1_000_000, 'Amount must be at most 1000000');

export const TransferInput = z.object({
  toUserId: z.uuid({ error: 'Invalid user id' }),
  amount: CreditAmount,
  note: text().trim().max(200, 'Note must be at most 200 characters').optional(),
  idempotencyKey: text()
    .min(8, 'Idempotency key must be at least 8 characters')
    .max(100, 'Idempotency key must be at most 100 characters')
    .optional(),
});
export type TransferInput = z.infer<typeof TransferInput>;

/** `{ cursor?, limit = 50 }`; the whole input may be left out. */
export const HistoryInput = CursorInput.prefault({});
export type HistoryInput = z.output<typeof HistoryInput>;

export const Balance = z.object({ balance: z.number() });
export type Balance = z.infer<typeof Balance>;

export const Transfer = z.object({
  id: z.string(),
  fromUserId: z.string(),
  toUserId: z.string(),
  amount: z.number(),
  note: z.string().nullable(),
  createdAt: z.string(),
  /** The sender's balance right after this transfer. */
  balanceAfter: z.number(),
});
export type Transfer = z.infer<typeof Transfer>;

export const LedgerDirection = z.enum(['in', 'out', 'grant']);

export const LedgerEntry = z.object({
  id: z.string(),
  transferId: z.string().nullable(),
  direction: LedgerDirection,
  amount: z.number(),
  counterpartyId: z.string().nullable(),
  /** The other party's name; null for an admin's grant. */
  counterpartyName: z.string().nullable(),
  note: z.string().nullable(),
  createdAt: z.string(),
  balanceAfter: z.number(),
});
export type LedgerEntry = z.infer<typeof LedgerEntry>;

export const HistoryPage = cursorPage(LedgerEntry);
export type HistoryPage = z.infer<typeof HistoryPage>;

/** The balance history's range: `{ days = 30 (7..90) }`. */
export const BalanceHistoryInput = DayRangeInput;
export type BalanceHistoryInput = DayRangeInput;

/** The balance at the end of a UTC day (for today: now). */
export const ClosingBalance = z.object({ day: z.iso.date(), balance: z.number() });
export type ClosingBalance = z.infer<typeof ClosingBalance>;

export const BalanceHistory = z.object({
  /** Every day of the range, oldest first. */
  days: z.array(ClosingBalance),
});
export type BalanceHistory = z.infer<typeof BalanceHistory>;
