// Reading the server's error envelope: codes, field details, the message shown, and form validation.
import { LoginInput } from '@keel/api/schemas';
import { describe, expect, it } from 'vitest';
import { apiError } from '../testing/fixtures.js';
import { errorCode, errorMessage, fieldErrorsOf, formErrorsOf, isApiError, retryTime, validate } from './errors.js';

const validation = apiError('Invalid input', {
  code: 'VALIDATION_ERROR',
  details: [
    { field: 'email', message: 'Invalid email format' },
    { field: 'email', message: 'second message' },
    { field: 'password', message: 'Too short' },
  ],
});

describe('errors', () => {
  it('tells an API error from any other', () => {
    expect(isApiError(validation)).toBe(true);
    expect(isApiError(new Error('x'))).toBe(false);
    expect(errorCode(validation)).toBe('VALIDATION_ERROR');
    expect(errorCode(new Error('x'))).toBeUndefined();
  });

  it('keys the details by field, first message first', () => {
    expect(fieldErrorsOf(validation)).toEqual({ email: 'Invalid email format', password: 'Too short' });
    expect(fieldErrorsOf(new Error('x'))).toEqual({});
    expect(fieldErrorsOf(apiError('Nope', { code: 'CONFLICT' }))).toEqual({});
  });

  it.each([
    ['a plain Error', new Error('boom'), 'boom'],
    ['anything else', 'boom', 'Something went wrong'],
    ['no answer from the server', apiError('fetch failed', {}), 'fetch failed'],
    [
      'an internal error with its request id',
      apiError('x', { code: 'INTERNAL_ERROR', requestId: 'req-1' }),
      'Something went wrong on the server (request req-1).',
    ],
    ['an internal error without one', apiError('x', { code: 'INTERNAL_ERROR' }), 'Something went wrong on the server.'],
    [
      'a rate limit',
      apiError('x', { code: 'RATE_LIMITED', retryAfter: 7 }),
      'Too many requests; try again in 7 seconds.',
    ],
    [
      'a sign-in lockout, in minutes',
      apiError('x', { code: 'RATE_LIMITED', retryAfter: 900 }),
      'Too many requests; try again in 15 minutes.',
    ],
    [
      'a rate limit without a delay',
      apiError('x', { code: 'RATE_LIMITED' }),
      'Too many requests; try again in a few seconds.',
    ],
    ['a validation error', validation, 'Please fix the highlighted fields.'],
    ['any other code', apiError('Project not found', { code: 'NOT_FOUND' }), 'Project not found'],
  ])('the message for %s', (_what, error, message) => {
    expect(errorMessage(error)).toBe(message);
  });

  it('says when to try again: seconds, minutes, or beyond an hour the time of day', () => {
    const now = new Date(2026, 11, 2, 13, 5, 0);
    expect(retryTime(1, now)).toBe('in 1 second');
    expect(retryTime(59, now)).toBe('in 59 seconds');
    expect(retryTime(61, now)).toBe('in 2 minutes');
    expect(retryTime(3600, now)).toBe('in 60 minutes');
    const at = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' }).format(
      new Date(2026, 11, 2, 15, 5, 0),
    );
    expect(retryTime(7200, now)).toBe(`at ${at}`);
  });

  it('says the server is unreachable when the error carries no envelope', () => {
    const error = apiError('x', {});
    Object.defineProperty(error, 'data', { value: undefined });
    expect(errorMessage(error)).toBe('Could not reach the server. Check your connection and try again.');
  });

  it('validates with the server schema, messages keyed by field path', () => {
    expect(validate(LoginInput, { email: 'a@example.com', password: 'x' })).toMatchObject({ ok: true });
    const result = validate(LoginInput, { email: 'nope', password: '' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(Object.keys(result.errors)).toContain('email');
  });

  it('places server errors next to their fields, or above the form', () => {
    expect(formErrorsOf(validation)).toEqual({ email: 'Invalid email format', password: 'Too short' });
    // A detail-less error about one field goes next to it.
    expect(formErrorsOf(apiError('Name taken', { code: 'CONFLICT' }), { CONFLICT: 'name' })).toEqual({
      name: 'Name taken',
    });
    // Any other error is one message for the whole form.
    expect(formErrorsOf(apiError('Too late', { code: 'FORBIDDEN' }), { CONFLICT: 'name' })).toEqual({ '': 'Too late' });
    expect(formErrorsOf(new Error('offline'))).toEqual({ '': 'offline' });
    expect(formErrorsOf(apiError('Invalid input', { code: 'VALIDATION_ERROR', details: [] }))).toEqual({
      '': 'Please fix the highlighted fields.',
    });
  });
});
