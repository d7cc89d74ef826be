// Rules for users.*: a signed-in user edits only their own profile fields; search sees active users
// only and holds one of the caller's search slots. Also what other modules may know of users (auth
// signs them in, admin changes role and activation): they reach the users table through the
// functions below, never through the repository.
import type { DB, Role, UserRow, UserUpdate } from '@keel/db';
import type { Kysely } from 'kysely';
import { unauthorized } from '../../common/errors.js';
import { withSearchSlot } from '../../common/search-limit.js';
import type { AuthedContext } from '../../trpc.js';
import { toUser, toUserSummary } from './users.mapper.js';
import { findUserById, findUserSummaries, searchActiveUsers, updateUser } from './users.repository.js';
import type { SearchUsersInput, UpdateProfileInput, User, UserSearchResult, UserSummary } from './users.schema.js';

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
} from './users.repository.js';

/** Name and email of each of `ids` by id, in one statement whatever their number; unknown ids are absent. */
/**
 * `password_version` of an account single sign-on created: it has a hash of a secret nobody was
 * told, so no password signs in to it until a reset link sets one.
 */
export const NO_PASSWORD_VERSION = -1;

export async function userSummariesById(db: Kysely<DB>, ids: readonly string[]): Promise<Map<string, UserSummary>> {
  if (ids.length === 0) return new Map();
  const rows = await findUserSummaries(db, [...new Set(ids)]);
  return new Map(rows.map((row) => [row.id, toUserSummary(row)]));
}

/**
 * An admin's role change. Only the role is written, and `updated_at` moves with it: the
 * session-state store catches up on role changes by that column after a Redis outage.
 */
export function setUserRole(db: Kysely<DB>, id: string, role: Role): Promise<UserRow | undefined> {
  return updateUser(db, id, { role });
}

/** The address is proven: a verification link, a password-reset link or an invitation was followed. */
export function markEmailVerified(db: Kysely<DB>, id: string): Promise<UserRow | undefined> {
  return updateUser(db, id, { email_verified: true });
}

/** The account's new address, proven by the link that was sent to it. */
export function setEmail(db: Kysely<DB>, id: string, email: string): Promise<UserRow | undefined> {
  return updateUser(db, id, { email, email_verified: true });
}

/** Whether the account's address is verified now (an access token says what it was when signed). */
export async function isEmailVerified(db: Kysely<DB>, id: string): Promise<boolean> {
  return (await findUserById(db, id))?.email_verified ?? false;
}

/** An admin's (de)activation: only the flag is written (sessions are auth's to revoke). */
export function setUserActive(db: Kysely<DB>, id: string, active: boolean): Promise<UserRow | undefined> {
  return updateUser(db, id, { active });
}

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
  const rows = await withSearchSlot(ctx, () => searchActiveUsers(ctx.db, input.query, input.limit));
  return { items: rows.map(toUserSummary) };
}
