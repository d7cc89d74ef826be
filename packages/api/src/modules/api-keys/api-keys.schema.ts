// zod inputs and outputs of apiKeys.* and admin.apiKeys.*, shared with the dashboard's forms.
import { API_KEY_SCOPES } from '@keel/db/schema';
import { z } from 'zod';
import { CursorInput, cursorPage, NameInput } from '../common.schema.js';
import { UserSummary } from '../users/users.schema.js';

/** `read`: queries only; `write`: queries and mutations. */
export const ApiKeyScopeSchema = z.enum(API_KEY_SCOPES);
export type ApiKeyScope = z.infer<typeof ApiKeyScopeSchema>;

export const API_KEY_DEFAULT_DAYS = 90;
export const API_KEY_MAX_DAYS = 365;

export const CreateApiKeyInput = z.object({
  name: NameInput,
  scope: ApiKeyScopeSchema,
  expiresInDays: z
    .number({ error: 'Expiry must be a number of days' })
    .int('Expiry must be a whole number of days')
    .min(1, 'A key lives at least 1 day')
    .max(API_KEY_MAX_DAYS, `A key lives at most ${API_KEY_MAX_DAYS} days`)
    .default(API_KEY_DEFAULT_DAYS),
});
export type CreateApiKeyInput = z.output<typeof CreateApiKeyInput>;

export const ApiKeyStatus = z.enum(['active', 'expired', 'revoked']);

export const ApiKey = z.object({
  id: z.string(),
  name: z.string(),
  /** The public part of the key (`keel_<prefix>_…`), to tell keys apart. */
  prefix: z.string(),
  scope: ApiKeyScopeSchema,
  status: ApiKeyStatus,
  createdAt: z.string(),
  expiresAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ApiKey = z.infer<typeof ApiKey>;

/** The answer of `apiKeys.create`: the only time the key itself is shown. */
export const CreatedApiKey = ApiKey.pick({ id: true, name: true, prefix: true, scope: true }).extend({
  createdAt: z.string(),
  expiresAt: z.string(),
  key: z.string(),
});
export type CreatedApiKey = z.infer<typeof CreatedApiKey>;

export const ApiKeyList = z.object({ items: z.array(ApiKey) });
export type ApiKeyList = z.infer<typeof ApiKeyList>;

export const ApiKeyIdInput = z.object({ id: z.uuid({ error: 'Invalid key id' }) });
export type ApiKeyIdInput = z.infer<typeof ApiKeyIdInput>;

/** Every user's keys, newest first, each naming its owner. */
export const AdminApiKey = ApiKey.extend({ owner: UserSummary.nullable() });
export const AdminListApiKeysInput = CursorInput;
export type AdminListApiKeysInput = z.output<typeof AdminListApiKeysInput>;
export const AdminApiKeyPage = cursorPage(AdminApiKey);
export type AdminApiKeyPage = z.infer<typeof AdminApiKeyPage>;
