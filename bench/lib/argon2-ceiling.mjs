// The most sign-ins this machine can do: argon2id verifications per second at the production cost,
// `concurrency` at a time (the server's HASH_CONCURRENCY), measured in this process while the server idles.
import argon2 from 'argon2';
import { ARGON2_PARAMS, PASSWORD } from './seed.mjs';

export async function argon2Ceiling({ concurrency, seconds }) {
  const hash = await argon2.hash(PASSWORD, ARGON2_PARAMS);
  await argon2.verify(hash, PASSWORD);
  let done = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        await argon2.verify(hash, PASSWORD);
        done++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return { concurrency, hashesPerSecond: done / elapsed, msPerHash: (elapsed * 1000 * concurrency) / done };
}
