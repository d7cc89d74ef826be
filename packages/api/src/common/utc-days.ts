// The last N UTC calendar days, for the daily series (admin.activity, credits.balanceHistory).

const DAY_MS = 86_400_000;

export interface UtcDayRange {
  /** `2030-01-31` for each day, oldest first, today (UTC) last. */
  days: string[];
  /** Midnight UTC at the start of the first day. */
  since: Date;
}

/** The `count` UTC days ending with the one `now` falls in. */
export function lastUtcDays(count: number, now: Date = new Date()): UtcDayRange {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const since = today - (count - 1) * DAY_MS;
  const days = Array.from({ length: count }, (_, index) => new Date(since + index * DAY_MS).toISOString().slice(0, 10));
  return { days, since: new Date(since) };
}
