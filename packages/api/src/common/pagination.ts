// Page and cursor arithmetic shared by the list procedures.
import { AppError } from './errors.js';

export function toPage<T>(items: T[], total: number, page: number, limit: number) {
  return { items, total, page, limit, totalPages: Math.ceil(total / limit) };
}

/** Cursors are opaque to clients: the base64url of the last row's sequence number. */
export function encodeCursor(seq: number | string): string {
  return Buffer.from(String(seq), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string | undefined): number | undefined {
  if (cursor === undefined) return undefined;
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!/^[1-9][0-9]{0,17}$/.test(decoded)) {
    throw new AppError('VALIDATION_ERROR', 'Invalid input', {
      details: [{ field: 'cursor', message: 'Invalid cursor' }],
    });
  }
  return Number(decoded);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A cursor that carries the last row's uuid (`encodeCursor(id)`), lower-cased; a mangled one is a 400 on `cursor`. */
export function decodeIdCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!UUID.test(id)) {
    throw new AppError('VALIDATION_ERROR', 'Invalid input', {
      details: [{ field: 'cursor', message: 'Invalid cursor' }],
    });
  }
  return id.toLowerCase();
}

/** Fetches `limit + 1` rows to know whether another page exists. */
export function toCursorPage<T, R>(rows: T[], limit: number, seqOf: (row: T) => number | string, map: (row: T) => R) {
  const hasMore = rows.length > limit;
  const page = hasMore ? rows.slice(0, limit) : rows;
  const last = page.at(-1);
  return { items: page.map(map), nextCursor: hasMore && last !== undefined ? encodeCursor(seqOf(last)) : null };
}
