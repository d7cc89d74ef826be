// Waiting on state in tests: poll with a deadline (never a bare sleep), and read a call's outcome.
import { TRPCError } from '@trpc/server';
import { type PublicError, toPublicError } from '../common/errors.js';

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

/** `OK`, or what `describe` says of the TRPCError the call failed with; anything else is rethrown. */
async function settled(call: Promise<unknown>, describe: (error: TRPCError) => string): Promise<string> {
  try {
    await call;
    return 'OK';
  } catch (error) {
    if (error instanceof TRPCError) return describe(error);
    throw error;
  }
}

/** The tRPC code a call failed with, or `OK`; anything that is not a TRPCError is rethrown. */
export function outcome(call: Promise<unknown>): Promise<string> {
  return settled(call, (error) => error.code);
}

/** Like `outcome`, with the message: `CODE: message`, or `OK`. */
export function outcomeWithMessage(call: Promise<unknown>): Promise<string> {
  return settled(call, (error) => `${error.code}: ${error.message}`);
}

/** What the client sees of a refused call: the envelope's code and message (and details); throws if it succeeded. */
export async function refusal(call: Promise<unknown>): Promise<PublicError> {
  try {
    await call;
  } catch (error) {
    if (error instanceof TRPCError) return toPublicError(error);
    throw error;
  }
  throw new Error('the call succeeded');
}
