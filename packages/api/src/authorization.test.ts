// The authorization matrix: every procedure of the router, called as anonymous, GUEST,
// USER and ADMIN. A procedure added without an entry here fails the first test.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appRouter } from './root.js';
import {
  callerFor,
  createTestDeps,
  createUser,
  outcome,
  TEST_PASSWORD,
  type TestDeps,
  type TestUser,
} from './testing/index.js';

/** Who may call: anyone; any signed-in role (GUEST included); USER and ADMIN; ADMIN only. */
type Access = 'public' | 'signedIn' | 'member' | 'admin';
/** The people, and a USER's API keys (`Bearer keel_…`) of each scope. */
type Caller = 'anonymous' | 'GUEST' | 'USER' | 'ADMIN' | 'readKey' | 'writeKey';

interface MatrixEntry {
  access: Access;
  /** An input that the procedure accepts from an allowed caller acting as `user`. */
  input?: (user: TestUser) => unknown;
}

const uniqueEmail = () => `matrix-${randomUUID()}@example.com`;

const MATRIX: Record<string, MatrixEntry> = {
  'auth.register': { access: 'public', input: () => ({ email: uniqueEmail(), password: TEST_PASSWORD, name: 'M' }) },
  'auth.login': { access: 'public', input: (u) => ({ email: u.email, password: TEST_PASSWORD }) },
  'auth.refresh': { access: 'public', input: (u) => ({ refreshToken: u.refreshToken }) },
  'auth.logout': { access: 'public', input: () => ({}) },
  'auth.requestPasswordReset': { access: 'public', input: (u) => ({ email: u.email }) },
  // A well-formed token that matches nothing: anyone may try one, and is told the link is not valid.
  'auth.resetPassword': { access: 'public', input: () => ({ token: 'x'.repeat(43), newPassword: 'N3w-passw0rd' }) },
  'auth.verifyEmail': { access: 'public', input: () => ({ token: 'x'.repeat(43) }) },
  'auth.resendVerification': { access: 'signedIn' },
  'auth.requestEmailChange': {
    access: 'signedIn',
    input: () => ({ newEmail: uniqueEmail(), currentPassword: TEST_PASSWORD }),
  },
  'auth.confirmEmailChange': { access: 'public', input: () => ({ token: 'x'.repeat(43) }) },
  // An unknown invitation token: anyone may try one, and is told the invitation is no longer valid.
  'auth.invitation': { access: 'public', input: () => ({ token: 'x'.repeat(43) }) },
  'auth.acceptInvitation': {
    access: 'public',
    input: () => ({ token: 'x'.repeat(43), name: 'M', password: TEST_PASSWORD }),
  },
  'auth.logoutAll': { access: 'signedIn' },
  'auth.me': { access: 'signedIn' },
  'auth.sessions': { access: 'signedIn' },
  'auth.revokeSession': { access: 'signedIn', input: () => ({ sessionId: randomUUID() }) },
  'auth.changePassword': {
    access: 'signedIn',
    input: () => ({ currentPassword: TEST_PASSWORD, newPassword: 'N3w-passw0rd' }),
  },
  'users.updateProfile': { access: 'signedIn', input: () => ({ name: 'Renamed' }) },
  'users.search': { access: 'member', input: () => ({ query: 'matrix' }) },
  'projects.create': { access: 'member', input: () => ({ name: `Project ${randomUUID()}` }) },
  'projects.list': { access: 'signedIn', input: () => ({}) },
  'projects.get': { access: 'signedIn', input: () => ({ id: randomUUID() }) },
  'projects.update': { access: 'member', input: () => ({ id: randomUUID(), name: 'X' }) },
  'projects.delete': { access: 'member', input: () => ({ id: randomUUID() }) },
  'credits.balance': { access: 'signedIn' },
  'credits.transfer': { access: 'member', input: () => ({ toUserId: randomUUID(), amount: 1 }) },
  'credits.history': { access: 'signedIn', input: () => ({}) },
  'credits.balanceHistory': { access: 'signedIn', input: () => ({ days: 7 }) },
  'admin.users.list': { access: 'admin', input: () => ({}) },
  'admin.users.setRole': { access: 'admin', input: () => ({ userId: randomUUID(), role: 'USER' }) },
  'admin.users.setActive': { access: 'admin', input: () => ({ userId: randomUUID(), active: true }) },
  'admin.users.get': { access: 'admin', input: (u) => ({ userId: u.id }) },
  'admin.users.revokeSessions': { access: 'admin', input: () => ({ userId: randomUUID() }) },
  'admin.credits.grant': { access: 'admin', input: (u) => ({ userId: u.id, amount: 1, reason: 'matrix' }) },
  'admin.audit.list': { access: 'admin', input: () => ({}) },
  'admin.invitations.create': { access: 'admin', input: () => ({ email: uniqueEmail(), role: 'USER' }) },
  'admin.invitations.list': { access: 'admin', input: () => ({}) },
  'admin.invitations.revoke': { access: 'admin', input: () => ({ id: randomUUID() }) },
  'admin.invitations.resend': { access: 'admin', input: () => ({ id: randomUUID() }) },
  'admin.stats': { access: 'admin' },
  'admin.activity': { access: 'admin' },
  'events.onEvent': { access: 'signedIn' },
  'teams.create': { access: 'member', input: () => ({ name: 'Matrix team' }) },
  'teams.list': { access: 'signedIn' },
  // Team-scoped: any signed-in role gets past this layer (an unknown team is then a 404); the team
  // roles are walked by modules/teams/teams.matrix.test.ts.
  'teams.get': { access: 'signedIn', input: () => ({ teamId: randomUUID() }) },
  'teams.update': { access: 'signedIn', input: () => ({ teamId: randomUUID(), name: 'X' }) },
  'teams.delete': { access: 'signedIn', input: () => ({ teamId: randomUUID() }) },
  'teams.members.list': { access: 'signedIn', input: () => ({ teamId: randomUUID() }) },
  'teams.members.setRole': {
    access: 'signedIn',
    input: () => ({ teamId: randomUUID(), userId: randomUUID(), role: 'MEMBER' }),
  },
  'teams.members.remove': { access: 'signedIn', input: () => ({ teamId: randomUUID(), userId: randomUUID() }) },
  'teams.invitations.create': {
    access: 'signedIn',
    input: () => ({ teamId: randomUUID(), email: uniqueEmail(), role: 'VIEWER' }),
  },
  'teams.invitations.list': { access: 'signedIn', input: () => ({ teamId: randomUUID() }) },
  'teams.invitations.revoke': { access: 'signedIn', input: () => ({ teamId: randomUUID(), id: randomUUID() }) },
  // An unknown invitation token: anyone may try one (signed in or not), and is told it is no longer valid.
  'teams.invitation': { access: 'public', input: () => ({ token: 'x'.repeat(43) }) },
  'teams.invitations.accept': { access: 'public', input: () => ({ token: 'x'.repeat(43) }) },
  'apiKeys.create': { access: 'signedIn', input: () => ({ name: 'Matrix key', scope: 'read' }) },
  'apiKeys.list': { access: 'signedIn' },
  'sso.identities': { access: 'signedIn' },
  'sso.unlink': { access: 'signedIn', input: () => ({ id: randomUUID() }) },
  'apiKeys.revoke': { access: 'signedIn', input: () => ({ id: randomUUID() }) },
  'admin.apiKeys.list': { access: 'admin', input: () => ({}) },
  'admin.apiKeys.revoke': { access: 'admin', input: () => ({ id: randomUUID() }) },
  // Anyone may try; without a code the input is refused (400). A token that matches nothing is a 401
  // by design, like a wrong code (modules/mfa/mfa.test.ts), so it cannot tell this layer's answer apart.
  'auth.mfa.verify': { access: 'public', input: () => ({ mfaToken: 'x'.repeat(43) }) },
  'auth.mfa.status': { access: 'signedIn' },
  'auth.providers': { access: 'public' },
  'auth.mfa.setup': { access: 'signedIn', input: () => ({ currentPassword: TEST_PASSWORD }) },
  // Nothing set up: the caller may try, and is told to set up first (400).
  'auth.mfa.enable': { access: 'signedIn', input: () => ({ code: '123456' }) },
  'auth.mfa.disable': { access: 'signedIn', input: () => ({ currentPassword: TEST_PASSWORD, code: '123456' }) },
  'auth.mfa.regenerateRecoveryCodes': { access: 'signedIn', input: () => ({ code: '123456' }) },
  'admin.users.resetMfa': { access: 'admin', input: (u) => ({ userId: u.id }) },
  // gen:module matrix entries (pnpm gen:module inserts new modules' entries above this line)
};

const ALLOWED: Record<Access, Caller[]> = {
  public: ['anonymous', 'GUEST', 'USER', 'ADMIN'],
  signedIn: ['GUEST', 'USER', 'ADMIN'],
  member: ['USER', 'ADMIN'],
  admin: ['ADMIN'],
};
const CALLERS: Caller[] = ['anonymous', 'GUEST', 'USER', 'ADMIN', 'readKey', 'writeKey'];

/**
 * A key acts as its owner (a USER here), except that no key calls auth.* (but auth.me),
 * apiKeys.* or admin.*, and a read key calls no mutation; public procedures ignore credentials.
 */
function keyAllowed(path: string, access: Access, scope: 'read' | 'write'): boolean {
  // Accepting a team invitation is public, but a caller who sends a credential joins as its owner.
  if (access === 'public' && path !== 'teams.invitations.accept') return true;
  const closed = ['apiKeys.', 'sso.', 'admin.'].some((prefix) => path.startsWith(prefix));
  if ((path.startsWith('auth.') && path !== 'auth.me') || closed) {
    return false;
  }
  const type = (appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>)[path]?._def.type;
  if (scope === 'read' && type === 'mutation') return false;
  return ALLOWED[access].includes('USER');
}

const allowedFor = (path: string, access: Access, who: Caller) =>
  who === 'readKey' || who === 'writeKey'
    ? keyAllowed(path, access, who === 'readKey' ? 'read' : 'write')
    : ALLOWED[access].includes(who);

let deps: TestDeps;
beforeAll(async () => {
  deps = await createTestDeps();
});
afterAll(async () => {
  await deps.close();
});

/** Calls `path` as `who`; returns the error code it failed with, or 'OK'. */
async function attempt(path: string, who: Caller): Promise<string> {
  // A fresh user per call: a permitted logoutAll or changePassword must not spoil the next call.
  const person = who === 'anonymous' || who === 'readKey' || who === 'writeKey' ? 'USER' : who;
  const user = await createUser(deps, { role: person });
  let credential: string | undefined = who === 'anonymous' ? undefined : user.accessToken;
  if (who === 'readKey' || who === 'writeKey') {
    credential = (await user.caller.apiKeys.create({ name: 'Matrix', scope: who === 'readKey' ? 'read' : 'write' }))
      .key;
  }
  const controller = new AbortController();
  const caller = await callerFor(deps, {
    ...(credential === undefined ? {} : { accessToken: credential }),
    signal: controller.signal,
  });
  const procedure = path.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller) as (
    input?: unknown,
  ) => Promise<unknown>;
  try {
    return await outcome(procedure(MATRIX[path]?.input?.(user)));
  } finally {
    controller.abort(); // ends a subscription's stream
  }
}

describe('authorization matrix', () => {
  it('has an entry for every procedure of the router, and none for a procedure that is gone', () => {
    const procedures = Object.keys(appRouter._def.procedures).sort();
    expect(Object.keys(MATRIX).sort()).toEqual(procedures);
  });

  const cases = Object.entries(MATRIX).flatMap(([path, entry]) =>
    CALLERS.map((who) => [path, who, allowedFor(path, entry.access, who)] as const),
  );

  it.each(cases)('%s as %s: allowed = %s', async (path, who, allowed) => {
    const result = await attempt(path, who);
    if (allowed) {
      expect(result).not.toBe('UNAUTHORIZED');
      expect(result).not.toBe('FORBIDDEN');
    } else {
      expect(result).toBe(who === 'anonymous' ? 'UNAUTHORIZED' : 'FORBIDDEN');
    }
  });
});
