// Serves the built dashboard (apps/web/dist) at / with a fallback to index.html for client-side routes.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where `pnpm build` leaves the dashboard, relative to this file in src/ or dist/. */
export const DEFAULT_WEB_DIST = resolve(import.meta.dirname, '../../web/dist');

const API_PREFIXES = ['/trpc', '/api', '/health', '/metrics', '/openapi.json', '/docs'];

/** A URL's path, without the query string. */
export function pathOf(url: string): string {
  const queryAt = url.indexOf('?');
  return queryAt === -1 ? url : url.slice(0, queryAt);
}

/**
 * The path of a request URL as the router matches it: without the query string and percent-decoded,
 * so that `/%74rpc/auth.me` is `/trpc/auth.me` (the raw URL as it came when it does not decode).
 */
export function decodedPath(url: string): string {
  const path = pathOf(url);
  if (!path.includes('%')) return path;
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** Whether a decoded path, or a route pattern (`/trpc/:path`), is one of the API's rather than the dashboard's. */
export function isApiRoute(path: string): boolean {
  return API_PREFIXES.some(
    (prefix) => path.startsWith(prefix) && (path.length === prefix.length || path[prefix.length] === '/'),
  );
}

/** Whether `url` (raw, as received) routes to the API rather than to the dashboard. */
export function isApiPath(url: string): boolean {
  return isApiRoute(decodedPath(url));
}

/** Registers the dashboard when its build exists; returns whether it did. */
export async function registerDashboard(app: FastifyInstance, dir: string): Promise<boolean> {
  if (!existsSync(join(dir, 'index.html'))) return false;
  await app.register(fastifyStatic, {
    root: dir,
    prefix: '/',
    wildcard: false,
    // Hashed assets never change; index.html must always be fresh to pick up a new build.
    setHeaders(reply, path) {
      reply.header('cache-control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  return true;
}
