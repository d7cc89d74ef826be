import { describe, expect, it } from 'vitest';
import { addReceived, NO_TRANSFERS, receivedNotice } from './received-credits.js';

describe('the notice of credits received', () => {
  it('adds up transfers that arrive while the notice shows, and starts again after', () => {
    const first = addReceived(NO_TRANSFERS, 1, 1_000, 6_000);
    expect(receivedNotice(first)).toBe('You received 1 credit.');
    const second = addReceived(first, 29, 5_000, 6_000);
    expect(receivedNotice(second)).toBe('You received 30 credits in 2 transfers.');
    expect(second.until).toBe(11_000);
    const later = addReceived(second, 5, 11_000, 6_000);
    expect(receivedNotice(later)).toBe('You received 5 credits.');
  });
});
