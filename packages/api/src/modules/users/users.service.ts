// Rules for users.*: a signed-in user edits only their own profile fields; search sees active users only.
import type { UserUpdate } from '@keel/db';
import { unauthorized } from '../../common/errors.js';
import type { AuthedContext } from '../../trpc.js';
import type { User } from '../auth/auth.schema.js';
import { toUser, toUserSummary } from './users.mapper.js';
import { findUserById, searchActiveUsers, updateUser } from './users.repository.js';
import type { SearchUsersInput, UpdateProfileInput, UserSearchResult } from './users.schema.js';

export async function updateProfile(ctx: AuthedContext, input: UpdateProfileInput): Promise<User> {
  // Built field by field from the parsed input, so nothing but name and avatar can ever be written.
  const changes: UserUpdate = {};
  if (input.name !== undefined) changes.name = input.name;
  if (input.avatarUrl !== undefined) changes.avatar_url = input.avatarUrl;
  const row =
    Object.keys(changes).length === 0
      ? await findUserById(ctx.db, ctx.user.id)
      : await updateUser(ctx.db, ctx.user.id, changes);
  if (!row) throw unauthorized('User no longer exists');
  return toUser(row);
}

export async function searchUsers(ctx: AuthedContext, input: SearchUsersInput): Promise<UserSearchResult> {
  const rows = await searchActiveUsers(ctx.db, input.query, input.limit);
  return { items: rows.map(toUserSummary) };
}
