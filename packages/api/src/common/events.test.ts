import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '../modules/events/events.schema.js';
import { createLiveStreams, createMemoryEventBus } from './events.js';

async function _until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('in-process event bus', () => {
  it("delivers an event to its user's subscribers, stamped with the time, and to nobody else", async () => {
    const bus = createMemoryEventBus();
    const [alice, bob] = [randomUUID(), randomUUID()];
    const forAlice: LiveEvent[] = [];
    const forBob: LiveEvent[] = [];
    bus.subscribe(alice, (event) => forAlice.push(event));
    bus.subscribe(alice, (event) => forAlice.push(event));
    bus.subscribe(bob, (event) => forBob.push(event));
    await bus.publish({
      type: 'credits.received',
      userId: alice,
      data: { transferId: null, fromUserId: null, amount: 5, balance: 5 },
    });
    expect(forAlice).toHaveLength(2);
    expect(forAlice[0]).toMatchObject({ type: 'credits.received', userId: alice, data: { amount: 5 } });
    expect(forAlice[0]?.at).toMatch(ISO_TIMESTAMP);
    expect(forBob).toEqual([]);
    await bus.close();
  });

  it('stops delivering to a listener once it unsubscribes', async () => {
    const bus = createMemoryEventBus();
    const userId = randomUUID();
    const received: LiveEvent[] = [];
    const unsubscribe = bus.subscribe(userId, (event) => received.push(event));
    const changed = (projectId: string) =>
      bus.publish({ type: 'project.changed', userId, data: { projectId, change: 'updated' } });
    await changed('before');
    unsubscribe();
    await changed('after');
    expect(received.map((event) => event.data)).toEqual([{ projectId: 'before', change: 'updated' }]);
    await bus.close();
  });

  it('signals `closed` when the server shuts it down', async () => {
    const bus = createMemoryEventBus();
    expect(bus.closed.aborted).toBe(false);
    await bus.close();
    expect(bus.closed.aborted).toBe(true);
  });
});

describe('live stream slots', () => {
  const limits = { perUser: 2, max: 10 };

  it('releasing twice frees one slot, and a superseded stream releasing later frees nothing more', () => {
    const streams = createLiveStreams();
    const ended: string[] = [];
    const oldest = streams.acquire('u1', limits, () => ended.push('oldest'));
    streams.acquire('u1', limits, () => ended.push('second'));
    const third = streams.acquire('u1', limits, () => ended.push('third'));
    expect(ended).toEqual(['oldest']);
    oldest?.();
    expect(streams.count()).toBe(2);
    third?.();
    third?.();
    expect(streams.stats()).toEqual({ open: 1, superseded: 1, refused: 0 });
  });

  it('a lowered per-user limit trims the user down to it on their next stream', () => {
    const streams = createLiveStreams();
    const ended: number[] = [];
    for (let i = 0; i < 4; i++) streams.acquire('u1', { perUser: 4, max: 10 }, () => ended.push(i));
    streams.acquire('u1', { perUser: 2, max: 10 }, () => ended.push(4));
    expect(ended).toEqual([0, 1, 2]);
    expect(streams.count()).toBe(2);
  });

  it('counts refusals made by the host as well as its own', () => {
    const streams = createLiveStreams();
    streams.acquire('u1', { perUser: 1, max: 1 }, () => {});
    expect(streams.acquire('u2', { perUser: 1, max: 1 }, () => {})).toBeUndefined();
    streams.countRefusal();
    expect(streams.stats()).toEqual({ open: 1, superseded: 0, refused: 2 });
  });
});
