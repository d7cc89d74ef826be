// API keys: a script's credential. `keel_<prefix>_<secret>` is shown once; only its SHA-256 is
// stored, found by its public prefix and compared in constant time. A call with a key acts as its
// owner with the owner's current role; a `read` key calls queries only, and no key calls auth.*
// (but auth.me), apiKeys.* or admin.* (trpc.ts). What a key may do is read from the database at
// most once a second per instance (`createApiKeyVerifier`): a revoked or expired key, or one whose
// owner was deactivated or changed role, is refused within a second everywhere, and on the next
// call on the instance that made the change (it forgets what it cached).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyRow, DB } from '@keel/db';
import type { Kysely } from 'kysely';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import { AppError, conflict, isUniqueViolation } from '../../common/errors.js';
import { decodeIdCursor, encodeCursor } from '../../common/pagination.js';
import type { AccessClaims } from '../../common/tokens.js';
import type { AuthedContext } from '../../trpc.js';
import { audit } from '../audit/audit.service.js';
import * as repo from './api-keys.repository.js';
import type {
  AdminApiKeyPage,
  AdminListApiKeysInput,
  ApiKey,
  ApiKeyIdInput,
  ApiKeyList,
  CreateApiKeyInput,
  CreatedApiKey,
} from './api-keys.schema.js';

const KEY_FORM = /^keel_([a-z0-9]{8})_[A-Za-z0-9_-]{43}$/;
const PREFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** Live keys one person may hold; more is a sign of keys never cleaned up. */
const LIVE_KEYS_MAX = 50;
const DAY_MS = 24 * 60 * 60 * 1000;
const LAST_USED_EVERY_MS = 60_000;

/** A bearer credential that is an API key rather than an access token (a JWT never starts so). */
export const isApiKey = (credential: string) => credential.startsWith('keel_');

const hashKey = (key: string) => createHash('sha256').update(key, 'utf8').digest();

export interface ApiKeyVerifier {
  /** The claims a live key carries (its owner, their role now, the key's id and scope), or undefined. */
  verify(key: string): Promise<AccessClaims | undefined>;
  /** This instance forgets what it cached of the key: its next use reads the database. */
  forgetKey(keyId: string): void;
  /** The same for every key of the user (deactivated, or given another role). */
  forgetUser(userId: string): void;
}

export function createApiKeyVerifier(options: {
  db: Kysely<DB>;
  logger: Logger;
  /** How old a cached answer may be; the revocation bound on other instances. */
  maxAgeMs?: number;
  now?: () => number;
}): ApiKeyVerifier {
  const { db, logger } = options;
  const maxAgeMs = options.maxAgeMs ?? 1000;
  const now = options.now ?? Date.now;
  // Unknown keys are remembered too, so junk sent again and again costs one query a second.
  const cache = new LRUCache<string, { claims: AccessClaims | undefined; at: number }>({ max: 10_000 });

  async function lookUp(key: string, prefix: string): Promise<AccessClaims | undefined> {
    const row = await repo.findLiveKeyByPrefix(db, prefix);
    if (!row || !timingSafeEqual(hashKey(key), Buffer.from(row.key_hash, 'hex'))) return undefined;
    if (!row.last_used_at || now() - row.last_used_at.getTime() > LAST_USED_EVERY_MS) {
      // Off the call's path: the answer does not wait for the write.
      repo
        .touchApiKey(db, row.id)
        .catch((err: unknown) => logger.warn({ err, keyId: row.id }, 'could not record an API key use'));
    }
    return {
      userId: row.user_id,
      role: row.role,
      sessionId: `apikey:${row.id}`,
      expiresAt: row.expires_at.getTime(),
      apiKey: { id: row.id, scope: row.scope },
    };
  }

  function forget(match: (claims: AccessClaims) => boolean): void {
    for (const [key, entry] of cache.entries()) if (entry.claims && match(entry.claims)) cache.delete(key);
  }

  return {
    async verify(key) {
      const form = KEY_FORM.exec(key);
      if (!form?.[1]) return undefined;
      const cached = cache.get(key);
      let claims: AccessClaims | undefined;
      if (cached && now() - cached.at < maxAgeMs) claims = cached.claims;
      else {
        claims = await lookUp(key, form[1]);
        cache.set(key, { claims, at: now() });
      }
      return claims && (claims.expiresAt ?? 0) > now() ? claims : undefined;
    },
    forgetKey: (keyId) => forget((claims) => claims.apiKey?.id === keyId),
    forgetUser: (userId) => forget((claims) => claims.userId === userId),
  };
}

function newKey(): { key: string; prefix: string } {
  const prefix = Array.from(randomBytes(8), (byte) => PREFIX_ALPHABET[byte % PREFIX_ALPHABET.length]).join('');
  return { prefix, key: `keel_${prefix}_${randomBytes(32).toString('base64url')}` };
}

function statusOf(row: ApiKeyRow): ApiKey['status'] {
  if (row.revoked_at) return 'revoked';
  return row.expires_at.getTime() <= Date.now() ? 'expired' : 'active';
}

function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scope: row.scope,
    status: statusOf(row),
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}

const notFound = () => new AppError('NOT_FOUND', 'API key not found');

// --- apiKeys.* ---------------------------------------------------------------------------------

export async function createApiKey(ctx: AuthedContext, input: CreateApiKeyInput): Promise<CreatedApiKey> {
  if ((await repo.countLiveUserKeys(ctx.db, ctx.user.id)) >= LIVE_KEYS_MAX) {
    throw conflict(`You already have ${LIVE_KEYS_MAX} live API keys: revoke one you no longer use`);
  }
  const expiresAt = new Date(Date.now() + input.expiresInDays * DAY_MS);
  for (;;) {
    const { key, prefix } = newKey();
    try {
      const row = await ctx.db.transaction().execute(async (trx) => {
        const inserted = await repo.insertApiKey(trx, {
          userId: ctx.user.id,
          name: input.name,
          prefix,
          keyHash: hashKey(key).toString('hex'),
          scope: input.scope,
          expiresAt,
        });
        await audit(trx, ctx, {
          actorId: ctx.user.id,
          action: 'apikey.created',
          targetType: 'api_key',
          targetId: inserted.id,
          metadata: { name: inserted.name, prefix, scope: inserted.scope, expiresAt: expiresAt.toISOString() },
        });
        // A security notice: the owner learns of a key they did not make.
        await ctx.jobs.send(trx, 'account.notice', { userId: ctx.user.id, notice: 'api_key_created' });
        return inserted;
      });
      return {
        id: row.id,
        name: row.name,
        prefix: row.prefix,
        scope: row.scope,
        createdAt: row.created_at.toISOString(),
        expiresAt: row.expires_at.toISOString(),
        key,
      };
    } catch (error) {
      // Two keys drew the same public prefix (one in 36^8): draw again.
      if (!isUniqueViolation(error)) throw error;
    }
  }
}

export async function listApiKeys(ctx: AuthedContext): Promise<ApiKeyList> {
  return { items: (await repo.listUserKeys(ctx.db, ctx.user.id)).map(toApiKey) };
}

async function revoke(ctx: AuthedContext, id: string, ownerId: string | undefined): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const row = await repo.revokeKey(trx, id, ownerId);
    if (!row) {
      const existing = await repo.findKeyById(trx, id);
      if (!existing || (ownerId !== undefined && existing.user_id !== ownerId)) throw notFound();
      throw conflict('This key was already revoked');
    }
    await audit(trx, ctx, {
      actorId: ctx.user.id,
      action: 'apikey.revoked',
      targetType: 'api_key',
      targetId: row.id,
      metadata: { name: row.name, prefix: row.prefix, ownerId: row.user_id },
    });
  });
  ctx.apiKeys.forgetKey(id);
}

export async function revokeApiKey(ctx: AuthedContext, input: ApiKeyIdInput): Promise<{ success: true }> {
  await revoke(ctx, input.id.toLowerCase(), ctx.user.id);
  return { success: true };
}

// --- admin.apiKeys.* ---------------------------------------------------------------------------

export async function listAllApiKeys(ctx: AuthedContext, input: AdminListApiKeysInput): Promise<AdminApiKeyPage> {
  const rows = await repo.listAllKeys(ctx.db, { afterId: decodeIdCursor(input.cursor), limit: input.limit + 1 });
  const hasMore = rows.length > input.limit;
  const page = hasMore ? rows.slice(0, input.limit) : rows;
  const last = page.at(-1);
  return {
    items: page.map((row) => ({
      ...toApiKey(row),
      owner:
        row.owner_name !== null && row.owner_email !== null
          ? { id: row.user_id, name: row.owner_name, email: row.owner_email }
          : null,
    })),
    nextCursor: hasMore && last ? encodeCursor(last.id) : null,
  };
}

export async function adminRevokeApiKey(ctx: AuthedContext, input: ApiKeyIdInput): Promise<{ success: true }> {
  await revoke(ctx, input.id.toLowerCase(), undefined);
  return { success: true };
}
