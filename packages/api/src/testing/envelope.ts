// The JSON envelope of a tRPC call over HTTP, typed from the router, for tests that read raw answers.
import type { inferRouterError, inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../root.js';

/** The output of the procedure at a dotted path (`auth.login`); `unknown` for a path it does not know. */
export type OutputAt<P extends string, T = inferRouterOutputs<AppRouter>> = P extends `${infer Head}.${infer Rest}`
  ? Head extends keyof T
    ? OutputAt<Rest, T[Head]>
    : unknown
  : P extends keyof T
    ? T[P]
    : unknown;

/**
 * A tRPC answer as a test reads it: `result` on success, `error` (shaped by this API's error
 * formatter) on failure. Both are declared, so a test reads the one its status says is there.
 */
export interface TrpcEnvelope<T = unknown> {
  result: { data: T };
  error: inferRouterError<AppRouter>;
}
