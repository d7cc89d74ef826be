// What every instance must know about sessions before the access tokens expire: revoked sessions
// and changed roles. In process without Redis; with Redis, each instance keeps them in memory and
// hears every change through Redis pub/sub. PostgreSQL is the record either way (docs: README,
// "Security"; docs/architecture.md).

import { randomUUID } from 'node:crypto';
import type { Role } from '@keel/db';
import type { Redis } from 'ioredis';

export interface SessionState {
  revoked: boolean;
  /** The user's role when it changed after tokens were issued; `undefined` when unchanged. */
  role: Role | undefined;
}

export interface SessionStateStore {
  revokeSessions(sessionIds: readonly string[]): Promise<void>;
  setUserRole(userId: string, role: Role): Promise<void>;
  /** Synchronous when memory can answer, so an ordinary call waits for nothing. */
  lookup(sessionId: string, userId: string): SessionState | Promise<SessionState>;
}

interface MemoryState {
  revoke(sessionIds: readonly string[]): void;
  setRole(userId: string, role: Role): void;
  isRevoked(sessionId: string): boolean;
  roleOf(userId: string): Role | undefined;
}

/**
 * Entries only need to outlive the access tokens they concern: after `ttlSeconds` every such
 * token has expired on its own. Synchronous, so that a lookup costs no turn of the event loop.
 * Every entry lives `ttlSeconds` from its last write and a write moves it to the end, so each Map is
 * in expiry order and a write only drops the expired entries at its head (a catch-up writes
 * thousands; a sweep of the whole Map per write would make that quadratic).
 */
function createMemoryState(ttlSeconds: number, now: () => number): MemoryState {
  const revoked = new Map<string, number>();
  const roles = new Map<string, { role: Role; until: number }>();
  const until = () => now() + ttlSeconds * 1000;

  function dropExpired<V>(map: Map<string, V>, expiry: (value: V) => number): void {
    const t = now();
    for (const [key, value] of map) {
      if (expiry(value) > t) return;
      map.delete(key);
    }
  }

  return {
    revoke(sessionIds) {
      dropExpired(revoked, (expires) => expires);
      for (const id of sessionIds) {
        revoked.delete(id);
        revoked.set(id, until());
      }
    },
    setRole(userId, role) {
      dropExpired(roles, (entry) => entry.until);
      roles.delete(userId);
      roles.set(userId, { role, until: until() });
    },
    isRevoked(sessionId) {
      const revokedUntil = revoked.get(sessionId);
      return revokedUntil !== undefined && revokedUntil > now();
    },
    roleOf(userId) {
      const entry = roles.get(userId);
      return entry && entry.until > now() ? entry.role : undefined;
    },
  };
}

export function createMemorySessionState(ttlSeconds: number, now: () => number = Date.now): SessionStateStore {
  const state = createMemoryState(ttlSeconds, now);
  return {
    async revokeSessions(sessionIds) {
      state.revoke(sessionIds);
    },
    async setUserRole(userId, role) {
      state.setRole(userId, role);
    },
    lookup(sessionId, userId) {
      return { revoked: state.isRevoked(sessionId), role: state.roleOf(userId) };
    },
  };
}

/**
 * What PostgreSQL, the record of every revocation and role, says about sessions: the Redis store
 * answers from it until it has caught up with it, after every start, reconnect or silence.
 */
export interface SessionRecord {
  /** One session as the database has it; `undefined` when there is no such session. */
  findSession(sessionId: string): Promise<{ revoked: boolean; role: Role } | undefined>;
  /** Ids of the sessions revoked at or after `since`. */
  sessionsRevokedSince(since: Date): Promise<string[]>;
  /** The current role of every user whose row changed at or after `since`. */
  rolesChangedSince(since: Date): Promise<{ userId: string; role: Role }[]>;
}

export interface RedisSessionStateOptions {
  /** Publishes changes and heartbeats. */
  redis: Redis;
  /** The connection that subscribes (a subscribed connection can do nothing else); by default a duplicate of `redis`. Closed with the store. */
  subscriber?: Redis;
  prefix: string;
  /** The access tokens' lifetime: entries need not outlive it. */
  ttlSeconds: number;
  record: SessionRecord;
  /** Told when Redis failed and the store answered from the database instead; must not throw. */
  onDegraded?: (message: string, error: unknown) => void;
  /** How often changes Redis refused and an unfinished catch-up are tried again. */
  retryIntervalMs?: number;
  /** How often this instance publishes the heartbeat it listens for. */
  heartbeatIntervalMs?: number;
  /**
   * How late a change may reach this instance from another (README, "Revocations survive a Redis outage"): when this instance has not heard its own
   * heartbeat for this long, its subscription may be missing changes, and the database answers.
   */
  maxLagMs?: number;
}

/** A store shared through Redis that never loses a revocation and never answers from a subscription it cannot trust. */
export type DurableSessionStateStore = SessionStateStore & {
  /** Caught up with the database and hearing its own heartbeat: lookups are answered from memory. */
  readonly synced: boolean;
  /** Revocations and role changes Redis has not taken yet. */
  readonly pendingWrites: number;
  close(): void;
};

/** `from`: the publishing instance, which applied the change when it made it. */
type ChangeMessage = { from: string } & (
  | { type: 'revoke'; sessionIds: readonly string[] }
  | { type: 'role'; userId: string; role: Role }
);
type ChannelMessage = ChangeMessage | { type: 'heartbeat'; instance: string; sentAt: number };

/**
 * Every instance keeps every revocation and role change of the last access-token lifetime in
 * memory, so an ordinary call's check is a lookup in a Map, with no round trip. Changes travel by
 * Redis pub/sub, which may drop or delay messages; four rules make that safe:
 * - the instance that makes a change applies it to its own memory at once;
 * - a change Redis refuses to publish is kept and published again until Redis takes it;
 * - every instance publishes a heartbeat and listens for it: after a (re)connect, at start, or when
 *   it has not heard its own heartbeat within `maxLagMs`, it stops trusting its memory and asks
 *   PostgreSQL on every call;
 * - it trusts its memory again only after hearing a heartbeat it sent since then (so the
 *   subscription delivers again) and then copying the revocations and roles of the last token
 *   lifetime from PostgreSQL. A change committed before that copy is in it; one committed after is
 *   published after the heartbeat, on a subscription that delivers.
 */
export function createRedisSessionState(options: RedisSessionStateOptions): DurableSessionStateStore {
  const { redis, ttlSeconds, record } = options;
  const retryIntervalMs = options.retryIntervalMs ?? 250;
  const heartbeatIntervalMs = options.heartbeatIntervalMs ?? 200;
  const maxLagMs = options.maxLagMs ?? 1000;
  const channel = `${options.prefix}session-state`;
  const instance = randomUUID();
  const known = createMemoryState(ttlSeconds, Date.now);
  const pending: ChangeMessage[] = [];
  const subscriber =
    options.subscriber ??
    redis.duplicate({ enableOfflineQueue: true, commandTimeout: undefined, autoResubscribe: false });
  let synced = false;
  // When memory stopped being trusted: a heartbeat sent before then proves nothing.
  let distrustedAt = Date.now();
  // When the newest heartbeat this instance has heard from itself was sent.
  let heardSentAt = 0;
  // Bumped whenever memory stops being trusted, so a catch-up that raced that does not claim to be current.
  let epoch = 0;
  let catchingUp = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let closed = false;

  function distrust(reason: string): void {
    if (closed) return;
    epoch += 1;
    distrustedAt = Date.now();
    if (!synced) return;
    synced = false;
    options.onDegraded?.(reason, undefined);
  }

  // Users whose role a message set while a catch-up was reading the record: its snapshot may be
  // older than the message, and must not undo it.
  const rolesSetDuringCatchUp = new Set<string>();

  function apply(message: ChangeMessage): void {
    if (message.type === 'revoke') {
      known.revoke(message.sessionIds);
      return;
    }
    known.setRole(message.userId, message.role);
    if (catchingUp) rolesSetDuringCatchUp.add(message.userId);
  }

  const publish = async (message: ChannelMessage) => void (await redis.publish(channel, JSON.stringify(message)));

  async function flushPending(): Promise<void> {
    while (pending.length > 0) {
      await publish(pending[0] as ChangeMessage);
      pending.shift();
    }
  }

  function scheduleRetry(): void {
    if (closed || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void catchUp();
    }, retryIntervalMs);
    retryTimer.unref();
  }

  /** Publishes what Redis refused; when memory is not trusted and the subscription delivers again, copies PostgreSQL in. */
  async function catchUp(): Promise<void> {
    if (closed || catchingUp) return;
    catchingUp = true;
    const startedIn = epoch;
    try {
      await flushPending();
      if (!synced && heardSentAt >= distrustedAt) {
        const since = new Date(Date.now() - ttlSeconds * 1000);
        const [revoked, roles] = await Promise.all([
          record.sessionsRevokedSince(since),
          record.rolesChangedSince(since),
        ]);
        known.revoke(revoked);
        for (const { userId, role } of roles) if (!rolesSetDuringCatchUp.has(userId)) known.setRole(userId, role);
        if (startedIn === epoch) synced = true;
      }
    } catch (error) {
      options.onDegraded?.('could not catch up with the session record; retrying', error);
    } finally {
      catchingUp = false;
      rolesSetDuringCatchUp.clear();
    }
    if (pending.length > 0) scheduleRetry();
  }

  subscriber.on('message', (from: string, text: string) => {
    if (from !== channel) return;
    let message: ChannelMessage;
    try {
      message = JSON.parse(text) as ChannelMessage;
    } catch {
      return;
    }
    if (message.type !== 'heartbeat') {
      // Its own change, heard back after newer ones it made, must not undo them.
      if (message.from !== instance) apply(message);
      return;
    }
    if (message.instance !== instance) return;
    heardSentAt = Math.max(heardSentAt, message.sentAt);
    if (!synced && message.sentAt >= distrustedAt) void catchUp();
  });
  const beat = () =>
    publish({ type: 'heartbeat', instance, sentAt: Date.now() }).catch(() => {
      // Not hearing it is what counts; the next beat tries again.
    });
  // Subscribed on every connect, whether or not an earlier attempt succeeded; the first heartbeat
  // right after, so that catching up need not wait for the timer.
  const subscribe = () => void subscriber.subscribe(channel).then(beat, () => {});
  subscriber.on('ready', subscribe);
  subscriber.on('close', () => distrust('session-state subscription lost; the database answers until caught up'));
  // The publishing connection's errors are logged by its owner; this one's show as lost heartbeats.
  subscriber.on('error', () => {});
  if (subscriber.status === 'wait') subscriber.connect().catch(() => {});
  else if (subscriber.status === 'ready') subscribe();

  /** Past the bound without hearing itself, a change may have been published that this instance has not heard. */
  function checkLag(): void {
    if (synced && Date.now() - heardSentAt > maxLagMs) {
      distrust('session-state heartbeat not heard in time; the database answers until caught up');
    }
  }

  const heartbeat = setInterval(() => {
    checkLag();
    void beat();
  }, heartbeatIntervalMs);
  heartbeat.unref();

  async function share(message: ChangeMessage, refused: string): Promise<void> {
    apply(message);
    if (pending.length === 0) {
      try {
        return await publish(message);
      } catch (error) {
        options.onDegraded?.(refused, error);
      }
    }
    // Behind earlier refused changes, so that a role's changes are heard in the order they were made.
    pending.push(message);
    scheduleRetry();
  }

  async function fromRecord(sessionId: string): Promise<SessionState> {
    const session = await record.findSession(sessionId);
    return { revoked: !session || session.revoked, role: session?.role };
  }

  return {
    get synced() {
      return synced;
    },
    get pendingWrites() {
      return pending.reduce((sum, message) => sum + (message.type === 'revoke' ? message.sessionIds.length : 1), 0);
    },
    async revokeSessions(sessionIds) {
      if (sessionIds.length === 0) return;
      await share(
        { from: instance, type: 'revoke', sessionIds },
        'Redis refused a revocation; kept and retried until it takes it',
      );
    },
    async setUserRole(userId, role) {
      await share(
        { from: instance, type: 'role', userId, role },
        'Redis refused a role change; kept and retried until it takes it',
      );
    },
    lookup(sessionId, userId) {
      if (known.isRevoked(sessionId)) return { revoked: true, role: undefined };
      // Checked here too: the heartbeat timer may be late on a busy event loop.
      checkLag();
      if (!synced) return fromRecord(sessionId);
      return { revoked: false, role: known.roleOf(userId) };
    },
    close() {
      closed = true;
      clearTimeout(retryTimer);
      clearInterval(heartbeat);
      subscriber.removeAllListeners('message');
      subscriber.disconnect();
    },
  };
}
