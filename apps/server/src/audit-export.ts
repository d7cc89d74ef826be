// GET /api/admin/audit.csv: the filtered audit log as a CSV download, streamed as it is read.
//
// A plain Fastify route, not a REST procedure: trpc-to-openapi answers JSON only. It still goes
// through a procedure (`admin.audit.export` of `adminHostRouter`, never served on /trpc), so the
// caller is authenticated, authorised as ADMIN, rate limited and observed as on /api, and every
// refusal is the /api error envelope. Once the first byte is out, a failure can only cut the
// download short: the connection is destroyed, so the client sees an incomplete transfer rather
// than a file that looks whole.
import { Readable } from 'node:stream';
import { adminHostRouter, createCallerFactory } from '@keel/api/server';
import type { FastifyInstance } from 'fastify';
import type { ContextFactory } from './http/context.js';
import { sendProcedureError } from './http/errors.js';
import { REST_PREFIX } from './rest.js';

export const AUDIT_EXPORT_PATH = `${REST_PREFIX}/admin/audit.csv`;

export interface AuditExportRouteOptions {
  /** Builds the procedure context exactly as the tRPC adapter and /api do. */
  createContext: ContextFactory;
}

export async function registerAuditExport(app: FastifyInstance, { createContext }: AuditExportRouteOptions) {
  const createCaller = createCallerFactory(adminHostRouter);
  // No automatic HEAD route: it would run the export (and record it) to send no body.
  app.get(AUDIT_EXPORT_PATH, { exposeHeadRoute: false }, async (request, reply) => {
    const ctx = await createContext(request, reply);
    // The query string is checked by the procedure's own input schema (AuditExportInput).
    const caller = createCaller(ctx);
    let exported: Awaited<ReturnType<typeof caller.admin.audit.export>>;
    try {
      exported = await caller.admin.audit.export(request.query as Parameters<typeof caller.admin.audit.export>[0]);
    } catch (cause) {
      return sendProcedureError(request, reply, cause);
    }
    const { chunks } = exported;
    async function* logged() {
      try {
        yield* chunks;
      } catch (error) {
        request.log.error({ err: error }, 'audit export failed after it started');
        throw error;
      }
    }
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${exported.filename}"`)
      .send(Readable.from(logged(), { objectMode: false }));
  });
}
