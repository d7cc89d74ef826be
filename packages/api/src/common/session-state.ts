// What every instance must know about sessions before the access tokens expire: revoked sessions
// and changed roles. In process without Redis, shared through Redis with it; PostgreSQL is the
// record either way (docs: README, "Security").

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
  lookup(sessionId: string, userId: string): Promise<SessionState>;
}

interface MemoryState {
  revoke(sessionIds: readonly string[]): void;
  setRole(userId: string, role: Role): void;
  isRevoked(sessionId: string): boolean;
  roleOf(userId: string): Role | undefined;
}

/**
 * Entries only need to outlive the access tokens they concern: after `ttlSeconds` every such
 * token has expired on its own. Synchronous, so that the Redis store's look at its own revocations
 * costs no extra turn of the event loop on every request.
 */
function createMemoryState(ttlSeconds: number, now: () => number): MemoryState {
  const revoked = new Map<string, number>();
  const roles = new Map<string, { role: Role; until: number }>();
  const until = () => now() + ttlSeconds * 1000;

  function sweep(): void {
    const t = now();
    for (const [id, expires] of revoked) if (expires <= t) revoked.delete(id);
    for (const [id, entry] of roles) if (entry.until <= t) roles.delete(id);
  }

  return {
    revoke(sessionIds) {
      sweep();
      for (const id of sessionIds) revoked.set(id, until());
    },
    setRole(userId, role) {
      sweep();
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
    async lookup(sessionId, userId) {
      return { revoked: state.isRevoked(sessionId), role: state.roleOf(userId) };
    },
  };
}

/**
 * What PostgreSQL, the record of every revocation and role, says about sessions: the Redis store
 * reads it when Redis cannot answer, and catches Redis up from it after every reconnect.
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
  redis: Redis;
  prefix: string;
  /** The access tokens' lifetime: entries need not outlive it. */
  ttlSeconds: number;
  record: SessionRecord;
  /** Told when Redis failed and the store answered from memory or the database instead; must not throw. */
  onDegraded?: (message: string, error: unknown) => void;
  /** How often writes Redis refused and an unfinished catch-up are tried again. */
  retryIntervalMs?: number;
}

/** A store backed by Redis that never loses a revocation and never answers from a Redis it cannot trust. */
export type DurableSessionStateStore = SessionStateStore & {
  /** Until a catch-up after a (re)connect has finished, lookups are answered by the database. */
  readonly synced: boolean;
  /** Revocations and role changes Redis has not taken yet. */
  readonly pendingWrites: number;
  close(): void;
};

/**
 * Shared through Redis, with three guarantees Redis alone does not give:
 * - the instance that revokes a session refuses it from its next request on, whatever Redis does
 *   (it remembers its own revocations in memory);
 * - a write Redis refuses is kept and retried until Redis takes it;
 * - after any disconnection Redis may have lost keys (it may have restarted empty, or another
 *   instance may have revoked sessions while it was away), so every (re)connect is followed by a
 *   catch-up that copies the revocations and roles of the last access-token lifetime from
 *   PostgreSQL into Redis; until that has finished, and whenever Redis fails a lookup, the
 *   database answers.
 */
export function createRedisSessionState(options: RedisSessionStateOptions): DurableSessionStateStore {
  const { redis, prefix, ttlSeconds, record } = options;
  const retryIntervalMs = options.retryIntervalMs ?? 250;
  const sessionKey = (id: string) => `${prefix}session-revoked:${id}`;
  const roleKey = (id: string) => `${prefix}user-role:${id}`;
  // This instance's own revocations, authoritative here at once (its role changes Redis lacks wait
  // in `pendingRoles`, which lookups read); then the queue of what Redis still lacks.
  const own = createMemoryState(ttlSeconds, Date.now);
  const pendingSessions = new Set<string>();
  const pendingRoles = new Map<string, Role>();
  // A client not yet ready starts its first catch-up on 'ready', like every reconnect.
  let synced = redis.status === 'ready';
  // Bumped on every disconnection, so a catch-up that raced one does not claim to be current.
  let connection = 0;
  let catchingUp = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let closed = false;

  /** Sets each key to its value, expiring with the access tokens, in one round trip. */
  async function write(entries: readonly (readonly [key: string, value: string])[]): Promise<void> {
    if (entries.length === 0) return;
    const pipeline = redis.pipeline();
    for (const [key, value] of entries) pipeline.set(key, value, 'EX', ttlSeconds);
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error);
    if (failed?.[0]) throw failed[0];
  }
  const revocations = (sessionIds: Iterable<string>) => Array.from(sessionIds, (id) => [sessionKey(id), '1'] as const);

  async function flushPending(): Promise<void> {
    const sessions = [...pendingSessions];
    const roles = [...pendingRoles];
    await write([...revocations(sessions), ...roles.map(([userId, role]) => [roleKey(userId), role] as const)]);
    for (const id of sessions) pendingSessions.delete(id);
    // A newer change made while this write was in flight stays queued.
    for (const [userId, role] of roles) if (pendingRoles.get(userId) === role) pendingRoles.delete(userId);
  }

  function scheduleRetry(): void {
    if (closed || retryTimer) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void catchUp();
    }, retryIntervalMs);
    retryTimer.unref();
  }

  /** Brings Redis up to date with this instance's queue and with PostgreSQL; retried until it succeeds. */
  async function catchUp(): Promise<void> {
    if (closed || catchingUp || redis.status !== 'ready') return;
    if (synced && pendingSessions.size === 0 && pendingRoles.size === 0) return;
    catchingUp = true;
    const startedOn = connection;
    try {
      await flushPending();
      if (!synced) {
        const since = new Date(Date.now() - ttlSeconds * 1000);
        const [revoked, roles] = await Promise.all([
          record.sessionsRevokedSince(since),
          record.rolesChangedSince(since),
        ]);
        await write([...revocations(revoked), ...roles.map(({ userId, role }) => [roleKey(userId), role] as const)]);
        if (startedOn === connection) synced = true;
      }
    } catch (error) {
      options.onDegraded?.('could not bring Redis up to date; retrying', error);
    } finally {
      catchingUp = false;
    }
    if (!synced || pendingSessions.size > 0 || pendingRoles.size > 0) scheduleRetry();
  }

  const onClose = () => {
    connection += 1;
    synced = false;
  };
  const onReady = () => void catchUp();
  redis.on('close', onClose);
  redis.on('ready', onReady);

  async function fromRecord(sessionId: string): Promise<SessionState> {
    const session = await record.findSession(sessionId);
    return { revoked: !session || session.revoked, role: session?.role };
  }

  return {
    get synced() {
      return synced;
    },
    get pendingWrites() {
      return pendingSessions.size + pendingRoles.size;
    },
    async revokeSessions(sessionIds) {
      if (sessionIds.length === 0) return;
      own.revoke(sessionIds);
      try {
        await write(revocations(sessionIds));
      } catch (error) {
        for (const id of sessionIds) pendingSessions.add(id);
        options.onDegraded?.('Redis refused a revocation; kept and retried until it takes it', error);
        scheduleRetry();
      }
    },
    async setUserRole(userId, role) {
      pendingRoles.delete(userId);
      try {
        await redis.set(roleKey(userId), role, 'EX', ttlSeconds);
      } catch (error) {
        pendingRoles.set(userId, role);
        options.onDegraded?.('Redis refused a role change; kept and retried until it takes it', error);
        scheduleRetry();
      }
    },
    async lookup(sessionId, userId) {
      if (own.isRevoked(sessionId)) return { revoked: true, role: undefined };
      if (!synced) return fromRecord(sessionId);
      let revoked: string | null | undefined;
      let role: string | null | undefined;
      try {
        [revoked, role] = await redis.mget(sessionKey(sessionId), roleKey(userId));
      } catch (error) {
        options.onDegraded?.('session-state lookup failed in Redis; the database answered', error);
        return fromRecord(sessionId);
      }
      return {
        revoked: revoked === '1',
        // A role change Redis has not taken yet is newer than whatever Redis holds.
        role: pendingRoles.get(userId) ?? ((role ?? undefined) as Role | undefined),
      };
    },
    close() {
      closed = true;
      clearTimeout(retryTimer);
      redis.off('close', onClose);
      redis.off('ready', onReady);
    },
  };
}
