// The request context: dependencies passed in by the host, plus what this one request carries.

import type { DB } from '@keel/db';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { EventBus } from './common/events.js';
import type { PasswordHasher } from './common/hash.js';
import type { RateLimiter } from './common/rate-limit.js';
import type { SessionStateStore } from './common/session-state.js';
import type { AccessClaims, TokenService } from './common/tokens.js';
import type { ApiConfig } from './config.js';

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
  /** The host's hook around every procedure call (tracing, metrics, the request log line); optional. */
  observeProcedure?: ProcedureObserver;
}

export interface ProcedureCall {
  /** Dotted procedure path, e.g. `projects.list`. */
  path: string;
  type: 'query' | 'mutation' | 'subscription';
  /** Subject of the bearer token, when one was sent and verified (not yet checked for revocation). */
  userId: string | undefined;
}

/**
 * Wraps one procedure call, tRPC and REST alike: `run` resolves to the call's result, which the
 * observer must return unchanged.
 */
export type ProcedureObserver = <T extends { ok: boolean; error?: unknown }>(
  call: ProcedureCall,
  run: () => Promise<T>,
) => Promise<T>;

/** How a procedure talks back to the HTTP response: headers and the refresh cookie. */
export interface ResponseControl {
  setHeader(name: string, value: string): void;
  setRefreshCookie(token: string, maxAgeSeconds: number): void;
  clearRefreshCookie(): void;
}

export interface RequestInfo {
  requestId: string;
  ip: string;
  userAgent: string | null;
  /** The raw `Authorization` header. */
  authorization: string | undefined;
  /** The `keel_rt` cookie, when the client sent one. */
  refreshCookie: string | undefined;
  response: ResponseControl;
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
  const token = accessToken ? await deps.tokens.verifyAccess(accessToken) : undefined;
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
};
