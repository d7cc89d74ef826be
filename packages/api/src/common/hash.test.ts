import { describe, expect, it } from 'vitest';
import { TEST_HASH_PARAMS } from '../testing/index.js';
import { AppError } from './errors.js';
import { createPasswordHasher } from './hash.js';

const PASSWORD = 'Correct-Horse-1';

function hasher(concurrency = 2, maxQueue = 8) {
  return createPasswordHasher({ ...TEST_HASH_PARAMS, concurrency, maxQueue });
}

describe('password hasher', () => {
  it('stores argon2id with the configured cost, never the password', async () => {
    const hash = await hasher().hash(PASSWORD);
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=1024,p=1,t=1\$/);
    expect(hash).not.toContain(PASSWORD);
  });

  it('salts every hash: the same password hashes differently twice', async () => {
    const h = hasher();
    expect(await h.hash(PASSWORD)).not.toBe(await h.hash(PASSWORD));
  });

  it.each([
    [PASSWORD, true],
    ['correct-horse-1', false],
    ['Correct-Horse-2', false],
    ['', false],
  ])('verifies %j against the stored hash as %s', async (attempt, expected) => {
    const h = hasher();
    const hash = await h.hash(PASSWORD);
    expect(await h.verify(hash, attempt)).toBe(expected);
  });

  it('a dummy verification completes for any password without revealing anything', async () => {
    const h = hasher();
    await expect(h.verifyDummy(PASSWORD)).resolves.toBeUndefined();
    await expect(h.verifyDummy('keel-dummy-password-for-timing')).resolves.toBeUndefined();
  });

  it('past the concurrency and the queue, a caller is refused at once with 503 and a retry delay', async () => {
    const h = hasher(1, 1);
    const running = h.hash(PASSWORD);
    const queued = h.hash(PASSWORD);
    const refused = h.hash(PASSWORD);
    expect(h.stats()).toEqual({ inFlight: 1, queued: 1 });
    await expect(refused).rejects.toBeInstanceOf(AppError);
    await expect(refused).rejects.toMatchObject({
      appCode: 'SERVICE_UNAVAILABLE',
      code: 'SERVICE_UNAVAILABLE',
      retryAfterSeconds: 1,
    });
    await expect(running).resolves.toMatch(/^\$argon2id\$/);
    await expect(queued).resolves.toMatch(/^\$argon2id\$/);
    expect(h.stats()).toEqual({ inFlight: 0, queued: 0 });
  });

  it('a dummy verification waits in the same bounded queue as a real one', async () => {
    const h = hasher(1, 0);
    await h.verifyDummy(PASSWORD);
    const running = h.hash(PASSWORD);
    await expect(h.verifyDummy(PASSWORD)).rejects.toMatchObject({ appCode: 'SERVICE_UNAVAILABLE' });
    await running;
  });

  it('a corrupt stored hash is an error of its own, not a 503, and frees its slot', async () => {
    const h = hasher(1, 0);
    const failure = await h.verify('not-an-argon2-hash', PASSWORD).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(AppError);
    expect(h.stats()).toEqual({ inFlight: 0, queued: 0 });
    await expect(h.hash(PASSWORD)).resolves.toMatch(/^\$argon2id\$/);
  });
});
