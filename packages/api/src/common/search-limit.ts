// A per-user bound on searches in flight in this process: a search can read a whole table, so a few
// callers firing many at once would otherwise hold every pool connection and starve everyone else.
import type { AuthedContext } from '../trpc.js';
import { AppError } from './errors.js';

/** Seconds a refused caller is told to wait: a search holds its slot for one statement's time. */
const RETRY_AFTER_SECONDS = 1;

const inFlight = new Map<string, number>();

/** How many searches `userId` has running in this process. */
export function searchesInFlight(userId: string): number {
  return inFlight.get(userId) ?? 0;
}

/**
 * Runs `search` in one of the caller's search slots. With every slot taken the call is refused at
 * once with 429 RATE_LIMITED rather than queued: the caller is the one asking too much, and a 503
 * would tell monitoring and every other client that the service is down. One budget covers every
 * search procedure.
 */
export async function withSearchSlot<T>(ctx: AuthedContext, search: () => Promise<T>): Promise<T> {
  const userId = ctx.user.id;
  const running = searchesInFlight(userId);
  if (running >= ctx.config.searchesPerUser) {
    throw new AppError('RATE_LIMITED', 'Too many searches at once; wait for one to finish', {
      retryAfterSeconds: RETRY_AFTER_SECONDS,
    });
  }
  inFlight.set(userId, running + 1);
  try {
    return await search();
  } finally {
    const left = searchesInFlight(userId) - 1;
    if (left > 0) inFlight.set(userId, left);
    else inFlight.delete(userId);
  }
}
