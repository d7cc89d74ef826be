// Needs a real Redis: runs in the services project only (see tooling/vitest-modes.ts).
import { randomBytes, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LiveEvent } from '../modules/events/events.schema.js';
import { connectTestRedis, until } from '../testing/index.js';
import { createRedisEventBus, type EventBus } from './events.js';

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('Redis event bus', () => {
  const prefix = `keel-test:ev:${randomBytes(4).toString('hex')}:`;
  let redis: Redis;
  const opened: EventBus[] = [];
  const connections: Redis[] = [];

  beforeAll(async () => {
    redis = (await connectTestRedis()) as Redis;
  });
  afterEach(async () => {
    while (opened.length > 0) await opened.pop()?.close();
    while (connections.length > 0) connections.pop()?.disconnect();
  });
  afterAll(() => {
    redis.disconnect();
  });

  async function instance(errors: unknown[] = [], connection: Redis = redis): Promise<EventBus> {
    const bus = await createRedisEventBus({ redis: connection, prefix, onError: (error) => errors.push(error) });
    opened.push(bus);
    return bus;
  }

  it('an event published on one instance reaches a subscriber connected to another', async () => {
    const [publisher, subscriber] = [await instance(), await instance()];
    const userId = randomUUID();
    const received: LiveEvent[] = [];
    subscriber.subscribe(userId, (event) => received.push(event));
    await publisher.publish({ type: 'project.changed', userId, data: { projectId: 'p1', change: 'created' } });
    await until(() => received.length === 1);
    expect(received[0]).toMatchObject({
      type: 'project.changed',
      userId,
      data: { projectId: 'p1', change: 'created' },
    });
    expect(received[0]?.at).toMatch(ISO_TIMESTAMP);
  });

  it('while Redis refuses the publish, subscribers on the publishing instance still hear it and the failure is reported', async () => {
    const connection = (await connectTestRedis()) as Redis;
    connections.push(connection);
    const errors: unknown[] = [];
    const bus = await instance(errors, connection);
    const userId = randomUUID();
    const received: LiveEvent[] = [];
    bus.subscribe(userId, (event) => received.push(event));
    connection.disconnect();
    await bus.publish({
      type: 'credits.received',
      userId,
      data: { transferId: null, fromUserId: null, amount: 1, balance: 1 },
    });
    expect(received.map((event) => event.type)).toEqual(['credits.received']);
    expect(errors).toHaveLength(1);
  });

  it('a malformed message on the channel is reported and does not stop later events', async () => {
    const errors: unknown[] = [];
    const bus = await instance(errors);
    const userId = randomUUID();
    const received: LiveEvent[] = [];
    bus.subscribe(userId, (event) => received.push(event));
    await redis.publish(`${prefix}events`, '{not json');
    await bus.publish({ type: 'project.changed', userId, data: { projectId: 'after', change: 'created' } });
    await until(() => received.length === 1);
    expect(received[0]).toMatchObject({ type: 'project.changed', data: { projectId: 'after' } });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(SyntaxError);
  });

  it('signals `closed` when the server shuts it down', async () => {
    const bus = await instance();
    await bus.close();
    expect(bus.closed.aborted).toBe(true);
  });
});
