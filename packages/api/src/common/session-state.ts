// What every instance must know about sessions before the access tokens expire: revoked sessions
// and changed roles. In process without Redis, shared through Redis with it.

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

/**
 * Entries only need to outlive the access tokens they concern: after `ttlSeconds` every such
 * token has expired on its own.
 */
export function createMemorySessionState(ttlSeconds: number, now: () => number = Date.now): SessionStateStore {
  const revoked = new Map<string, number>();
  const roles = new Map<string, { role: Role; until: number }>();
  const until = () => now() + ttlSeconds * 1000;

  function sweep(): void {
    const t = now();
    for (const [id, expires] of revoked) if (expires <= t) revoked.delete(id);
    for (const [id, entry] of roles) if (entry.until <= t) roles.delete(id);
  }

  return {
    async revokeSessions(sessionIds) {
      sweep();
      for (const id of sessionIds) revoked.set(id, until());
    },
    async setUserRole(userId, role) {
      sweep();
      roles.set(userId, { role, until: until() });
    },
    async lookup(sessionId, userId) {
      const t = now();
      const revokedUntil = revoked.get(sessionId);
      const role = roles.get(userId);
      return {
        revoked: revokedUntil !== undefined && revokedUntil > t,
        role: role && role.until > t ? role.role : undefined,
      };
    },
  };
}

export function createRedisSessionState(redis: Redis, prefix: string, ttlSeconds: number): SessionStateStore {
  const sessionKey = (id: string) => `${prefix}session-revoked:${id}`;
  const roleKey = (id: string) => `${prefix}user-role:${id}`;
  return {
    async revokeSessions(sessionIds) {
      if (sessionIds.length === 0) return;
      const pipeline = redis.pipeline();
      for (const id of sessionIds) pipeline.set(sessionKey(id), '1', 'EX', ttlSeconds);
      const results = await pipeline.exec();
      const failed = results?.find(([error]) => error);
      if (failed?.[0]) throw failed[0];
    },
    async setUserRole(userId, role) {
      await redis.set(roleKey(userId), role, 'EX', ttlSeconds);
    },
    async lookup(sessionId, userId) {
      const [revoked, role] = await redis.mget(sessionKey(sessionId), roleKey(userId));
      return { revoked: revoked === '1', role: (role ?? undefined) as Role | undefined };
    },
  };
}
