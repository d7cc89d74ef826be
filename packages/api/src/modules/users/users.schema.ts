// zod inputs and outputs of the users procedures, shared with the web app's forms.
import { ROLES } from '@keel/db/schema';
import { z } from 'zod';
import { NameInput, text } from '../common.schema.js';

/** The database's own list of roles, so a role added there is one the API accepts. */
export const RoleSchema = z.enum(ROLES);

/** A user as every procedure returns it (users.mapper.ts `toUser`): never the password hash. */
export const User = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: RoleSchema,
  active: z.boolean(),
  /** The address was proven by following a link sent to it (or an invitation, or set by the seed). */
  emailVerified: z.boolean(),
  avatarUrl: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type User = z.infer<typeof User>;

export const SEARCH_USERS_MAX_LIMIT = 50;

/**
 * An https URL on a domain name (no IPs, no localhost), normalized so it is stored one way. A text
 * check first: normalizing alone would quietly turn a NUL into `%00`.
 */
export const AvatarUrl = text()
  .check(
    z.url({
      protocol: /^https$/,
      hostname: z.regexes.domain,
      normalize: true,
      error: 'Avatar URL must be an https URL',
    }),
  )
  .max(2048, 'Avatar URL must be at most 2048 characters');

/** Only the caller's own, self-editable fields; anything else (role, balance…) is stripped by zod. */
export const UpdateProfileInput = z.object({
  name: NameInput.optional(),
  /** `null` clears the avatar. */
  avatarUrl: AvatarUrl.nullable().optional(),
});
export type UpdateProfileInput = z.infer<typeof UpdateProfileInput>;

export const SearchUsersInput = z.object({
  query: text({ error: 'Query is required' })
    .trim()
    .min(1, 'Query is required')
    .max(100, 'Query must be at most 100 characters'),
  limit: z.number().int().min(1).max(SEARCH_USERS_MAX_LIMIT).default(10),
});
export type SearchUsersInput = z.infer<typeof SearchUsersInput>;

export const UserSummary = z.object({ id: z.string(), name: z.string(), email: z.string() });
export type UserSummary = z.infer<typeof UserSummary>;

export const UserSearchResult = z.object({ items: z.array(UserSummary).max(SEARCH_USERS_MAX_LIMIT) });
export type UserSearchResult = z.infer<typeof UserSearchResult>;
