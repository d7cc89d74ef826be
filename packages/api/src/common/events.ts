// Live events for `events.onEvent`: in process without Redis, Redis pub/sub across instances with it.
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import type { LiveEvent } from '../modules/events/events.schema.js';

/** Member by member (a plain `Omit` of the union would merge its members into one loose shape). */
type WithoutTime<Event> = Event extends LiveEvent ? Omit<Event, 'at'> : never;

/**
 * An event as it is published: a member of the union (modules/events/events.schema.ts), without the
 * time the bus stamps on it.
 */
export type NewLiveEvent = WithoutTime<LiveEvent>;

export type EventListener = (event: LiveEvent) => void;

export interface EventBus {
  publish(event: NewLiveEvent): Promise<void>;
  /** Returns the unsubscribe function. */
  subscribe(userId: string, listener: EventListener): () => void;
  /** Aborted when the bus closes (server shutdown): live streams end on it. */
  readonly closed: AbortSignal;
  /** The live streams this process holds open, for the caps on them. */
  readonly streams: LiveStreams;
  close(): Promise<void>;
}

export interface StreamLimits {
  /** A user's streams beyond this supersede their oldest. */
  perUser: number;
  /** Streams in this process beyond this are refused. */
  max: number;
}

export interface LiveStreamStats {
  open: number;
  /** Since start: streams ended because the same user opened one over their cap. */
  superseded: number;
  /** Since start: streams refused because the process held its maximum. */
  refused: number;
}

/**
 * Slots for the live streams of one process. Each open stream holds a file descriptor and memory
 * until its client leaves, so both the count per user and the total are bounded.
 */
export interface LiveStreams {
  /**
   * Takes a slot for a stream of `userId`. At `limits.perUser`, the user's oldest stream is
   * superseded first (its `onSuperseded` runs and its slot is free at once). At `limits.max` in
   * total the stream is refused (counted, nobody superseded): returns `undefined`. Otherwise
   * returns the release function (idempotent).
   */
  acquire(userId: string, limits: StreamLimits, onSuperseded: () => void): (() => void) | undefined;
  /** Streams open now. */
  count(): number;
  /** Counts a stream the host refused before it reached `acquire`. */
  countRefusal(): void;
  stats(): LiveStreamStats;
}

export function createLiveStreams(): LiveStreams {
  // Sets keep insertion order: the first entry of a user's set is their oldest stream.
  const byUser = new Map<string, Set<() => void>>();
  let open = 0;
  let superseded = 0;
  let refused = 0;
  const remove = (userId: string, entry: () => void): boolean => {
    const mine = byUser.get(userId);
    if (!mine?.delete(entry)) return false;
    if (mine.size === 0) byUser.delete(userId);
    open -= 1;
    return true;
  };
  return {
    acquire(userId, limits, onSuperseded) {
      if (open >= limits.max) {
        refused += 1;
        return undefined;
      }
      let mine = byUser.get(userId);
      // `while`: a lowered limit trims to it.
      while (mine && mine.size >= limits.perUser) {
        const oldest = mine.values().next().value as () => void;
        remove(userId, oldest);
        superseded += 1;
        oldest();
        mine = byUser.get(userId);
      }
      if (!mine) {
        mine = new Set();
        byUser.set(userId, mine);
      }
      // A fresh function per stream: the entry's identity is the stream's.
      const entry = () => onSuperseded();
      mine.add(entry);
      open += 1;
      return () => void remove(userId, entry);
    },
    count: () => open,
    countRefusal() {
      refused += 1;
    },
    stats: () => ({ open, superseded, refused }),
  };
}

function createLocalFanout() {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  const closing = new AbortController();
  return {
    closed: closing.signal,
    streams: createLiveStreams(),
    close: () => closing.abort(),
    deliver: (event: LiveEvent) => emitter.emit(event.userId, event),
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
    streams: fanout.streams,
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
      // Published by an instance of this application (the same union), so trusted as such.
      fanout.deliver(JSON.parse(message) as LiveEvent);
    } catch (error) {
      options.onError?.(error);
    }
  });
  await subscriber.subscribe(channel);
  return {
    async publish(event) {
      const full: LiveEvent = { ...event, at: new Date().toISOString() };
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
    streams: fanout.streams,
    async close() {
      fanout.close();
      subscriber.disconnect();
    },
  };
}
