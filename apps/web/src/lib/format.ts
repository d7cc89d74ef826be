// How dates, amounts and ids are shown: one place, so every page agrees.
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const integer = new Intl.NumberFormat();

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

export function formatNumber(value: number): string {
  return integer.format(value);
}

/** The first block of a UUID: enough to tell rows apart on screen; the full id is in the title. */
export function shortId(id: string | null | undefined): string {
  return id ? id.slice(0, 8) : '—';
}
