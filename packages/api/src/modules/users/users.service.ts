// Rules for users.*: a signed-in user edits only their own profile fields; search sees active users
// only. Also what other modules may know of users (auth signs them in, admin changes role and
// activation): they reach the users table through the functions below, never through the repository.
import type { UserUpdate } from '@keel/db';
import { unauthorized } from '../../common/errors.js';
import type { AuthedContext } from '../../trpc.js';
import { toUser, toUserSummary } from './users.mapper.js';
import { findUserById, searchActiveUsers, updateUser } from './users.repository.js';
import type { SearchUsersInput, UpdateProfileInput, User, UserSearchResult } from './users.schema.js';

// For the other modules. Each function takes the database or the caller's transaction first (a
// transaction is a `Kysely<DB>`), so a change commits with the rest of theirs. Rows include the
// password hash: map them with `toUser` before they leave the server.
export { toUser } from './users.mapper.js';
export {
  findUserByEmail,
  findUserById,
  insertUser,
  lockUser,
  rehashPassword,
  setPassword,
  updateUser,
} from './users.repository.js';

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
