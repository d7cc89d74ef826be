// What a command prints when it cannot start: the message alone for a failure the user can fix
// (a bad variable, a data directory in use), the stack for anything else.
import { ConfigError } from '@keel/api/server';
import { DataDirectoryInUseError } from '@keel/db';

export function startupFailureMessage(error: unknown): string {
  if (error instanceof ConfigError || error instanceof DataDirectoryInUseError) return error.message;
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}
