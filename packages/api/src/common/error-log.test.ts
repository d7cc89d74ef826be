import { describe, expect, it } from 'vitest';
import { isLogged, noteLogged } from './error-log.js';

describe('error log notes', () => {
  it('knows an error once it is noted, and only that error', () => {
    const noted = new Error('noted');
    noteLogged(noted);
    expect(isLogged(noted)).toBe(true);
    expect(isLogged(new Error('other'))).toBe(false);
  });

  it('treats what is not an object as never logged', () => {
    expect([isLogged(undefined), isLogged(null), isLogged('text')]).toEqual([false, false, false]);
  });
});
