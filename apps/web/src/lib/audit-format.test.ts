// Audit events as people read them: every action the API records has its own sentence.
import { describe, expect, it } from 'vitest';
import {
  describeActor,
  describeAuditDetails,
  describeTarget,
  type FormattableAuditEvent,
  KNOWN_AUDIT_ACTIONS,
  metadataPairs,
} from './audit-format.js';

const ADA = { id: '11111111-1111-4111-8111-111111111111', name: 'Ada Admin', email: 'ada@example.com' };
const BOB = { id: '22222222-2222-4222-8222-222222222222', name: 'Bob', email: 'bob@example.com' };
const TEAM = '33333333-3333-4333-8333-333333333333';

function event(action: string, metadata: Record<string, unknown> = {}, rest: Partial<FormattableAuditEvent> = {}) {
  return {
    action,
    actorId: ADA.id,
    actor: ADA,
    targetType: null,
    targetId: null,
    target: null,
    relatedUser: null,
    metadata,
    ...rest,
  } satisfies FormattableAuditEvent;
}

describe('describeAuditDetails', () => {
  // One row per action the API records (packages/api: every `audit(…, { action })`).
  const cases: [string, FormattableAuditEvent, string][] = [
    ['auth.register', event('auth.register'), ''],
    ['auth.register', event('auth.register', { teamInvitationId: TEAM }), ''],
    [
      'auth.register',
      event('auth.register', { via: 'sso', issuer: 'https://id.example.com/realms/acme', identityId: BOB.id }),
      'With single sign-on at id.example.com',
    ],
    [
      'auth.register',
      event('auth.register', {
        via: 'sso',
        issuer: 'https://id.example.com',
        identityId: BOB.id,
        invitationId: TEAM,
        bootstrapAdmin: true,
      }),
      'With single sign-on at id.example.com, by invitation, as the first administrator',
    ],
    [
      'auth.sso_login',
      event('auth.sso_login', { issuer: 'https://id.example.com/realms/acme', secondFactor: false }),
      'At id.example.com',
    ],
    [
      'auth.sso_login',
      event('auth.sso_login', { issuer: 'https://id.example.com', secondFactor: true, revokedSessions: 1 }),
      'At id.example.com, with a second factor; 1 oldest session ended',
    ],
    [
      'auth.sso_linked',
      event('auth.sso_linked', { issuer: 'https://id.example.com', email: 'ada@example.com', via: 'account_page' }),
      'id.example.com (ada@example.com), from the account page',
    ],
    [
      'auth.sso_linked',
      event('auth.sso_linked', { issuer: 'https://id.example.com', email: 'ada@example.com', via: 'verified_email' }),
      'id.example.com (ada@example.com), by its verified address at the first single sign-on',
    ],
    [
      'auth.sso_unlinked',
      event('auth.sso_unlinked', { issuer: 'https://id.example.com', email: 'ada@example.com' }),
      'id.example.com (ada@example.com)',
    ],
    [
      'auth.sso_unlinked',
      event('auth.sso_unlinked', { issuer: 'https://id.example.com', email: null }),
      'id.example.com',
    ],
    ['auth.login', event('auth.login'), ''],
    ['auth.login', event('auth.login', { revokedSessions: 2 }), '2 oldest sessions ended'],
    ['auth.login', event('auth.login', { secondFactor: 'totp' }), 'With a code from the authenticator app'],
    [
      'auth.login',
      event('auth.login', { secondFactor: 'recovery_code', revokedSessions: 1 }),
      'With a recovery code; 1 oldest session ended',
    ],
    ['auth.mfa_enabled', event('auth.mfa_enabled'), ''],
    ['auth.mfa_disabled', event('auth.mfa_disabled'), ''],
    [
      'auth.mfa_failed',
      event('auth.mfa_failed', { reason: 'wrong_code', during: 'sign_in', attempt: 3 }),
      'Wrong code while signing in (try 3)',
    ],
    [
      'auth.mfa_failed',
      event('auth.mfa_failed', { reason: 'wrong_recovery_code', during: 'sign_in', attempt: 1 }),
      'Wrong recovery code while signing in (try 1)',
    ],
    [
      'auth.mfa_failed',
      event('auth.mfa_failed', { reason: 'wrong_code', during: 'disable' }),
      'Wrong code while turning two-step verification off',
    ],
    [
      'auth.mfa_failed',
      event('auth.mfa_failed', { reason: 'wrong_code', during: 'regenerate' }),
      'Wrong code while making new recovery codes',
    ],
    ['auth.recovery_code_used', event('auth.recovery_code_used', { recoveryCodesLeft: 9 }), '9 recovery codes left'],
    ['auth.recovery_code_used', event('auth.recovery_code_used', { recoveryCodesLeft: 1 }), '1 recovery code left'],
    ['auth.recovery_codes_regenerated', event('auth.recovery_codes_regenerated'), ''],
    ['auth.login_failed', event('auth.login_failed', { reason: 'unknown_email' }), 'Unknown email'],
    ['auth.login_failed', event('auth.login_failed', { reason: 'wrong_password' }), 'Wrong password'],
    ['auth.logout', event('auth.logout'), ''],
    ['auth.logout', event('auth.logout', { allSessions: true, revokedSessions: 3 }), 'Everywhere: 3 sessions ended'],
    [
      'auth.refresh_reuse_detected',
      event('auth.refresh_reuse_detected'),
      'A refresh token was used twice: the session was ended',
    ],
    ['auth.password_changed', event('auth.password_changed', { revokedSessions: 1 }), '1 other session ended'],
    ['auth.password_reset', event('auth.password_reset', { revokedSessions: 2 }), '2 sessions ended'],
    [
      'auth.email_changed',
      event('auth.email_changed', { from: 'bob@example.com', to: 'bob@example.org' }),
      'bob@example.com → bob@example.org',
    ],
    [
      'auth.invitation_accepted',
      event('auth.invitation_accepted', { invitationId: BOB.id, role: 'GUEST' }),
      'Joined by invitation as GUEST',
    ],
    ['admin.role_changed', event('admin.role_changed', { from: 'USER', to: 'ADMIN' }), 'USER → ADMIN'],
    ['admin.user_activated', event('admin.user_activated'), ''],
    ['admin.mfa_reset', event('admin.mfa_reset', {}, { targetType: 'user', targetId: BOB.id }), ''],
    ['admin.user_deactivated', event('admin.user_deactivated', { revokedSessions: 3 }), '3 sessions ended'],
    ['admin.sessions_revoked', event('admin.sessions_revoked', { revokedSessions: 1 }), '1 session ended'],
    [
      'admin.invitation_created',
      event('admin.invitation_created', { email: 'bob@example.com', role: 'USER' }),
      'bob@example.com as USER',
    ],
    ['admin.invitation_resent', event('admin.invitation_resent', { email: 'bob@example.com' }), 'bob@example.com'],
    ['admin.invitation_revoked', event('admin.invitation_revoked', { email: 'bob@example.com' }), 'bob@example.com'],
    [
      'admin.audit_exported',
      event('admin.audit_exported', { filters: {}, maxRows: 100000 }),
      'All events, at most 100,000 rows',
    ],
    [
      'admin.audit_exported',
      event('admin.audit_exported', { filters: { action: 'auth.login', from: '2030-01-01T00:00:00Z' }, maxRows: 500 }),
      'Events with action auth.login, from 2030-01-01T00:00:00Z, at most 500 rows',
    ],
    [
      'credits.transfer',
      event('credits.transfer', { toUserId: BOB.id, amount: 25 }, { relatedUser: BOB }),
      '25 credits to Bob',
    ],
    ['credits.transfer', event('credits.transfer', { toUserId: BOB.id, amount: 1 }), '1 credit to user 22222222'],
    [
      'credits.grant',
      event('credits.grant', { amount: 50, reason: 'Welcome', balanceAfter: 1250 }),
      '50 credits granted: “Welcome” (balance 1,250)',
    ],
    [
      'apikey.created',
      event('apikey.created', { name: 'CI', prefix: 'ab12cd34', scope: 'write', expiresAt: '2031-01-01T00:00:00Z' }),
      '“CI” (write, keel_ab12cd34_…)',
    ],
    [
      'apikey.revoked',
      event('apikey.revoked', { name: 'CI', prefix: 'ab12cd34', ownerId: ADA.id }),
      '“CI” (keel_ab12cd34_…)',
    ],
    [
      'apikey.revoked',
      event('apikey.revoked', { name: 'CI', prefix: 'ab12cd34', ownerId: BOB.id }, { relatedUser: BOB }),
      '“CI” (keel_ab12cd34_…) of Bob',
    ],
    ['auth.email_verified', event('auth.email_verified'), ''],
    ['team.created', event('team.created', { teamId: TEAM, name: 'Harbour crew' }), '“Harbour crew”'],
    [
      'team.deleted',
      event('team.deleted', { teamId: TEAM, name: 'Harbour crew', asGlobalAdmin: true }),
      '“Harbour crew” (as admin)',
    ],
    [
      'team.admin_read',
      event('team.admin_read', { teamId: TEAM, procedure: 'teams.members', asGlobalAdmin: true }),
      'Read as admin: teams.members',
    ],
    [
      'team.member_added',
      event('team.member_added', { teamId: TEAM, userId: BOB.id, role: 'MEMBER' }),
      'Joined as MEMBER',
    ],
    [
      'team.member_role_changed',
      event('team.member_role_changed', { teamId: TEAM, userId: BOB.id, from: 'MEMBER', to: 'VIEWER' }),
      'MEMBER → VIEWER',
    ],
    [
      'team.member_removed',
      event('team.member_removed', { teamId: TEAM, userId: BOB.id, role: 'VIEWER', left: true }),
      'Left the team as VIEWER',
    ],
    [
      'team.member_removed',
      event('team.member_removed', { teamId: TEAM, userId: BOB.id, role: 'ADMIN', asGlobalAdmin: true }),
      'Removed as ADMIN (as admin)',
    ],
    [
      'team.invitation_created',
      event('team.invitation_created', { teamId: TEAM, email: 'tess@example.com', role: 'MEMBER' }),
      'tess@example.com as MEMBER',
    ],
    [
      'team.invitation_revoked',
      event('team.invitation_revoked', { teamId: TEAM, email: 'tess@example.com' }),
      'tess@example.com',
    ],
    [
      'project.moved',
      event('project.moved', { name: 'Roadmap', fromTeamId: null, teamId: TEAM }),
      '“Roadmap”: personal → team 33333333',
    ],
    [
      'project.moved',
      event('project.moved', { name: 'Roadmap', fromTeamId: TEAM, teamId: null }),
      '“Roadmap”: team 33333333 → personal',
    ],
    ['project.deleted', event('project.deleted', { name: 'Roadmap', ownerId: ADA.id }), '“Roadmap”'],
    [
      'project.deleted',
      event('project.deleted', { name: 'Roadmap', ownerId: BOB.id }, { relatedUser: BOB }),
      '“Roadmap” of Bob',
    ],
  ];

  it.each(cases)('%s reads as a sentence', (_action, input, expected) => {
    expect(describeAuditDetails(input)).toBe(expected);
  });

  it('has a sentence for every known action, and only for those', () => {
    expect([...new Set(cases.map(([action]) => action))].sort()).toEqual([...KNOWN_AUDIT_ACTIONS].sort());
  });

  it('falls back to key: value pairs for an unknown action or metadata of an unexpected shape', () => {
    expect(describeAuditDetails(event('billing.refund', { amount: 1200, note: 'late', tags: ['a'] }))).toBe(
      'amount: 1,200, note: late, tags: ["a"]',
    );
    expect(describeAuditDetails(event('admin.role_changed', { role: 'ADMIN' }))).toBe('role: ADMIN');
    expect(describeAuditDetails(event('auth.login', { secondFactor: 'sms' }))).toBe('secondFactor: sms');
    expect(describeAuditDetails(event('auth.mfa_failed', { reason: 'wrong_code', during: 'elsewhere' }))).toBe(
      'reason: wrong_code, during: elsewhere',
    );
    expect(describeAuditDetails(event('billing.refund'))).toBe('');
    expect(metadataPairs({ nested: { a: 1 }, none: null })).toBe('nested: {"a":1}, none: null');
  });
});

describe('describeActor', () => {
  it('names the actor, or says anonymous for a sign-in attempt and system otherwise', () => {
    expect(describeActor(event('admin.role_changed'))).toEqual({ name: 'Ada Admin', email: 'ada@example.com' });
    expect(describeActor(event('auth.login_failed', {}, { actorId: null, actor: null }))).toEqual({
      name: 'anonymous',
      email: null,
    });
    expect(describeActor(event('jobs.cleanup', {}, { actorId: null, actor: null }))).toEqual({
      name: 'system',
      email: null,
    });
    expect(describeActor(event('auth.login', {}, { actor: null })).name).toBe('user 11111111');
  });
});

describe('describeTarget', () => {
  it('names a user target, and shows any other target by type and short id', () => {
    const user = { targetType: 'user', targetId: BOB.id, target: { name: BOB.name, email: BOB.email } };
    expect(describeTarget(event('admin.role_changed', {}, user))).toEqual({
      label: 'Bob',
      title: BOB.id,
    });
    expect(describeTarget(event('admin.role_changed', {}, { ...user, target: null }))).toEqual({
      label: 'user 22222222',
      title: BOB.id,
    });
    expect(describeTarget(event('auth.logout', {}, { targetType: 'session', targetId: ADA.id }))).toEqual({
      label: 'session 11111111',
      title: ADA.id,
    });
    expect(describeTarget(event('auth.register'))).toEqual({ label: '—', title: null });
  });
});
