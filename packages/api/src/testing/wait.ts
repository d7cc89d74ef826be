// Waiting on state in tests: poll with a deadline (never a bare sleep), and read a call's outcome.
import { TRPCError } from '@trpc/server';

/**
 * Polls `probe` every 10 ms until `accept` holds for its value, and returns that value; throws at
 * the deadline with the last value seen.
 */
export async function until<T>(
  probe: () => T | Promise<T>,
  accept: (value: T) => boolean = Boolean,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The tRPC code a call failed with, or `OK`; anything that is not a TRPCError is rethrown. */
export async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'OK';
  } catch (error) {
    if (error instanceof TRPCError) return error.code;
    throw error;
  }
}

/** Like `outcome`, with the message: `CODE: message`, or `OK`. */
export async function outcomeWithMessage(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return 'OK';
  } catch (error) {
    if (error instanceof TRPCError) return `${error.code}: ${error.message}`;
    throw error;
  }
}
