// credits.* procedures: wiring only; the rules live in credits.service.ts.
import { authedProcedure, router, writerProcedure } from '../../trpc.js';
import {
  Balance,
  BalanceHistory,
  BalanceHistoryInput,
  HistoryInput,
  HistoryPage,
  Transfer,
  TransferInput,
} from './credits.schema.js';
import * as credits from './credits.service.js';

export const creditsRouter = router({
  balance: authedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/credits/balance',
        tags: ['credits'],
        protect: true,
        summary: "The caller's balance",
        errorResponses: [401, 403],
      },
    })
    .output(Balance)
    .query(({ ctx }) => credits.balance(ctx)),
  transfer: writerProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/credits/transfers',
        tags: ['credits'],
        protect: true,
        summary: 'Send credits to another user (idempotent with idempotencyKey)',
        errorResponses: [400, 401, 403, 404, 409],
      },
    })
    .input(TransferInput)
    .output(Transfer)
    .mutation(({ ctx, input }) => credits.transfer(ctx, input)),
  history: authedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/credits/history',
        tags: ['credits'],
        protect: true,
        summary: "The caller's ledger, newest first",
        errorResponses: [400, 401, 403],
      },
    })
    .input(HistoryInput)
    .output(HistoryPage)
    .query(({ ctx, input }) => credits.history(ctx, input)),
  balanceHistory: authedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/credits/balance-history',
        tags: ['credits'],
        protect: true,
        summary: "The caller's balance at the end of each of the last days (UTC), oldest first",
        errorResponses: [400, 401, 403],
      },
    })
    .input(BalanceHistoryInput)
    .output(BalanceHistory)
    .query(({ ctx, input }) => credits.balanceHistory(ctx, input)),
});
