// The REST surface /api/*: one Fastify route per procedure whose `openapi` meta declares it (the
// same meta trpc-to-openapi turns into /openapi.json), answered by calling that procedure, so
// auth, roles, rate limits and validation are the procedure's own.
//
// trpc-to-openapi's own HTTP handler is not used: to read query strings it sets `coerce` on the
// number fields of the procedure's zod schema in place, which would make the tRPC wire accept
// `"5"` (or `true`) for a number from then on; and its Fastify adapter rewrites `request.url`.
import { appRouter, createCallerFactory } from '@keel/api/server';
import type { FastifyInstance } from 'fastify';
import { forEachOpenApiProcedure, instanceofZodTypeKind, normalizePath, unwrapZodType } from 'trpc-to-openapi';
import type { ZodType } from 'zod';
import type { ContextFactory } from './http/context.js';
import { sendProcedureError } from './http/errors.js';
import { requireJsonBody } from './http/json-body.js';

export const REST_PREFIX = '/api';

export interface RestOptions {
  /** Builds the procedure context exactly as the tRPC adapter does. */
  createContext: ContextFactory;
}

type FieldKind = 'number' | 'boolean';

/**
 * Which top-level input fields are numbers or booleans: a query string carries only strings, so
 * those are converted before validation (only when they look like one, so that zod still reports
 * `abc` as not a number). Reads the schema, never changes it.
 */
function queryFieldKinds(input: ZodType | undefined): Map<string, FieldKind> {
  const kinds = new Map<string, FieldKind>();
  if (!input) return kinds;
  const object = unwrapZodType(input, true);
  if (!instanceofZodTypeKind(object, 'object')) return kinds;
  for (const [key, field] of Object.entries((object as unknown as { shape: Record<string, ZodType> }).shape)) {
    const inner = unwrapZodType(field, false);
    if (instanceofZodTypeKind(inner, 'number')) kinds.set(key, 'number');
    else if (instanceofZodTypeKind(inner, 'boolean')) kinds.set(key, 'boolean');
  }
  return kinds;
}

const NUMERIC = /^-?\d+(\.\d+)?$/;

function fromQuery(query: Record<string, unknown>, kinds: Map<string, FieldKind>): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(query)) {
    const kind = kinds.get(key);
    if (typeof value === 'string' && kind === 'number' && NUMERIC.test(value)) input[key] = Number(value);
    else if (typeof value === 'string' && kind === 'boolean' && (value === 'true' || value === 'false')) {
      input[key] = value === 'true';
    } else input[key] = value;
  }
  return input;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/** Registers every `openapi` procedure under /api, with conventional verbs and paths. */
export async function registerRest(app: FastifyInstance, { createContext }: RestOptions): Promise<void> {
  const createCaller = createCallerFactory(appRouter);
  await app.register(
    async (scope) => {
      // The CSRF guard /trpc uses: a body comes as application/json or the call is refused.
      scope.addHook('onRequest', requireJsonBody);
      // The guard asks every POST for application/json, also one without input (`auth/logout-all`):
      // an empty body is then no input, as on /trpc, instead of Fastify's "body cannot be empty".
      const parseJson = scope.getDefaultJsonParser('error', 'error');
      scope.removeContentTypeParser('application/json');
      scope.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body: string, done) => {
        if (body === '') done(null, undefined);
        else void parseJson(request, body, done);
      });

      forEachOpenApiProcedure(appRouter._def.procedures, ({ path, type, procedure, meta }) => {
        if (type === 'subscription') return;
        const { method } = meta.openapi;
        const inputs = (procedure._def as unknown as { inputs: ZodType[] }).inputs;
        const hasInput = inputs.length > 0;
        const kinds = queryFieldKinds(inputs[0]);
        scope.route({
          method,
          // `/projects/{id}` → `/projects/:id`
          url: normalizePath(meta.openapi.path).replace(/\{(\w+)\}/g, ':$1'),
          handler: async (request, reply) => {
            const params = request.params as Record<string, string>;
            let input: unknown;
            if (!hasInput) input = undefined;
            else if (WITH_BODY.has(method)) {
              const body = request.body;
              if (Object.keys(params).length === 0) input = body;
              else input = body === undefined || isPlainObject(body) ? { ...body, ...params } : body;
            } else input = { ...fromQuery(request.query as Record<string, unknown>, kinds), ...params };

            const ctx = await createContext(request, reply);
            const call = path
              .split('.')
              .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], createCaller(ctx)) as (
              input: unknown,
            ) => Promise<unknown>;
            try {
              return reply.send(await call(input));
            } catch (cause) {
              return sendProcedureError(request, reply, cause);
            }
          },
        });
      });
    },
    { prefix: REST_PREFIX },
  );
}
