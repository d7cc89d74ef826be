// credits.* procedures: wiring only; the rules live in credits.service.ts.
import { authedProcedure, router, writerProcedure } from '../../trpc.js';
import { Balance, HistoryInput, HistoryPage, Transfer, TransferInput } from './credits.schema.js';
import * as credits from './credits.service.js';

export const creditsRouter = router({
  balance: authedProcedure.output(Balance).query(({ ctx }) => credits.balance(ctx)),
  transfer: writerProcedure
    .input(TransferInput)
    .output(Transfer)
    .mutation(({ ctx, input }) => credits.transfer(ctx, input)),
  history: authedProcedure
    .input(HistoryInput)
    .output(HistoryPage)
    .query(({ ctx, input }) => credits.history(ctx, input)),
});
