// The notice of credits received: transfers that arrive while the last notice still shows add up
// in one notice instead of stacking toasts over the page.
import { formatCredits } from './format.js';

export interface ReceivedTally {
  count: number;
  amount: number;
  /** Until when a new transfer adds to this tally (the notice's display time). */
  until: number;
}

export const NO_TRANSFERS: ReceivedTally = { count: 0, amount: 0, until: 0 };

/** The tally after a transfer of `amount` at `now`: added to `tally` while it runs, a new one after. */
export function addReceived(tally: ReceivedTally, amount: number, now: number, windowMs: number): ReceivedTally {
  const running = tally.until > now ? tally : NO_TRANSFERS;
  return { count: running.count + 1, amount: running.amount + amount, until: now + windowMs };
}

export function receivedNotice({ count, amount }: ReceivedTally): string {
  return count === 1
    ? `You received ${formatCredits(amount)}.`
    : `You received ${formatCredits(amount)} in ${count} transfers.`;
}
