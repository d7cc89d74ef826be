// Row → API shape for transfers and ledger entries: explicit fields only.
import type { TransferRow } from '@keel/db';
import type { LedgerEntryListRow } from './credits.repository.js';
import type { LedgerEntry, Transfer } from './credits.schema.js';

export function toTransfer(row: TransferRow): Transfer {
  return {
    id: row.id,
    fromUserId: row.from_user_id,
    toUserId: row.to_user_id,
    amount: row.amount,
    note: row.note,
    createdAt: row.created_at.toISOString(),
    balanceAfter: row.from_balance_after,
  };
}

export function toLedgerEntry(row: LedgerEntryListRow): LedgerEntry {
  return {
    id: row.id,
    transferId: row.transfer_id,
    direction: row.direction,
    amount: row.amount,
    counterpartyId: row.counterparty_id,
    counterpartyName: row.counterparty_name,
    note: row.note,
    createdAt: row.created_at.toISOString(),
    balanceAfter: row.balance_after,
  };
}
