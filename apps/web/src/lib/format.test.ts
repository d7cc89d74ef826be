// How dates, numbers, ids and user agents are shown.
import { describe, expect, it } from 'vitest';
import {
  describeUserAgent,
  formatCount,
  formatCredits,
  formatDateTime,
  formatDay,
  formatDayShort,
  formatNumber,
  formatRelative,
  shortId,
} from './format.js';

describe('format', () => {
  it('formats a date-time, and shows an unparsable one as it came', () => {
    expect(formatDateTime('2026-01-31T12:00:00.000Z')).toMatch(/2026/);
    expect(formatDateTime('not a date')).toBe('not a date');
  });

  it('shows a series day as that UTC calendar day, whatever the viewer’s time zone', () => {
    expect(formatDay('2026-12-02')).toMatch(/2026/);
    expect(formatDay('2026-12-02')).toMatch(/\b2\b/);
    expect(formatDayShort('2026-12-02')).toMatch(/\b2\b/);
    expect(formatDayShort('2026-12-02')).not.toMatch(/2026/);
    expect(formatDay('not a day')).toBe('not a day');
  });

  it('says "credit" for one and "credits" for any other amount', () => {
    expect(formatCredits(1)).toBe('1 credit');
    expect(formatCredits(2)).toBe('2 credits');
    expect(formatCredits(0)).toBe('0 credits');
    expect(formatCredits(1000)).toBe(`${formatNumber(1000)} credits`);
    expect(formatCount(1, 'user')).toBe('1 user');
    expect(formatCount(0, 'guest')).toBe('0 guests');
    expect(formatCount(2, 'person', 'people')).toBe('2 people');
  });

  it('says how long ago something was used, in the unit a person would', () => {
    const now = Date.parse('2026-12-02T12:00:00Z');
    expect(formatRelative('2026-12-02T11:59:30Z', now)).toBe('just now');
    expect(formatRelative('2026-12-02T11:58:00Z', now)).toBe('2 min ago');
    expect(formatRelative('2026-12-02T09:00:00Z', now)).toBe('3 h ago');
    expect(formatRelative('2026-12-01T11:00:00Z', now)).toBe('1 day ago');
    expect(formatRelative('2026-11-27T12:00:00Z', now)).toBe('5 days ago');
    expect(formatRelative('not a date', now)).toBe('not a date');
  });

  it('groups the digits of a number', () => {
    expect(formatNumber(1234567)).toBe(new Intl.NumberFormat().format(1234567));
  });

  it('shortens an id to its first block, and shows a dash for none', () => {
    expect(shortId('0123abcd-4567-89ef-0123-456789abcdef')).toBe('0123abcd');
    expect(shortId(null)).toBe('—');
    expect(shortId(undefined)).toBe('—');
  });

  it.each([
    [null, 'Unknown device'],
    [
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36',
      'Chrome 156 on Linux',
    ],
    ['Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0', 'Firefox 140 on Windows'],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36 Edg/156.0',
      'Edge 156 on Windows',
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1',
      'Safari 18 on iOS',
    ],
    ['HeadlessThing Chromium/120', 'Chrome 120'],
    ['curl/8.5.0', 'curl/8.5.0'],
    [`some-bot/1.0 ${'x'.repeat(80)}`, `some-bot/1.0 ${'x'.repeat(44)}…`],
  ])('describes the user agent %s as %s', (userAgent, expected) => {
    expect(describeUserAgent(userAgent)).toBe(expected);
  });
});
