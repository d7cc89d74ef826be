// Live events for `events.onEvent`: in process without Redis, Redis pub/sub across instances with it.
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';

export interface AppEvent {
  type: string;
  /** The user the event is for. */
  userId: string;
  at: string;
  data: Record<string, unknown>;
}

export type EventListener = (event: AppEvent) => void;

export interface EventBus {
  publish(event: Omit<AppEvent, 'at'>): Promise<void>;
  /** Returns the unsubscribe function. */
  subscribe(userId: string, listener: EventListener): () => void;
  /** Aborted when the bus closes (server shutdown): live streams end on it. */
  readonly closed: AbortSignal;
  close(): Promise<void>;
}

function createLocalFanout() {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const closing = new AbortController();
  return {
    closed: closing.signal,
    close: () => closing.abort(),
    deliver: (event: AppEvent) => emitter.emit(event.userId, event),
    subscribe(userId: string, listener: EventListener) {
      emitter.on(userId, listener);
      return () => emitter.off(userId, listener);
    },
  };
}

export function createMemoryEventBus(): EventBus {
  const fanout = createLocalFanout();
  return {
    async publish(event) {
      fanout.deliver({ ...event, at: new Date().toISOString() });
    },
    subscribe: fanout.subscribe,
    closed: fanout.closed,
    async close() {
      fanout.close();
    },
  };
}

export interface RedisEventBusOptions {
  /** The publishing connection; a duplicate of it subscribes. */
  redis: Redis;
  prefix: string;
  onError?: (error: unknown) => void;
}

export async function createRedisEventBus(options: RedisEventBusOptions): Promise<EventBus> {
  const channel = `${options.prefix}events`;
  const fanout = createLocalFanout();
  // A subscribed connection can do nothing else; it also needs the offline queue to resubscribe.
  const subscriber = options.redis.duplicate({ enableOfflineQueue: true, commandTimeout: undefined });
  subscriber.on('error', (error) => options.onError?.(error));
  subscriber.on('message', (_channel: string, message: string) => {
    try {
      fanout.deliver(JSON.parse(message) as AppEvent);
    } catch (error) {
      options.onError?.(error);
    }
  });
  await subscriber.subscribe(channel);
  return {
    async publish(event) {
      const full: AppEvent = { ...event, at: new Date().toISOString() };
      try {
        await options.redis.publish(channel, JSON.stringify(full));
      } catch (error) {
        // Redis is down: subscribers on this instance still hear it.
        options.onError?.(error);
        fanout.deliver(full);
      }
    },
    subscribe: fanout.subscribe,
    closed: fanout.closed,
    async close() {
      fanout.close();
      subscriber.disconnect();
    },
  };
}
