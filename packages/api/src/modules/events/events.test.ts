import { afterEach, describe, expect, it } from 'vitest';
import { callerFor, createTestDeps, createUser, type TestDeps, until } from '../../testing/index.js';
import type { LiveEvent } from './events.schema.js';

const opened: TestDeps[] = [];
afterEach(async () => {
  while (opened.length > 0) await opened.pop()?.close();
});

async function deps(config: Parameters<typeof createTestDeps>[0] = {}) {
  const created = await createTestDeps(config);
  opened.push(created);
  return created;
}

/** Reads a stream in the background, collecting events until it ends. */
function collect(stream: AsyncIterable<LiveEvent>) {
  const events: LiveEvent[] = [];
  const done = (async () => {
    for await (const event of stream) events.push(event);
  })();
  return { events, done };
}

describe('events.onEvent', () => {
  it('delivers credits.received to the recipient and nothing to others', async () => {
    const d = await deps();
    const admin = await createUser(d, { role: 'ADMIN' });
    const sender = await createUser(d, { balance: 100 });
    const recipient = await createUser(d);
    const bystander = await createUser(d);
    const controller = new AbortController();
    const listen = async (user: typeof recipient) =>
      collect(
        await (await callerFor(d, { accessToken: user.accessToken, signal: controller.signal })).events.onEvent(),
      );
    const recipientStream = await listen(recipient);
    const bystanderStream = await listen(bystander);
    await sender.caller.credits.transfer({ toUserId: recipient.id, amount: 30 });
    await admin.caller.admin.credits.grant({ userId: recipient.id, amount: 5, reason: 'welcome' });
    await until(() => recipientStream.events.length >= 2);
    expect(recipientStream.events.map((e) => e.type)).toEqual(['credits.received', 'credits.received']);
    expect(recipientStream.events[0]?.data).toMatchObject({ amount: 30, fromUserId: sender.id });
    controller.abort();
    await recipientStream.done;
    await bystanderStream.done;
    expect(bystanderStream.events).toEqual([]);
  });

  it('ends the stream when its session is revoked', async () => {
    const d = await deps();
    const user = await createUser(d);
    const stream = collect(await user.caller.events.onEvent());
    await callerFor(d).then((anonymous) => anonymous.auth.logout({ refreshToken: user.refreshToken }));
    await stream.done;
    expect(stream.events).toEqual([]);
  });

  it('ends the stream when the access token expires', async () => {
    const d = await deps({ config: { accessTokenTtlSeconds: 1 } });
    const user = await createUser(d);
    const startedAt = Date.now();
    const stream = collect(await user.caller.events.onEvent());
    await stream.done;
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });

  it('ends every stream when the server shuts the bus down', async () => {
    const d = await deps();
    const user = await createUser(d);
    const stream = collect(await user.caller.events.onEvent());
    await d.events.close();
    await stream.done;
  });

  it('refuses an anonymous subscriber', async () => {
    const d = await deps();
    const anonymous = await callerFor(d);
    await expect(anonymous.events.onEvent()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});
