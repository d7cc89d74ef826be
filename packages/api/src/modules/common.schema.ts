// Shapes shared by every module: pagination, cursors, ids.
import { z } from 'zod';

export const IdInput = z.object({ id: z.uuid({ error: 'Invalid id' }) });

/** `{ page = 1, limit = 20 (1..100) }` plus a module's own `sort` enum. */
export const PageInput = z.object({
  page: z.number().int().min(1).max(100_000).default(1),
  limit: z.number().int().min(1).max(100).default(20),
});

export const CursorInput = z.object({
  cursor: z.string().max(100).optional(),
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

export const SearchText = z.string().trim().max(100);
