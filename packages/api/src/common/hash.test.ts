import argon2 from 'argon2';
import { describe, expect, it } from 'vitest';
import { TEST_HASH_PARAMS } from '../testing/index.js';
import { AppError } from './errors.js';
import { createPasswordHasher, toStandardEncoding } from './hash.js';

const PASSWORD = 'Correct-Horse-1';

function hasher(concurrency = 2, maxQueue = 8) {
  return createPasswordHasher({ ...TEST_HASH_PARAMS, concurrency, maxQueue });
}

describe('password hasher', () => {
  it('stores argon2id with the configured cost in the standard m,t,p order, never the password', async () => {
    const hash = await hasher().hash(PASSWORD);
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(hash).not.toContain(PASSWORD);
  });

  it('verifies a hash in the m,p,t order older versions stored', async () => {
    const legacy = await argon2.hash(PASSWORD, { type: argon2.argon2id, ...TEST_HASH_PARAMS });
    expect(legacy).toMatch(/\$m=1024,p=1,t=1\$/);
    const h = hasher();
    expect(await h.verify(legacy, PASSWORD)).toBe(true);
    expect(await h.verify(legacy, 'Correct-Horse-2')).toBe(false);
  });

  it('puts the parameters in the m,t,p order whatever order it is given, and refuses what is not argon2', () => {
    const tail = '$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';
    expect(toStandardEncoding(`$argon2id$v=19$m=65536,p=4,t=3${tail}`)).toBe(`$argon2id$v=19$m=65536,t=3,p=4${tail}`);
    expect(toStandardEncoding(`$argon2id$v=19$m=65536,t=3,p=4${tail}`)).toBe(`$argon2id$v=19$m=65536,t=3,p=4${tail}`);
    for (const bad of [
      'not-an-argon2-hash',
      `$argon2id$v=19$m=1,t=1${tail}`,
      `$argon2id$v=19$m=1,t=1,p=1,data=eA${tail}`,
    ]) {
      expect(() => toStandardEncoding(bad)).toThrow('not an argon2 PHC string');
    }
  });

  it('asks for a rehash of every hash that is not exactly what it would write now', async () => {
    const h = hasher();
    const current = await h.hash(PASSWORD);
    const [, , version, , salt, digest] = current.split('$');
    const cases: [string, string, boolean][] = [
      ['the configured cost in the standard order', current, false],
      ['the configured cost in the m,p,t order', `$argon2id$${version}$m=1024,p=1,t=1$${salt}$${digest}`, true],
      ['a lower memory cost', current.replace('m=1024,', 'm=512,'), true],
      ['a lower time cost', current.replace(',t=1,', ',t=0,'), true],
      ['another parallelism', current.replace(',p=1$', ',p=2$'), true],
      ['argon2i', current.replace('$argon2id$', '$argon2i$'), true],
      ['an older version', current.replace('$v=19$', '$v=16$'), true],
      ['something that is not a PHC string', 'not-an-argon2-hash', true],
    ];
    expect(cases.map(([name, hash]) => [name, h.needsRehash(hash)])).toEqual(
      cases.map(([name, , expected]) => [name, expected]),
    );
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
