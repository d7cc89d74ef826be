import { afterEach, describe, expect, it } from 'vitest';
import { callerFor, createTestDeps, createUser, type TestDeps, type TestUser, until } from '../../testing/index.js';
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

  it('ends the stream when the access token expires, and not before', async () => {
    // Long enough that a busy machine still opens the stream before the token expires.
    const d = await deps({ config: { accessTokenTtlSeconds: 3 } });
    const user = await createUser(d);
    const { exp } = JSON.parse(Buffer.from(user.accessToken.split('.')[1] ?? '', 'base64url').toString()) as {
      exp: number;
    };
    const stream = collect(await user.caller.events.onEvent());
    await stream.done;
    // The stream ends at `exp` (a timer may round a few milliseconds early), not when it opened.
    expect(Date.now()).toBeGreaterThanOrEqual(exp * 1000 - 20);
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

describe('events.onEvent stream caps', () => {
  /** Opens one stream of `user` that ends when `controller` aborts; its slot is taken once this resolves. */
  async function open(d: TestDeps, user: TestUser, controller = new AbortController()) {
    const caller = await callerFor(d, { accessToken: user.accessToken, signal: controller.signal });
    return { ...collect(await caller.events.onEvent()), controller };
  }
  type Open = Awaited<ReturnType<typeof open>>;
  const still = (stream: Open) => {
    let ended = false;
    void stream.done.finally(() => {
      ended = true;
    });
    return () => !ended;
  };

  it("a user's 21st stream supersedes their oldest, which ends with stream.superseded", async () => {
    const d = await deps();
    const user = await createUser(d);
    const sender = await createUser(d, { balance: 10 });
    const streams: Open[] = [];
    for (let i = 0; i < 20; i++) streams.push(await open(d, user));
    const newest = await open(d, user);
    const [oldest, ...kept] = streams as [Open, ...Open[]];
    await oldest.done;
    expect(oldest.events.map((e) => e.type)).toEqual(['stream.superseded']);
    expect(oldest.events[0]?.userId).toBe(user.id);
    // The other 20 stay live and keep receiving.
    await sender.caller.credits.transfer({ toUserId: user.id, amount: 1 });
    for (const stream of [...kept, newest]) await until(() => stream.events.length === 1);
    expect([...kept, newest].every((s) => s.events[0]?.type === 'credits.received')).toBe(true);
    expect(d.events.streams.stats()).toMatchObject({ open: 20, superseded: 1 });
    for (const stream of [...kept, newest]) stream.controller.abort();
    await Promise.all([...kept, newest].map((s) => s.done));
    expect(d.events.streams.stats().open).toBe(0);
  });

  it("another user's streams are not superseded", async () => {
    const d = await deps({ config: { eventStreamsPerUser: 2 } });
    const alice = await createUser(d);
    const bob = await createUser(d);
    const bobs = [await open(d, bob), await open(d, bob)];
    const bobsAlive = bobs.map(still);
    const alices = [await open(d, alice), await open(d, alice), await open(d, alice)];
    await alices[0]?.done;
    expect(alices[0]?.events.map((e) => e.type)).toEqual(['stream.superseded']);
    expect(bobsAlive.map((alive) => alive())).toEqual([true, true]);
    expect(bobs.flatMap((s) => s.events)).toEqual([]);
    for (const stream of [...bobs, ...alices]) stream.controller.abort();
    await Promise.all([...bobs, ...alices].map((s) => s.done));
  });

  it('a stream that ends frees its slot: the next one supersedes nothing', async () => {
    const d = await deps({ config: { eventStreamsPerUser: 2 } });
    const user = await createUser(d);
    const first = await open(d, user);
    const second = await open(d, user);
    const secondAlive = still(second);
    first.controller.abort();
    await first.done;
    expect(d.events.streams.stats().open).toBe(1);
    const third = await open(d, user);
    expect(d.events.streams.stats()).toMatchObject({ open: 2, superseded: 0 });
    expect(secondAlive()).toBe(true);
    expect(first.events).toEqual([]);
    second.controller.abort();
    third.controller.abort();
    await Promise.all([second.done, third.done]);
  });

  it('beyond the total cap a new stream is refused with SERVICE_UNAVAILABLE and retryAfter', async () => {
    const d = await deps({ config: { eventStreamsPerUser: 2, eventStreamsMax: 2 } });
    const alice = await createUser(d);
    const bob = await createUser(d);
    const first = await open(d, alice);
    const second = await open(d, bob);
    const secondAlive = still(second);
    // Full: neither a third user's stream nor a user at their own cap gets in, and nobody is superseded.
    for (const user of [await createUser(d), alice]) {
      const refused = await open(d, user);
      await expect(refused.done).rejects.toMatchObject({
        appCode: 'SERVICE_UNAVAILABLE',
        retryAfterSeconds: expect.any(Number),
      });
    }
    expect(d.events.streams.stats()).toMatchObject({ open: 2, refused: 2, superseded: 0 });
    expect(secondAlive()).toBe(true);
    first.controller.abort();
    await first.done;
    const third = await open(d, alice);
    expect(d.events.streams.stats().open).toBe(2);
    second.controller.abort();
    third.controller.abort();
    await Promise.all([second.done, third.done]);
  });
});
