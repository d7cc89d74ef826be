// The request context: dependencies passed in by the host, plus what this one request carries.

import type { DB } from '@keel/db';
import type { TRPCError } from '@trpc/server';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { EventBus } from './common/events.js';
import type { PasswordHasher } from './common/hash.js';
import type { RateLimiter } from './common/rate-limit.js';
import type { SessionStateStore } from './common/session-state.js';
import type { AccessClaims, TokenService } from './common/tokens.js';
import type { ApiConfig } from './config.js';
import type { AppJobs } from './jobs.js';
import { type ApiKeyVerifier, isApiKey } from './modules/api-keys/api-keys.service.js';

/** Built once by the composition root (apps/server/src/main.ts) and shared by every request. */
export interface AppDeps {
  db: Kysely<DB>;
  config: ApiConfig;
  logger: Logger;
  hasher: PasswordHasher;
  tokens: TokenService;
  sessionState: SessionStateStore;
  rateLimiter: RateLimiter;
  events: EventBus;
  /** Sends background jobs (jobs.ts), in the caller's transaction when given one. */
  jobs: AppJobs;
  /** Verifies API keys (`Bearer keel_…`) and forgets them on revocation. */
  apiKeys: ApiKeyVerifier;
  /** The clock of time-based codes and challenges, in epoch milliseconds; `Date.now` when unset (tests move it). */
  now?: (() => number) | undefined;
}

/** One procedure call of a request, as the guard records it for the host. */
export interface ProcedureCall {
  /** Dotted procedure path, e.g. `projects.list`. */
  path: string;
  type: 'query' | 'mutation' | 'subscription';
  /** Subject of the bearer token, when one was sent and verified (not yet checked for revocation). */
  userId: string | undefined;
  /** Seconds from the guard to the call's result (rate limits, middleware, validation, handler); set when it ends. */
  seconds: number | undefined;
  /** What the call failed with, as its client is answered; set when it ends in a failure. */
  error: TRPCError | undefined;
}

/**
 * Runs one procedure call inside the host's trace span: `run` resolves to the call's result, which
 * the tracer must return unchanged.
 */
export type ProcedureTracer = <T extends { ok: boolean; error?: unknown }>(
  call: ProcedureCall,
  run: () => Promise<T>,
) => Promise<T>;

/**
 * What the procedures of one request did, for the host's completion log line, metrics and trace.
 * The host hands it in with the request (as it does `response`) and reads it once the response is
 * sent; the guard writes each call, sign-in writes the user it signed in.
 */
export interface RequestObservation {
  /** The calls in the order they started (a tRPC batch has several). */
  calls: ProcedureCall[];
  /** Who the request is about: the bearer token's subject, else the user a sign-in signed in. */
  userId: string | undefined;
  /** The host's tracer, when it traces. */
  trace: ProcedureTracer | undefined;
}

/** How a procedure talks back to the HTTP response: headers and the refresh cookie. */
export interface ResponseControl {
  setHeader(name: string, value: string): void;
  setRefreshCookie(token: string, maxAgeSeconds: number): void;
  clearRefreshCookie(): void;
  /** Drops the `keel_mfa` cookie of a code step after single sign-on. */
  clearMfaCookie(): void;
}

export interface RequestInfo {
  requestId: string;
  ip: string;
  userAgent: string | null;
  /** The raw `Authorization` header. */
  authorization: string | undefined;
  /** The `keel_rt` cookie, when the client sent one. */
  refreshCookie: string | undefined;
  /**
   * The `keel_mfa` cookie, when the client sent one: the challenge of the code step after a single
   * sign-on, which the OIDC callback hands the browser in it (never in the address).
   */
  mfaCookie: string | undefined;
  response: ResponseControl;
  /** Filled in for the host; absent where nobody reads it (tests, calls made without a request). */
  observation?: RequestObservation | undefined;
}

export type Context = AppDeps &
  Omit<RequestInfo, 'authorization'> & {
    log: Logger;
    /** Claims of a valid bearer token (signature, alg, iss, aud and exp checked), not yet checked for revocation. */
    token: AccessClaims | undefined;
    /** A bearer token was sent but is not valid. */
    tokenInvalid: boolean;
    accessToken: string | undefined;
  };

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;

/** Pure: everything comes in through the arguments, so tests build contexts without HTTP. */
export async function createContextInner(deps: AppDeps, request: RequestInfo): Promise<Context> {
  const { authorization, ...rest } = request;
  const match = authorization ? BEARER.exec(authorization) : null;
  const accessToken = match?.[1];
  // Told apart by their prefix: an access token never starts with `keel_`.
  let token: AccessClaims | undefined;
  if (accessToken) {
    token = isApiKey(accessToken)
      ? await deps.apiKeys.verify(accessToken)
      : await deps.tokens.verifyAccess(accessToken);
  }
  return {
    ...deps,
    ...rest,
    log: deps.logger.child({ requestId: request.requestId }),
    token,
    tokenInvalid: authorization !== undefined && token === undefined,
    accessToken,
  };
}

export const noopResponse: ResponseControl = {
  setHeader() {},
  setRefreshCookie() {},
  clearRefreshCookie() {},
  clearMfaCookie() {},
};
