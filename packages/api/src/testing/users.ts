// Signed-in test users of each role.
import { randomBytes } from 'node:crypto';
import type { Role } from '@keel/db';
import type { AppDeps } from '../context.js';
import type { LoginResult } from '../modules/auth/auth.schema.js';
import { callerFor } from './deps.js';

export const TEST_PASSWORD = 'Passw0rd!';

export interface TestUser {
  id: string;
  email: string;
  role: Role;
  accessToken: string;
  refreshToken: string;
  /** The session (refresh-token family) the tokens belong to. */
  sessionId: string;
  caller: Awaited<ReturnType<typeof callerFor>>;
}

/**
 * The tokens of an `auth.login` answer, for a test whose user has no second factor: a sign-in that
 * asks for a code fails the test here, saying so, rather than at a missing token later.
 */
export function tokensOf<T extends LoginResult>(result: T): Extract<T, { mfaRequired: false }> {
  if (result.mfaRequired) throw new Error('auth.login asked for a second factor (mfaRequired): call auth.mfa.verify');
  return result as Extract<T, { mfaRequired: false }>;
}

/** The `sid` claim of an access token. */
export function sessionIdOfAccessToken(accessToken: string): string {
  const payload = accessToken.split('.')[1] ?? '';
  return (JSON.parse(Buffer.from(payload, 'base64url').toString()) as { sid: string }).sid;
}

/** Registers a user through `auth.register`, gives it `role`, and signs it in again so the token carries the role. */
export async function createUser(
  deps: AppDeps,
  options: { role?: Role; name?: string; email?: string; balance?: number } = {},
): Promise<TestUser> {
  const role = options.role ?? 'USER';
  const email = options.email ?? `user-${randomBytes(5).toString('hex')}@example.com`;
  const anonymous = await callerFor(deps);
  const registered = await anonymous.auth.register({
    email,
    password: TEST_PASSWORD,
    name: options.name ?? 'Test User',
  });
  if (role !== 'USER' || options.balance !== undefined) {
    await deps.db
      .updateTable('users')
      .set({ role, ...(options.balance !== undefined ? { balance: options.balance } : {}) })
      .where('id', '=', registered.user.id)
      .execute();
    // As a role change does (admin.users.setRole): every instance's session state hears it.
    if (role !== 'USER') await deps.sessionState.setUserRole(registered.user.id, role);
  }
  const payload =
    role === 'USER' ? registered : tokensOf(await anonymous.auth.login({ email, password: TEST_PASSWORD }));
  return {
    id: payload.user.id,
    email,
    role,
    accessToken: payload.accessToken,
    refreshToken: payload.refreshToken,
    sessionId: sessionIdOfAccessToken(payload.accessToken),
    caller: await callerFor(deps, { accessToken: payload.accessToken }),
  };
}
