// The procedure context of an HTTP request, built the same way for /trpc, /api and the audit
// export: what a procedure needs of the request, a handle on the response, and the request's
// observation, which the host reads once the response is sent (../observability.ts).
import { isIP } from 'node:net';
import {
  type AppDeps,
  type Context,
  createContextInner,
  type ProcedureTracer,
  type RequestInfo,
  type RequestObservation,
  type ResponseControl,
} from '@keel/api/server';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ServerConfig } from '../config.js';

export const REFRESH_COOKIE = 'keel_rt';
/** The refresh cookie only travels to the routes that use it: refresh and logout, on /trpc and /api. */
export const REFRESH_COOKIE_PATHS = ['/trpc/auth.refresh', '/trpc/auth.logout', '/api/auth'];

/**
 * The challenge of the code step after a single sign-on (oidc.ts sets it, `auth.mfa.verify` reads
 * it): on every path, since the sign-in page sends the code to /trpc (or /api).
 */
export const MFA_COOKIE = 'keel_mfa';
/** The code step's challenge lives five minutes on the server: the cookie that names it no longer. */
const MFA_COOKIE_TTL_SECONDS = 5 * 60;

/** Lax, so that the redirect's navigation and the sign-in page's own calls carry it. */
const mfaCookieOptions = (secure: boolean) => ({ httpOnly: true, secure, sameSite: 'lax' as const, path: '/' });

/** Hands the browser the challenge of the code step after a single sign-on (never in the address). */
export function setMfaCookie(reply: FastifyReply, mfaToken: string, secure: boolean): void {
  reply.setCookie(MFA_COOKIE, mfaToken, { ...mfaCookieOptions(secure), maxAge: MFA_COOKIE_TTL_SECONDS });
}

export type ContextFactory = (request: FastifyRequest, reply: FastifyReply) => Promise<Context>;

/** A stored client address is always an IP: what a trusted proxy forwarded when it is one, else the peer's. */
function clientIp(req: FastifyRequest): string {
  if (isIP(req.ip) !== 0) return req.ip;
  return req.socket.remoteAddress ?? '';
}

/** One context factory for every route that calls procedures. */
export function contextFactory(
  deps: AppDeps,
  config: ServerConfig,
  trace: ProcedureTracer | undefined,
): ContextFactory {
  return (request, reply) => createContextInner(deps, requestInfo(request, reply, config, trace));
}

/** What a procedure needs of the HTTP request (tRPC and REST build their context from it alike). */
function requestInfo(
  req: FastifyRequest,
  reply: FastifyReply,
  config: ServerConfig,
  trace: ProcedureTracer | undefined,
): RequestInfo {
  const secure = config.NODE_ENV === 'production';
  const response: ResponseControl = {
    setHeader: (name, value) => void reply.header(name, value),
    setRefreshCookie(token, maxAgeSeconds) {
      for (const path of REFRESH_COOKIE_PATHS) {
        reply.setCookie(REFRESH_COOKIE, token, {
          httpOnly: true,
          secure,
          sameSite: 'strict',
          path,
          maxAge: maxAgeSeconds,
        });
      }
    },
    clearRefreshCookie() {
      for (const path of REFRESH_COOKIE_PATHS) {
        reply.clearCookie(REFRESH_COOKIE, { httpOnly: true, secure, sameSite: 'strict', path });
      }
    },
    clearMfaCookie() {
      reply.clearCookie(MFA_COOKIE, mfaCookieOptions(secure));
    },
  };
  const observation: RequestObservation = { calls: [], userId: undefined, trace };
  req.observation = observation;
  return {
    requestId: req.id,
    ip: clientIp(req),
    userAgent: req.headers['user-agent'] ?? null,
    authorization: req.headers.authorization,
    refreshCookie: req.cookies[REFRESH_COOKIE],
    mfaCookie: req.cookies[MFA_COOKIE],
    response,
    observation,
  };
}
