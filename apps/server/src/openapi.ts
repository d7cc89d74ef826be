// /openapi.json, generated from the procedures' `openapi` meta by trpc-to-openapi, and /docs, an
// API reference (Swagger UI from the swagger-ui-dist package) rendered from it, with no CDN.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import fastifyStatic from '@fastify/static';
import { APP_ERROR_CODES, appRouter } from '@keel/api/server';
import type { FastifyInstance } from 'fastify';
import { generateOpenApiDocument, type OpenAPIObject } from 'trpc-to-openapi';
import { REST_PREFIX } from './rest.js';

/** index.html and init.js of /docs, relative to this file in src/ or dist/. */
const DOCS_DIR = resolve(import.meta.dirname, '../public/docs');
const SWAGGER_UI_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
/** The only files /docs/* serves (swagger-ui-dist also ships a demo page that loads a remote document). */
const DOCS_ASSETS = new Set(['/init.js', '/swagger-ui.css', '/swagger-ui-bundle.js', '/favicon-32x32.png']);

/** What each error status means on this API (docs/architecture.md#error-codes). */
const ERROR_STATUSES: Record<string, string> = {
  400: 'VALIDATION_ERROR (input fails its schema; `details` lists every field) or BAD_REQUEST (a business rule refuses)',
  401: 'UNAUTHORIZED: no, bad, expired or revoked token; wrong credentials',
  403: 'FORBIDDEN: authenticated but not allowed (role, ownership, disabled account)',
  404: 'NOT_FOUND: no such resource',
  409: 'CONFLICT: unique clash, idempotency key reused with another payload',
  413: 'PAYLOAD_TOO_LARGE: body over 1 MiB',
  415: 'UNSUPPORTED_MEDIA_TYPE: a body that is not application/json',
  429: 'RATE_LIMITED: over a limit; see Retry-After',
  500: 'INTERNAL_ERROR: message is exactly "Internal server error"',
  503: 'SERVICE_UNAVAILABLE: too many sign-ins at once; see Retry-After',
};
/** Statuses every route can answer (every procedure is rate limited). */
const ALWAYS = ['429', '500'];
const MUTATING = new Set(['post', 'put', 'patch']);

type SchemaObject = NonNullable<NonNullable<OpenAPIObject['components']>['schemas']>[string];

const ERROR_ENVELOPE: SchemaObject = {
  type: 'object',
  description: 'Every error of the REST surface: the application code, a message, field details, and the request id',
  required: ['error', 'meta'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: [...APP_ERROR_CODES] },
        message: { type: 'string' },
        details: {
          type: 'array',
          items: {
            type: 'object',
            required: ['field', 'message'],
            properties: { field: { type: 'string' }, message: { type: 'string' } },
          },
        },
      },
    },
    meta: {
      type: 'object',
      required: ['timestamp', 'path', 'requestId'],
      properties: {
        timestamp: { type: 'string', format: 'date-time' },
        path: { type: 'string' },
        requestId: { type: 'string', description: 'Also in the x-request-id header' },
      },
    },
  },
};

const REQUEST_ID_HEADER = {
  description: 'The request id (an incoming well-formed one is kept); on every log line of this request',
  schema: { type: 'string' },
};

type Operation = {
  responses?: Record<string, { description?: string; content?: unknown; headers?: unknown }>;
  security?: unknown[];
};

/** The document's tags, in order, with what each groups. */
const TAGS = [
  { name: 'auth', description: 'Registration, sign-in, token refresh, sign-out, sessions and password changes' },
  { name: 'users', description: "The signed-in user's profile" },
  {
    name: 'projects',
    description: "Projects: create, read, update, delete and list the caller's own (all of them for admins)",
  },
  { name: 'credits', description: 'Credit balance, transfers between users and the ledger history' },
];

/** Every operation of the document, with its method. */
function operationsOf(document: OpenAPIObject): [method: string, operation: Operation][] {
  return Object.values(document.paths ?? {}).flatMap((item) => Object.entries(item as Record<string, Operation>));
}

/**
 * trpc-to-openapi documents its own error body; this API answers with its own REST envelope, so
 * every error response points at one `ErrorEnvelope` schema instead.
 */
function withErrorEnvelope(document: OpenAPIObject): OpenAPIObject {
  const schemas = Object.fromEntries(
    Object.entries(document.components?.schemas ?? {}).filter(([name]) => !name.startsWith('error.')),
  );
  document.components = { ...document.components, schemas: { ...schemas, ErrorEnvelope: ERROR_ENVELOPE } };
  const errorResponse = (status: string) => ({
    description: ERROR_STATUSES[status] ?? 'Error',
    headers: { 'x-request-id': REQUEST_ID_HEADER },
    content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorEnvelope' } } },
  });
  for (const [method, operation] of operationsOf(document)) {
    const responses = operation.responses ?? {};
    const statuses = new Set([...Object.keys(responses).filter((s) => Number(s) >= 400), ...ALWAYS]);
    if (MUTATING.has(method)) for (const status of ['413', '415']) statuses.add(status);
    for (const status of statuses) responses[status] = errorResponse(status);
    const ok = responses['200'];
    if (ok) ok.headers = { 'x-request-id': REQUEST_ID_HEADER };
    operation.responses = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => Number(a) - Number(b)));
  }
  return document;
}

export function buildOpenApiDocument(): OpenAPIObject {
  return described(
    withErrorEnvelope(
      generateOpenApiDocument(appRouter, {
        title: 'Keel API',
        version: '1.0.0',
        description:
          'The REST surface of Keel: the public procedures of auth, users, projects and credits. ' +
          'Authenticate with `Authorization: Bearer <accessToken>`; the refresh token travels in the body or the `keel_rt` cookie.',
        baseUrl: REST_PREFIX,
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        tags: TAGS.map((tag) => tag.name),
      }),
    ),
  );
}

/** The generated document, with tag descriptions, the license, and public operations saying they are. */
function described(document: OpenAPIObject): OpenAPIObject {
  document.tags = TAGS;
  // trpc-to-openapi gives protected operations their bearerAuth and public ones nothing, which a
  // client cannot tell from "whatever the document's default is".
  for (const [, operation] of operationsOf(document)) operation.security ??= [];
  document.info.license = { name: 'Proprietary: for use within the organisation that runs this server', url: '/docs' };
  return document;
}

/** GET /openapi.json and the reference page at /docs. */
export async function registerApiDocs(app: FastifyInstance): Promise<void> {
  // Built once at start: a procedure whose meta cannot be documented stops the server, not a client.
  const document = JSON.stringify(buildOpenApiDocument());
  const page = readFileSync(resolve(DOCS_DIR, 'index.html'), 'utf8');
  app.get('/openapi.json', async (_request, reply) => reply.type('application/json').send(document));
  app.get('/docs', async (_request, reply) => reply.type('text/html; charset=utf-8').send(page));
  await app.register(async (scope) => {
    await scope.register(fastifyStatic, {
      root: [DOCS_DIR, SWAGGER_UI_DIR],
      prefix: '/docs/',
      decorateReply: false,
      index: false,
      allowedPath: (pathName) => DOCS_ASSETS.has(pathName),
    });
  });
}
