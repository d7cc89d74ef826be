import { it } from 'vitest';
import { writeFileSync, appendFileSync } from 'node:fs';
import { startTestServer } from './testing/server.js';
it('debug', async () => {
  writeFileSync('/tmp/dbg.txt', '');
  for (const v of ['true', 'false']) {
    const s = await startTestServer({ TRPC_FAST_PATH: v });
    for (const [p, init] of [['/trpc/auth.me', {}], ['/trpc/auth.logout', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '' }], ['/trpc/auth.logout', { method: 'POST', headers: { 'content-type': 'application/json' } }]] as const) {
      const r = await fetch(s.url + p, init as any);
      appendFileSync('/tmp/dbg.txt', `${v} ${p} ${r.status} ${JSON.stringify([...r.headers])} ${(await r.text()).slice(0, 300)}\n`);
    }
    await s.close();
  }
});
