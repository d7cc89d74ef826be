// The application's error codes (docs/architecture.md#error-codes), mapped once onto tRPC's codes and HTTP statuses.
import { type TRPC_ERROR_CODE_KEY, TRPCError } from '@trpc/server';

export const APP_ERROR_CODES = [
  'VALIDATION_ERROR',
  'BAD_REQUEST',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'EMAIL_NOT_VERIFIED',
  'MFA_REQUIRED',
  'NOT_FOUND',
  'CONFLICT',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
  'TIMEOUT',
  'INTERNAL_ERROR',
] as const;
export type AppErrorCode = (typeof APP_ERROR_CODES)[number];

export interface ErrorDetail {
  field: string;
  message: string;
}

const TRPC_CODE_OF: Record<AppErrorCode, TRPC_ERROR_CODE_KEY> = {
  VALIDATION_ERROR: 'BAD_REQUEST',
  BAD_REQUEST: 'BAD_REQUEST',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  EMAIL_NOT_VERIFIED: 'FORBIDDEN',
  MFA_REQUIRED: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  RATE_LIMITED: 'TOO_MANY_REQUESTS',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  TIMEOUT: 'TIMEOUT',
  INTERNAL_ERROR: 'INTERNAL_SERVER_ERROR',
};

const APP_CODE_OF: Partial<Record<TRPC_ERROR_CODE_KEY, AppErrorCode>> = {
  BAD_REQUEST: 'BAD_REQUEST',
  PARSE_ERROR: 'BAD_REQUEST',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  TOO_MANY_REQUESTS: 'RATE_LIMITED',
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  TIMEOUT: 'TIMEOUT',
  METHOD_NOT_SUPPORTED: 'BAD_REQUEST',
};

export const INTERNAL_MESSAGE = 'Internal server error';

/** A failure the application expects and explains; anything else is reported as INTERNAL_ERROR. */
export class AppError extends TRPCError {
  readonly appCode: AppErrorCode;
  readonly details: ErrorDetail[] | undefined;
  /** Seconds a client should wait before retrying (429 and 503). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: AppErrorCode,
    message: string,
    options: { details?: ErrorDetail[]; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super({ code: TRPC_CODE_OF[code], message, cause: options.cause });
    this.appCode = code;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export const badRequest = (message: string) => new AppError('BAD_REQUEST', message);
export const unauthorized = (message = 'Authentication required') => new AppError('UNAUTHORIZED', message);
export const forbidden = (message = 'You are not allowed to do this') => new AppError('FORBIDDEN', message);
export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} not found`);
export const conflict = (message: string) => new AppError('CONFLICT', message);

interface ZodLikeIssue {
  path: PropertyKey[];
  message: string;
}

function zodIssues(cause: unknown): ZodLikeIssue[] | undefined {
  if (cause && typeof cause === 'object' && 'issues' in cause && Array.isArray(cause.issues)) {
    return cause.issues as ZodLikeIssue[];
  }
  return undefined;
}

export function detailsFromIssues(issues: ZodLikeIssue[]): ErrorDetail[] {
  return issues.map((issue) => ({
    field: issue.path.map(String).join('.') || '(input)',
    message: issue.message,
  }));
}

export interface PublicError {
  code: AppErrorCode;
  message: string;
  details?: ErrorDetail[];
  retryAfterSeconds?: number;
}

/** What a client may see of any error: never a stack, SQL or an unexpected message. */
export function toPublicError(error: TRPCError): PublicError {
  if (error instanceof AppError) {
    return {
      code: error.appCode,
      message: error.message,
      ...(error.details ? { details: error.details } : {}),
      ...(error.retryAfterSeconds !== undefined ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
    };
  }
  const issues = error.code === 'BAD_REQUEST' ? zodIssues(error.cause) : undefined;
  if (issues) return { code: 'VALIDATION_ERROR', message: 'Invalid input', details: detailsFromIssues(issues) };
  const code = APP_CODE_OF[error.code];
  if (!code) return { code: 'INTERNAL_ERROR', message: INTERNAL_MESSAGE };
  return { code, message: error.message };
}

/** PostgreSQL's unique_violation, raised by pg and PGlite alike. */
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}

/** PostgreSQL's check_violation. */
export function isCheckViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23514';
}

const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);
/** PostgreSQL SQLSTATE classes 08 (connection exception) and 57P (operator intervention: shutdown). */
const UNAVAILABLE_SQLSTATE = /^(08|57P)/;
const CONNECTION_MESSAGES =
  /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Connection ended|the database system is (starting up|shutting down)/i;

/**
 * pg's pool waited its whole connection timeout for a busy connection to come back: every
 * connection is in use (overload), while the database itself answers. pg raises this message only
 * for that wait; a new connection that cannot be made fails with a connection error instead.
 */
export function isPoolExhausted(error: unknown): boolean {
  return error instanceof Error && error.message === 'timeout exceeded when trying to connect';
}

/** The database could not be reached: the client gets a 503 to retry, not a 500. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (CONNECTION_ERROR_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) return true;
  return typeof message === 'string' && CONNECTION_MESSAGES.test(message);
}
