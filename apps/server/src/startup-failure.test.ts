import { ConfigError } from '@keel/api/server';
import { DataDirectoryInUseError } from '@keel/db';
import { describe, expect, it } from 'vitest';
import { startupFailureMessage } from './startup-failure.js';

describe('what a command prints when it cannot start', () => {
  it('the message alone for what the user can fix: a bad variable, a data directory in use', () => {
    expect(startupFailureMessage(new ConfigError('Invalid configuration:\n  PORT: too big'))).toBe(
      'Invalid configuration:\n  PORT: too big',
    );
    const inUse = startupFailureMessage(new DataDirectoryInUseError('/srv/keel/pglite'));
    expect(inUse).toMatch(/^The embedded database in \/srv\/keel\/pglite is in use by another process/);
    expect(inUse).not.toContain('    at ');
  });

  it('the stack for anything else, so a bug can be found', () => {
    const error = new Error('boom');
    expect(startupFailureMessage(error)).toBe(error.stack);
    expect(startupFailureMessage('a string')).toBe('a string');
  });
});
