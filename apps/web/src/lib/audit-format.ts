// Audit events as people read them: who acted, on whom, and each action's metadata as a sentence
// instead of JSON. One place, so the audit page and any other list of events agree.
import type { RouterOutputs } from '@keel/api';
import { formatCount, formatCredits, formatNumber, shortId } from './format.js';
import { issuerHost } from './sso.js';

type AuditEvent = RouterOutputs['admin']['audit']['list']['items'][number];

/** What the formatters read of an event: every list of audit events the API answers has these. */
export type FormattableAuditEvent = Pick<
  AuditEvent,
  'action' | 'actorId' | 'actor' | 'targetType' | 'targetId' | 'target' | 'relatedUser' | 'metadata'
>;

type Metadata = Record<string, unknown>;

function numberOf(metadata: Metadata, key: string): number | undefined {
  const value = metadata[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function textOf(metadata: Metadata, key: string): string | undefined {
  const value = metadata[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function sessionsEnded(count: number | undefined, kind = 'session'): string | undefined {
  return count === undefined ? undefined : `${formatCount(count, kind)} ended`;
}

/** The person a metadata id names: the joined name when the user still exists, else the short id. */
function personNamed(event: FormattableAuditEvent, key: string): string | undefined {
  const id = textOf(event.metadata, key);
  if (id === undefined) return undefined;
  return event.relatedUser?.id === id ? event.relatedUser.name : `user ${shortId(id)}`;
}

function quoted(text: string | undefined): string | undefined {
  return text === undefined ? undefined : `“${text}”`;
}

/** A team action a global admin took without being a member says so. */
function asAdmin(metadata: Metadata, sentence: string | undefined): string | undefined {
  if (sentence === undefined) return undefined;
  return metadata.asGlobalAdmin === true ? `${sentence} (as admin)` : sentence;
}

/** How a two-step sign-in passed its second step (auth.login's `secondFactor`). */
const SECOND_FACTORS: Record<string, string> = {
  totp: 'With a code from the authenticator app',
  recovery_code: 'With a recovery code',
};

/** Where a wrong second factor was typed (auth.mfa_failed's `during`). */
const MFA_STEPS: Record<string, string> = {
  sign_in: 'while signing in',
  disable: 'while turning two-step verification off',
  regenerate: 'while making new recovery codes',
};

/** How an identity came to be linked (auth.sso_linked's `via`). */
const LINKED_VIA: Record<string, string> = {
  account_page: 'from the account page',
  verified_email: 'by its verified address at the first single sign-on',
};

/** The provider's host and the address it reported, when it shared one ("id.example.com (ada@…)"). */
function identityOf(metadata: Metadata): string | undefined {
  const issuer = textOf(metadata, 'issuer');
  if (issuer === undefined) return undefined;
  const email = textOf(metadata, 'email');
  return email === undefined ? issuerHost(issuer) : `${issuerHost(issuer)} (${email})`;
}

const FILTER_LABELS: Record<string, string> = {
  userId: 'user',
  targetId: 'target',
  action: 'action',
  from: 'from',
  to: 'until',
};

/**
 * One sentence per action the API records, or undefined when the metadata is not the shape the
 * action writes (an older event, say): the caller then falls back to its `key: value` pairs. An
 * empty string means the action records nothing worth a word.
 */
const DESCRIBERS: Record<string, (event: FormattableAuditEvent) => string | undefined> = {
  // A plain sign-up records nothing; one through single sign-on names the provider.
  'auth.register': ({ metadata }) => {
    if (metadata.via !== 'sso') return '';
    const issuer = textOf(metadata, 'issuer');
    if (issuer === undefined) return undefined;
    return [
      `With single sign-on at ${issuerHost(issuer)}`,
      metadata.invitationId === undefined ? '' : ', by invitation',
      metadata.bootstrapAdmin === true ? ', as the first administrator' : '',
    ].join('');
  },
  // A sign-in past the per-user session cap ends the oldest sessions; a two-step one says its second factor.
  'auth.login': ({ metadata }) => {
    const ended =
      metadata.revokedSessions === undefined
        ? ''
        : sessionsEnded(numberOf(metadata, 'revokedSessions'), 'oldest session');
    const factor = metadata.secondFactor === undefined ? '' : SECOND_FACTORS[textOf(metadata, 'secondFactor') ?? ''];
    if (ended === undefined || factor === undefined) return undefined;
    return [factor, ended].filter((part) => part !== '').join('; ');
  },
  'auth.sso_login': ({ metadata }) => {
    const issuer = textOf(metadata, 'issuer');
    const ended =
      metadata.revokedSessions === undefined
        ? ''
        : sessionsEnded(numberOf(metadata, 'revokedSessions'), 'oldest session');
    if (issuer === undefined || ended === undefined) return undefined;
    const factor = metadata.secondFactor === true ? ', with a second factor' : '';
    return [`At ${issuerHost(issuer)}${factor}`, ended].filter((part) => part !== '').join('; ');
  },
  'auth.sso_linked': ({ metadata }) => {
    const identity = identityOf(metadata);
    const via = LINKED_VIA[textOf(metadata, 'via') ?? ''];
    return identity === undefined || via === undefined ? undefined : `${identity}, ${via}`;
  },
  'auth.sso_unlinked': ({ metadata }) => identityOf(metadata),
  'auth.login_failed': ({ metadata }) => {
    const reason = textOf(metadata, 'reason');
    if (reason === 'unknown_email') return 'Unknown email';
    if (reason === 'wrong_password') return 'Wrong password';
    return undefined;
  },
  'auth.logout': ({ metadata }) => {
    if (metadata.allSessions !== true) return Object.keys(metadata).length === 0 ? '' : undefined;
    const ended = sessionsEnded(numberOf(metadata, 'revokedSessions'));
    return ended === undefined ? 'Everywhere' : `Everywhere: ${ended}`;
  },
  'auth.mfa_enabled': () => '',
  'auth.mfa_disabled': () => '',
  'auth.mfa_failed': ({ metadata }) => {
    const reason = textOf(metadata, 'reason');
    const during = MFA_STEPS[textOf(metadata, 'during') ?? ''];
    const attempt = numberOf(metadata, 'attempt');
    if (during === undefined || (reason !== 'wrong_code' && reason !== 'wrong_recovery_code')) return undefined;
    const what = reason === 'wrong_code' ? 'Wrong code' : 'Wrong recovery code';
    return `${what} ${during}${attempt === undefined ? '' : ` (try ${formatNumber(attempt)})`}`;
  },
  'auth.recovery_code_used': ({ metadata }) => {
    const left = numberOf(metadata, 'recoveryCodesLeft');
    return left === undefined ? undefined : `${formatCount(left, 'recovery code')} left`;
  },
  'auth.recovery_codes_regenerated': () => '',
  'auth.refresh_reuse_detected': () => 'A refresh token was used twice: the session was ended',
  'auth.invitation_accepted': ({ metadata }) => {
    const role = textOf(metadata, 'role');
    return role === undefined ? undefined : `Joined by invitation as ${role}`;
  },
  'auth.password_changed': ({ metadata }) => sessionsEnded(numberOf(metadata, 'revokedSessions'), 'other session'),
  'auth.password_reset': ({ metadata }) => sessionsEnded(numberOf(metadata, 'revokedSessions')),
  'auth.email_changed': ({ metadata }) => {
    const from = textOf(metadata, 'from');
    const to = textOf(metadata, 'to');
    return from !== undefined && to !== undefined ? `${from} → ${to}` : undefined;
  },
  'admin.role_changed': ({ metadata }) => {
    const from = textOf(metadata, 'from');
    const to = textOf(metadata, 'to');
    return from !== undefined && to !== undefined ? `${from} → ${to}` : undefined;
  },
  'admin.user_activated': () => '',
  'admin.mfa_reset': () => '',
  'admin.user_deactivated': ({ metadata }) => sessionsEnded(numberOf(metadata, 'revokedSessions')),
  'admin.sessions_revoked': ({ metadata }) => sessionsEnded(numberOf(metadata, 'revokedSessions')),
  'admin.invitation_created': ({ metadata }) => {
    const email = textOf(metadata, 'email');
    const role = textOf(metadata, 'role');
    return email !== undefined && role !== undefined ? `${email} as ${role}` : undefined;
  },
  'admin.invitation_resent': ({ metadata }) => textOf(metadata, 'email'),
  'admin.invitation_revoked': ({ metadata }) => textOf(metadata, 'email'),
  'admin.audit_exported': ({ metadata }) => {
    const maxRows = numberOf(metadata, 'maxRows');
    const filters = metadata.filters;
    if (maxRows === undefined || typeof filters !== 'object' || filters === null) return undefined;
    const set = Object.entries(filters).map(([key, value]) => `${FILTER_LABELS[key] ?? key} ${String(value)}`);
    const scope = set.length === 0 ? 'All events' : `Events with ${set.join(', ')}`;
    return `${scope}, at most ${formatNumber(maxRows)} rows`;
  },
  'credits.transfer': (event) => {
    const amount = numberOf(event.metadata, 'amount');
    const recipient = personNamed(event, 'toUserId');
    return amount !== undefined && recipient !== undefined ? `${formatCredits(amount)} to ${recipient}` : undefined;
  },
  'credits.grant': ({ metadata }) => {
    const amount = numberOf(metadata, 'amount');
    if (amount === undefined) return undefined;
    const reason = textOf(metadata, 'reason');
    const after = numberOf(metadata, 'balanceAfter');
    return [
      `${formatCredits(amount)} granted`,
      reason === undefined ? '' : `: “${reason}”`,
      after === undefined ? '' : ` (balance ${formatNumber(after)})`,
    ].join('');
  },
  'apikey.created': ({ metadata }) => {
    const name = textOf(metadata, 'name');
    const prefix = textOf(metadata, 'prefix');
    const scope = textOf(metadata, 'scope');
    return name !== undefined && prefix !== undefined && scope !== undefined
      ? `“${name}” (${scope}, keel_${prefix}_…)`
      : undefined;
  },
  'apikey.revoked': (event) => {
    const name = textOf(event.metadata, 'name');
    const prefix = textOf(event.metadata, 'prefix');
    if (name === undefined || prefix === undefined) return undefined;
    // An admin may revoke somebody else's key: then whose it was is worth saying.
    const ownerId = textOf(event.metadata, 'ownerId');
    const owner = ownerId !== undefined && ownerId !== event.actorId ? personNamed(event, 'ownerId') : undefined;
    return `“${name}” (keel_${prefix}_…)${owner === undefined ? '' : ` of ${owner}`}`;
  },
  'auth.email_verified': () => '',
  'team.created': ({ metadata }) => quoted(textOf(metadata, 'name')),
  'team.deleted': ({ metadata }) => asAdmin(metadata, quoted(textOf(metadata, 'name'))),
  'team.admin_read': ({ metadata }) => {
    const procedure = textOf(metadata, 'procedure');
    return procedure === undefined ? undefined : `Read as admin: ${procedure}`;
  },
  'team.member_added': ({ metadata }) => {
    const role = textOf(metadata, 'role');
    return role === undefined ? undefined : `Joined as ${role}`;
  },
  'team.member_role_changed': ({ metadata }) => {
    const from = textOf(metadata, 'from');
    const to = textOf(metadata, 'to');
    return asAdmin(metadata, from !== undefined && to !== undefined ? `${from} → ${to}` : undefined);
  },
  'team.member_removed': ({ metadata }) => {
    const role = textOf(metadata, 'role');
    if (role === undefined) return undefined;
    return asAdmin(metadata, metadata.left === true ? `Left the team as ${role}` : `Removed as ${role}`);
  },
  'team.invitation_created': ({ metadata }) => {
    const email = textOf(metadata, 'email');
    const role = textOf(metadata, 'role');
    return asAdmin(metadata, email !== undefined && role !== undefined ? `${email} as ${role}` : undefined);
  },
  'team.invitation_revoked': ({ metadata }) => asAdmin(metadata, textOf(metadata, 'email')),
  'project.moved': ({ metadata }) => {
    const name = textOf(metadata, 'name');
    if (name === undefined || !('teamId' in metadata) || !('fromTeamId' in metadata)) return undefined;
    // A null team is the owner's personal projects.
    const place = (key: string) => {
      const teamId = textOf(metadata, key);
      return teamId === undefined ? 'personal' : `team ${shortId(teamId)}`;
    };
    return `“${name}”: ${place('fromTeamId')} → ${place('teamId')}`;
  },
  'project.deleted': (event) => {
    const name = textOf(event.metadata, 'name');
    if (name === undefined) return undefined;
    // An admin may delete somebody else's project: then whose it was is worth saying.
    const ownerId = textOf(event.metadata, 'ownerId');
    const owner = ownerId !== undefined && ownerId !== event.actorId ? personNamed(event, 'ownerId') : undefined;
    return owner === undefined ? `“${name}”` : `“${name}” of ${owner}`;
  },
};

/** Every action the API records, for the action filter's suggestions. */
export const KNOWN_AUDIT_ACTIONS: readonly string[] = Object.keys(DESCRIBERS);

function valueText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatNumber(value);
  return JSON.stringify(value) ?? String(value);
}

/** `key: value` pairs, for an action this dashboard does not know (yet). */
export function metadataPairs(metadata: Metadata): string {
  return Object.entries(metadata)
    .map(([key, value]) => `${key}: ${valueText(value)}`)
    .join(', ');
}

/** The event's metadata as a sentence; empty when there is nothing to say. */
export function describeAuditDetails(event: FormattableAuditEvent): string {
  return DESCRIBERS[event.action]?.(event) ?? metadataPairs(event.metadata);
}

/**
 * Who acted. Nobody (`actorId` null) is "anonymous" for a sign-in attempt and "system" for
 * anything else; an actor whose user is gone has only its id.
 */
export function describeActor(event: FormattableAuditEvent): { name: string; email: string | null } {
  if (event.actor) return { name: event.actor.name, email: event.actor.email };
  if (event.actorId) return { name: `user ${shortId(event.actorId)}`, email: null };
  return { name: event.action.startsWith('auth.') ? 'anonymous' : 'system', email: null };
}

/** What was acted on: the person for a user target, else its type and short id. */
export function describeTarget(event: FormattableAuditEvent): { label: string; title: string | null } {
  if (!event.targetType && !event.targetId) return { label: '—', title: null };
  if (event.targetType === 'user' && event.target) {
    return { label: event.target.name, title: event.targetId };
  }
  return { label: `${event.targetType ?? 'target'} ${shortId(event.targetId)}`, title: event.targetId };
}
