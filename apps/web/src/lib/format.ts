// How dates, amounts and ids are shown: one place, so every page agrees.
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const integer = new Intl.NumberFormat();

export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

/** "just now", "2 min ago", "3 h ago", "4 days ago": how long since `iso`, for "last used" columns and labels. */
export function formatRelative(iso: string, now: number = Date.now()): string {
  const seconds = Math.round((now - new Date(iso).getTime()) / 1000);
  if (Number.isNaN(seconds)) return iso;
  if (seconds < 60) return 'just now';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.floor(hours / 24);
  return `${days} ${days === 1 ? 'day' : 'days'} ago`;
}

// A series' day is a UTC calendar day (`2026-12-02`): shown in UTC, or a viewer west of Greenwich
// would read it as the day before.
const dayMedium = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });
const dayShort = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });

function utcDay(day: string): Date {
  return new Date(`${day}T00:00:00Z`);
}

/** "Dec 2, 2026" for the UTC day `2026-12-02`; an unparsable day as it came. */
export function formatDay(day: string): string {
  const date = utcDay(day);
  return Number.isNaN(date.getTime()) ? day : dayMedium.format(date);
}

/** "Dec 2": a day on a chart's axis, where the year would crowd the ticks. */
export function formatDayShort(day: string): string {
  const date = utcDay(day);
  return Number.isNaN(date.getTime()) ? day : dayShort.format(date);
}

export function formatNumber(value: number): string {
  return integer.format(value);
}

/** "1 user", "2 users", "1,000 users": a count with its noun in the right number. */
export function formatCount(count: number, singular: string, plural = `${singular}s`): string {
  return `${integer.format(count)} ${count === 1 ? singular : plural}`;
}

/** "1 credit", "2 credits", "1,000 credits". */
export function formatCredits(amount: number): string {
  return formatCount(amount, 'credit');
}

/** The first block of a UUID: enough to tell rows apart on screen; the full id is in the title. */
export function shortId(id: string | null | undefined): string {
  return id ? id.slice(0, 8) : '—';
}

/** "Chrome 156 on Linux" from a User-Agent header; the raw header stays available as a tooltip. */
const BROWSERS: [string, RegExp][] = [
  ['Edge', /Edg\/(\d+)/],
  ['Firefox', /Firefox\/(\d+)/],
  ['Chrome', /Chrom(?:e|ium)\/(\d+)/],
  ['Safari', /Version\/(\d+).*Safari/],
];
const SYSTEMS: [string, RegExp][] = [
  ['Android', /Android/],
  ['iOS', /iPhone|iPad/],
  ['Windows', /Windows/],
  ['macOS', /Mac OS X/],
  ['Linux', /Linux/],
];

/** "Chrome 156 on Linux" from a User-Agent header; the raw header stays available as a tooltip. */
export function describeUserAgent(userAgent: string | null): string {
  if (!userAgent) return 'Unknown device';
  let browser: string | undefined;
  for (const [name, pattern] of BROWSERS) {
    const version = pattern.exec(userAgent)?.[1];
    if (version) {
      browser = `${name} ${version}`;
      break;
    }
  }
  const os = SYSTEMS.find(([, pattern]) => pattern.test(userAgent))?.[0];
  if (!browser) return userAgent.length > 60 ? `${userAgent.slice(0, 57)}…` : userAgent;
  return os ? `${browser} on ${os}` : browser;
}
