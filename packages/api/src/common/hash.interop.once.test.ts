// The stored password hash checked against an independent argon2 implementation (hash-wasm, not
// libargon2's Node binding): another service reading Keel's users must get the same string.
import { argon2id } from 'hash-wasm';
import { describe, expect, it } from 'vitest';
import { TEST_HASH_PARAMS } from '../testing/index.js';
import { createPasswordHasher } from './hash.js';

const PASSWORD = 'Correct-Horse-1';

/** The PHC string hash-wasm writes for `password` with the salt and cost of `stored`. */
async function independentEncoding(stored: string, password: string, params: typeof TEST_HASH_PARAMS) {
  const salt = stored.split('$')[4];
  if (!salt) throw new Error(`no salt in ${stored}`);
  return argon2id({
    password,
    salt: Buffer.from(salt, 'base64'),
    parallelism: params.parallelism,
    iterations: params.timeCost,
    memorySize: params.memoryCost,
    hashLength: 32,
    outputType: 'encoded',
  });
}

describe('stored password hashes', () => {
  it.each([
    ['the test cost', TEST_HASH_PARAMS],
    ['another cost', { memoryCost: 2048, timeCost: 2, parallelism: 2 }],
  ])('with %s are exactly the PHC string an independent argon2id writes', async (_name, params) => {
    const hasher = createPasswordHasher({ ...params, concurrency: 1, maxQueue: 1 });
    const stored = await hasher.hash(PASSWORD);
    expect(stored).toBe(await independentEncoding(stored, PASSWORD, params));
  });
});
