// Reading the server's error envelope (docs/architecture.md#error-codes): the application code, field details, a message to show.
import type { AppRouter } from '@keel/api';
import { TRPCClientError } from '@trpc/client';
import type { z } from 'zod';
import { formatCount } from './format.js';

export type ApiError = TRPCClientError<AppRouter>;

/** Messages by field name; the key `''` holds what belongs to no field. */
export type FieldErrors = Record<string, string>;

export function isApiError(error: unknown): error is ApiError {
  return error instanceof TRPCClientError;
}

export function errorCode(error: unknown) {
  return isApiError(error) ? error.data?.code : undefined;
}

/** Every `details[{field, message}]` of a VALIDATION_ERROR, keyed by field (first message wins). */
export function fieldErrorsOf(error: unknown): FieldErrors {
  const errors: FieldErrors = {};
  if (!isApiError(error)) return errors;
  for (const detail of error.data?.details ?? []) {
    errors[detail.field] ??= detail.message;
  }
  return errors;
}

const timeOfDay = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });

/** When a refused call may be made again: "in 7 seconds", "in 15 minutes", or the time of day beyond an hour. */
export function retryTime(seconds: number, now: Date = new Date()): string {
  if (seconds < 60) return `in ${formatCount(seconds, 'second')}`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes <= 60) return `in ${formatCount(minutes, 'minute')}`;
  return `at ${timeOfDay.format(new Date(now.getTime() + seconds * 1000))}`;
}

/** One line a person can act on; INTERNAL_ERROR carries the request id to quote to support. */
export function errorMessage(error: unknown): string {
  if (!isApiError(error)) return error instanceof Error ? error.message : 'Something went wrong';
  const data = error.data;
  if (!data) return 'Could not reach the server. Check your connection and try again.';
  switch (data.code) {
    case 'INTERNAL_ERROR':
      return `Something went wrong on the server${data.requestId ? ` (request ${data.requestId})` : ''}.`;
    case 'RATE_LIMITED':
      return `Too many requests; try again ${data.retryAfter ? retryTime(data.retryAfter) : 'in a few seconds'}.`;
    case 'VALIDATION_ERROR':
      return 'Please fix the highlighted fields.';
    default:
      return error.message;
  }
}

export type Validation<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors };

/** Runs the same zod schema the server runs, so the form refuses what the server would refuse. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): Validation<z.output<S>> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    errors[issue.path.map(String).join('.')] ??= issue.message;
  }
  return { ok: false, errors };
}

type AppErrorCode = NonNullable<ReturnType<typeof errorCode>>;

/**
 * Field errors from the server, plus a form-level message when the error belongs to no field.
 * `fieldOf` places a detail-less error next to the field it is about (a CONFLICT on sign-up is
 * the email, on a project the name).
 */
export function formErrorsOf(error: unknown, fieldOf: Partial<Record<AppErrorCode, string>> = {}): FieldErrors {
  const errors = fieldErrorsOf(error);
  const code = errorCode(error);
  const field = code ? fieldOf[code] : undefined;
  if (field && isApiError(error)) errors[field] ??= error.message;
  else if (Object.keys(errors).length === 0 || code !== 'VALIDATION_ERROR') errors[''] = errorMessage(error);
  return errors;
}
