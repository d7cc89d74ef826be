import { type TRPC_ERROR_CODE_KEY, TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  AppError,
  badRequest,
  conflict,
  forbidden,
  INTERNAL_MESSAGE,
  isCheckViolation,
  isDatabaseUnavailable,
  isUniqueViolation,
  notFound,
  toPublicError,
  unauthorized,
} from './errors.js';

describe('toPublicError', () => {
  it.each([
    [badRequest('Insufficient credits'), 'BAD_REQUEST', 'Insufficient credits'],
    [unauthorized(), 'UNAUTHORIZED', 'Authentication required'],
    [forbidden(), 'FORBIDDEN', 'You are not allowed to do this'],
    [notFound('Project'), 'NOT_FOUND', 'Project not found'],
    [conflict('Email is already registered'), 'CONFLICT', 'Email is already registered'],
  ])('an application error keeps its code and message (%#)', (error, code, message) => {
    expect(toPublicError(error)).toEqual({ code, message });
  });

  it('an application error carries its field details and retry delay to the client', () => {
    const error = new AppError('RATE_LIMITED', 'Too many requests', {
      details: [{ field: 'email', message: 'slow down' }],
      retryAfterSeconds: 42,
    });
    expect(toPublicError(error)).toEqual({
      code: 'RATE_LIMITED',
      message: 'Too many requests',
      details: [{ field: 'email', message: 'slow down' }],
      retryAfterSeconds: 42,
    });
  });

  it('a schema failure becomes VALIDATION_ERROR listing every failing field by its path', () => {
    const schema = z.object({ email: z.email(), profile: z.object({ age: z.number() }) });
    const parsed = schema.safeParse({ email: 'nope', profile: { age: 'old' } });
    const error = new TRPCError({ code: 'BAD_REQUEST', cause: parsed.error });
    const result = toPublicError(error);
    expect(result.code).toBe('VALIDATION_ERROR');
    expect(result.message).toBe('Invalid input');
    expect(result.details?.map((detail) => detail.field)).toEqual(['email', 'profile.age']);
  });

  it('a schema failure of the whole input is reported against "(input)"', () => {
    const parsed = z.object({ a: z.string() }).safeParse('not an object');
    const result = toPublicError(new TRPCError({ code: 'BAD_REQUEST', cause: parsed.error }));
    expect(result.details).toEqual([{ field: '(input)', message: expect.any(String) }]);
  });

  it.each([
    ['BAD_REQUEST', 'BAD_REQUEST'],
    ['PARSE_ERROR', 'BAD_REQUEST'],
    ['METHOD_NOT_SUPPORTED', 'BAD_REQUEST'],
    ['UNAUTHORIZED', 'UNAUTHORIZED'],
    ['FORBIDDEN', 'FORBIDDEN'],
    ['NOT_FOUND', 'NOT_FOUND'],
    ['CONFLICT', 'CONFLICT'],
    ['PAYLOAD_TOO_LARGE', 'PAYLOAD_TOO_LARGE'],
    ['UNSUPPORTED_MEDIA_TYPE', 'UNSUPPORTED_MEDIA_TYPE'],
    ['TOO_MANY_REQUESTS', 'RATE_LIMITED'],
    ['SERVICE_UNAVAILABLE', 'SERVICE_UNAVAILABLE'],
    ['TIMEOUT', 'TIMEOUT'],
  ] as [TRPC_ERROR_CODE_KEY, string][])('tRPC %s is reported as %s with its message', (trpcCode, appCode) => {
    expect(toPublicError(new TRPCError({ code: trpcCode, message: 'told by tRPC' }))).toEqual({
      code: appCode,
      message: 'told by tRPC',
    });
  });

  it.each(['INTERNAL_SERVER_ERROR', 'NOT_IMPLEMENTED', 'CLIENT_CLOSED_REQUEST'] as TRPC_ERROR_CODE_KEY[])(
    'an unexpected %s shows only "Internal server error", never its own message',
    (trpcCode) => {
      const error = new TRPCError({
        code: trpcCode,
        message: 'relation "users" does not exist at character 15',
        cause: new Error('select * from users'),
      });
      expect(toPublicError(error)).toEqual({ code: 'INTERNAL_ERROR', message: INTERNAL_MESSAGE });
      expect(INTERNAL_MESSAGE).toBe('Internal server error');
    },
  );

  it('a BAD_REQUEST whose cause has no issues keeps BAD_REQUEST', () => {
    const error = new TRPCError({ code: 'BAD_REQUEST', message: 'Bad batch', cause: new Error('x') });
    expect(toPublicError(error)).toEqual({ code: 'BAD_REQUEST', message: 'Bad batch' });
  });
});

describe('database error classification', () => {
  it.each([
    [{ code: '23505' }, true],
    [{ code: '23514' }, false],
    [{ code: 23505 }, false],
    [null, false],
    ['23505', false],
  ])('isUniqueViolation(%j) is %s', (error, expected) => {
    expect(isUniqueViolation(error)).toBe(expected);
  });

  it.each([
    [{ code: '23514' }, true],
    [{ code: '23505' }, false],
    [undefined, false],
  ])('isCheckViolation(%j) is %s', (error, expected) => {
    expect(isCheckViolation(error)).toBe(expected);
  });

  it.each([
    [{ code: 'ECONNREFUSED' }, true],
    [{ code: 'ECONNRESET' }, true],
    [{ code: 'ETIMEDOUT' }, true],
    [{ code: '08006' }, true],
    [{ code: '57P01' }, true],
    [{ message: 'Connection terminated unexpectedly' }, true],
    [{ message: 'timeout exceeded when trying to connect' }, true],
    [{ message: 'the database system is shutting down' }, true],
    [{ code: '23505', message: 'duplicate key value violates unique constraint' }, false],
    [{ code: '42P01', message: 'relation "x" does not exist' }, false],
    [new Error('something else'), false],
    [null, false],
    ['ECONNREFUSED', false],
  ])('isDatabaseUnavailable(%j) is %s', (error, expected) => {
    expect(isDatabaseUnavailable(error)).toBe(expected);
  });
});
