import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type AppEvent, createMemoryEventBus } from './events.js';

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
    const forAlice: AppEvent[] = [];
    const forBob: AppEvent[] = [];
    bus.subscribe(alice, (event) => forAlice.push(event));
    bus.subscribe(alice, (event) => forAlice.push(event));
    bus.subscribe(bob, (event) => forBob.push(event));
    await bus.publish({ type: 'credits.received', userId: alice, data: { amount: 5 } });
    expect(forAlice).toHaveLength(2);
    expect(forAlice[0]).toMatchObject({ type: 'credits.received', userId: alice, data: { amount: 5 } });
    expect(forAlice[0]?.at).toMatch(ISO_TIMESTAMP);
    expect(forBob).toEqual([]);
    await bus.close();
  });

  it('stops delivering to a listener once it unsubscribes', async () => {
    const bus = createMemoryEventBus();
    const userId = randomUUID();
    const received: AppEvent[] = [];
    const unsubscribe = bus.subscribe(userId, (event) => received.push(event));
    await bus.publish({ type: 'a', userId, data: {} });
    unsubscribe();
    await bus.publish({ type: 'b', userId, data: {} });
    expect(received.map((event) => event.type)).toEqual(['a']);
    await bus.close();
  });

  it('signals `closed` when the server shuts it down', async () => {
    const bus = createMemoryEventBus();
    expect(bus.closed.aborted).toBe(false);
    await bus.close();
    expect(bus.closed.aborted).toBe(true);
  });
});
