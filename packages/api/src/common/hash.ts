// argon2id password hashing, bounded: two hashes in flight, a short queue, then a fast 503.
import argon2 from 'argon2';
import { AppError } from './errors.js';
import { BoundedSemaphore, QueueFullError } from './semaphore.js';

export interface HashParams {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export interface PasswordHasherOptions extends HashParams {
  concurrency: number;
  maxQueue: number;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** Spends the same work as a real verification, so an unknown email takes as long as a wrong password. */
  verifyDummy(password: string): Promise<void>;
  /**
   * Whether `hash` differs from what `hash()` writes now: another algorithm, version or cost, or
   * the parameters in a non-standard order. The caller rehashes on the next successful sign-in.
   */
  needsRehash(hash: string): boolean;
  stats(): { inFlight: number; queued: number };
}

/** Seconds a refused caller is told to wait: about the time the queue takes to drain. */
const RETRY_AFTER_SECONDS = 1;

/** `$argon2id$v=19$<params>$<salt>$<hash>`, the PHC string format, `params` in any order. */
const PHC_PATTERN = /^(\$argon2(?:id|i|d)\$v=\d+\$)([^$]+)(\$[^$]+\$[^$]+)$/;

/**
 * Rewrites the parameters of an encoded hash in the order the PHC string format fixes (`m,t,p`):
 * `argon2` writes `m,p,t`, which libargon2-based verifiers (PHP, argon2-cffi, Java) refuse.
 */
export function toStandardEncoding(encoded: string): string {
  const [, head, params, tail] = PHC_PATTERN.exec(encoded) ?? [];
  const values = new Map(params?.split(',').map((pair) => pair.split('=') as [string, string | undefined]));
  const [m, t, p] = ['m', 't', 'p'].map((key) => values.get(key));
  // Keel never sets the optional `data` parameter, so anything but exactly m, t and p is a surprise.
  if (!head || values.size !== 3 || !m || !t || !p) throw new Error('not an argon2 PHC string with m, t and p');
  return `${head}m=${m},t=${t},p=${p}${tail}`;
}

export function createPasswordHasher(options: PasswordHasherOptions): PasswordHasher {
  const gate = new BoundedSemaphore(options.concurrency, options.maxQueue);
  const params = {
    type: argon2.argon2id as 2,
    memoryCost: options.memoryCost,
    timeCost: options.timeCost,
    parallelism: options.parallelism,
  };
  let dummyHash: Promise<string> | undefined;

  async function bounded<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await gate.run(work);
    } catch (error) {
      if (error instanceof QueueFullError) {
        throw new AppError('SERVICE_UNAVAILABLE', 'Too many sign-ins at once, try again shortly', {
          retryAfterSeconds: RETRY_AFTER_SECONDS,
        });
      }
      throw error;
    }
  }

  // What `hash()` writes now, up to the salt: anything else is rehashed on the next sign-in.
  const expectedPrefix = `$argon2id$v=19$m=${options.memoryCost},t=${options.timeCost},p=${options.parallelism}$`;

  return {
    hash: (password) => bounded(async () => toStandardEncoding(await argon2.hash(password, params))),
    // argon2 reads the parameters in any order, so hashes stored before the standard order still verify.
    verify: (hash, password) => bounded(() => argon2.verify(hash, password)),
    async verifyDummy(password) {
      // Made once, inside the same bound as every other hash; a refused attempt is not kept.
      dummyHash ??= bounded(() => argon2.hash('keel-dummy-password-for-timing', params)).catch((error: unknown) => {
        dummyHash = undefined;
        throw error;
      });
      const hash = await dummyHash;
      await bounded(() => argon2.verify(hash, password));
    },
    needsRehash: (hash) => !hash.startsWith(expectedPrefix),
    stats: () => ({ inFlight: gate.inFlight, queued: gate.queued }),
  };
}
