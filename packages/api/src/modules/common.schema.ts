// The one file of shapes shared by every module: the `text()` every string input starts from, ids,
// names, the success answer, offset pages and cursor pages. A shape one module owns lives in that
// module's schema (`User` and `RoleSchema` in users.schema.ts).
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

/** A person's or a thing's display name: required, trimmed, at most 100 characters. */
export const NameInput = text({ error: 'Name is required' })
  .trim()
  .min(1, 'Name is required')
  .max(100, 'Name must be at most 100 characters');

/** The answer of a mutation that has nothing else to say. */
export const Success = z.object({ success: z.literal(true) });

/** `{ days = 30 (7..90) }`: how many UTC days a daily series covers, today included; the input may be left out. */
export const DayRangeInput = z
  .object({
    days: z
      .number({ error: 'Days must be a number' })
      .int('Days must be a whole number')
      .min(7, 'Days must be at least 7')
      .max(90, 'Days must be at most 90')
      .default(30),
  })
  .prefault({});
export type DayRangeInput = z.output<typeof DayRangeInput>;

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
