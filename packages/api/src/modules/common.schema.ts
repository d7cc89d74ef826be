// Shapes shared by every module: pagination, cursors, ids.
import { z } from 'zod';

/** Why a string input was refused: PostgreSQL could not store it. */
export const UNSTORABLE_TEXT_MESSAGE = 'Must not contain NUL characters or unpaired UTF-16 surrogates';

/**
 * In a `u` regex a surrogate pair is one code point, so only an unpaired half matches `\p{Cs}`: the
 * test `String.prototype.isWellFormed` makes, which the web app (sharing these schemas) cannot
 * count on in every browser it supports.
 */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Text PostgreSQL can store: its `text` type refuses U+0000, and a lone surrogate has no UTF-8
 * form, so either would reach the database and fail there as a 500.
 */
export function isStorableText(value: string): boolean {
  return !value.includes('\u0000') && !LONE_SURROGATE.test(value);
}

/**
 * Every string input starts here (`text().trim().max(…)`), so text PostgreSQL cannot store is a
 * 400 naming the field. Checked first and alone (`abort`): the client reads why, and later checks
 * (an email or URL format, a normalizing transform) never see such a value.
 */
export function text(params?: Parameters<typeof z.string>[0]) {
  return z.string(params).refine(isStorableText, { message: UNSTORABLE_TEXT_MESSAGE, abort: true });
}

export const IdInput = z.object({ id: z.uuid({ error: 'Invalid id' }) });

/** `{ page = 1, limit = 20 (1..100) }` plus a module's own `sort` enum. */
export const PageInput = z.object({
  page: z.number().int().min(1).max(100_000).default(1),
  limit: z.number().int().min(1).max(100).default(20),
});

export const CursorInput = z.object({
  cursor: text().max(100).optional(),
  limit: z.number().int().min(1).max(100).default(50),
});

export function paginated<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number(),
    page: z.number(),
    limit: z.number(),
    totalPages: z.number(),
  });
}

export function cursorPage<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

export const SearchText = text().trim().max(100);
