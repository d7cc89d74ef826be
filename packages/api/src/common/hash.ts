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
  stats(): { inFlight: number; queued: number };
}

/** Seconds a refused caller is told to wait: about the time the queue takes to drain. */
const RETRY_AFTER_SECONDS = 1;

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

  return {
    hash: (password) => bounded(() => argon2.hash(password, params)),
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
    stats: () => ({ inFlight: gate.inFlight, queued: gate.queued }),
  };
}
