// What a configuration parser refuses, for the config tests of @keel/api and of the hosts that extend it.
import { ConfigError } from '../config.js';

/** The message `parse` refuses the configuration with, or `undefined` when it accepts it. */
export function configRefusal(parse: () => unknown): string | undefined {
  try {
    parse();
    return undefined;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.message;
  }
}
