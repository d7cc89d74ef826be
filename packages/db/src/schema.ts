// The Kysely view of the database: one interface per table, as the migrations leave it.
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;

export type Role = 'ADMIN' | 'USER' | 'GUEST';
export const ROLES = ['ADMIN', 'USER', 'GUEST'] as const satisfies readonly Role[];

export interface UsersTable {
  id: Generated<string>;
  email: string;
  name: string;
  password_hash: string;
  /**
   * Bumped by every password change (not by a rehash of the same password). -1: an account single
   * sign-on created, whose hash is of a secret nobody was told, until a password is set (a reset link).
   */
  password_version: Generated<number>;
  role: ColumnType<Role, Role | undefined, Role>;
  active: Generated<boolean>;
  avatar_url: string | null;
  balance: Generated<number>;
  /** Set by following a verification link (or an invitation, or by the seed and ADMIN_EMAIL). */
  email_verified: Generated<boolean>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export type OneTimeTokenKind = 'email_verification' | 'password_reset' | 'email_change';

export interface OneTimeTokensTable {
  id: Generated<string>;
  kind: OneTimeTokenKind;
  user_id: string | null;
  email: string;
  /** SHA-256 of the token, hex; the token itself is only ever in the link. */
  token_hash: string;
  created_at: CreatedAt;
  expires_at: Date;
  consumed_at: Date | null;
  voided_at: Date | null;
}

export interface InvitationsTable {
  id: Generated<string>;
  /** Lower-case, trimmed (as `EmailInput` leaves it). */
  email: string;
  role: Role;
  invited_by: string | null;
  /** SHA-256 of the newest link's token, hex; null until the mail job issued one. */
  token_hash: string | null;
  created_at: CreatedAt;
  expires_at: Date;
  accepted_at: Date | null;
  accepted_user_id: string | null;
  revoked_at: Date | null;
}

/** A team role, highest first; independent of the global `Role`. */
export type TeamRole = 'OWNER' | 'ADMIN' | 'MEMBER' | 'VIEWER';
export const TEAM_ROLES = ['OWNER', 'ADMIN', 'MEMBER', 'VIEWER'] as const satisfies readonly TeamRole[];

export interface TeamsTable {
  id: Generated<string>;
  name: string;
  created_by: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface TeamMembersTable {
  team_id: string;
  user_id: string;
  role: TeamRole;
  joined_at: CreatedAt;
}

export interface TeamInvitationsTable {
  id: Generated<string>;
  team_id: string;
  /** Lower-case, trimmed (as `EmailInput` leaves it). */
  email: string;
  role: TeamRole;
  invited_by: string | null;
  /** SHA-256 of the newest link's token, hex; null until the mail job issued one. */
  token_hash: string | null;
  created_at: CreatedAt;
  expires_at: Date;
  accepted_at: Date | null;
  accepted_user_id: string | null;
  revoked_at: Date | null;
}

export type ApiKeyScope = 'read' | 'write';
export const API_KEY_SCOPES = ['read', 'write'] as const satisfies readonly ApiKeyScope[];

export interface ApiKeysTable {
  id: Generated<string>;
  user_id: string;
  name: string;
  /** The key's public part (`keel_<prefix>_…`): 8 characters of [a-z0-9], unique. */
  prefix: string;
  /** SHA-256 of the whole key, hex. */
  key_hash: string;
  scope: ApiKeyScope;
  created_at: CreatedAt;
  expires_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

/** A user's TOTP secret: pending (`enabled_at` null) until a first code enables two-step verification. */
export interface MfaSecretsTable {
  user_id: string;
  /** Base32, as the authenticator app was given it. */
  secret: string;
  enabled_at: Date | null;
  /** The time step of the last code accepted; a code of that step or an earlier one is refused. */
  last_step: number | null;
  created_at: CreatedAt;
}

export interface MfaRecoveryCodesTable {
  id: Generated<string>;
  user_id: string;
  /** SHA-256 of the code in its canonical form (`xxxxx-xxxxx`, lower case), hex. */
  code_hash: string;
  used_at: Date | null;
  created_at: CreatedAt;
}

/** A sign-in between its password (or single sign-on) and its code (`auth.login` or the OIDC callback, then `auth.mfa.verify`). */
export interface MfaChallengesTable {
  id: Generated<string>;
  user_id: string;
  /** SHA-256 of the token, hex. */
  token_hash: string;
  /** The user's `password_version` when the password was checked. */
  password_version: number;
  expires_at: Date;
  failed_attempts: Generated<number>;
  used_at: Date | null;
  created_at: CreatedAt;
  /** The provider's `iss` when a single sign-on came before the code; null after a password. */
  sso_issuer: string | null;
  /** When the provider signed the person in (with `sso_issuer`): the session's limits count from it. */
  sso_signed_in_at: Date | null;
}

/** A single sign-on account bound to a user: the OpenID Provider's `iss` and `sub`, unique together. */
export interface IdentitiesTable {
  id: Generated<string>;
  user_id: string;
  issuer: string;
  subject: string;
  /** The address the provider last reported (lower case), shown on the account page; never matched on. */
  email: string | null;
  created_at: CreatedAt;
  last_login_at: Date | null;
}

export interface SessionsTable {
  id: Generated<string>;
  user_id: string;
  created_at: CreatedAt;
  last_used_at: Timestamp;
  expires_at: Date;
  revoked_at: Date | null;
  revoked_reason: string | null;
  user_agent: string | null;
  ip: string | null;
  /**
   * How the session was opened (RFC 8176): `['pwd']`, `['pwd', 'otp']` once a second factor was
   * checked, `['sso']` or `['sso', 'otp']` for a single sign-on.
   */
  amr: ColumnType<string[], string[] | undefined, string[]>;
  /** When the person signed in (the session's clock for its limits); a refresh never moves it. */
  signed_in_at: ColumnType<Date, Date | string | undefined, never>;
}

export interface RefreshTokensTable {
  id: Generated<string>;
  session_id: string;
  token_hash: string;
  created_at: CreatedAt;
  expires_at: Date;
  rotated_at: Date | null;
}

export interface AuditEventsTable {
  id: Generated<string>;
  seq: ColumnType<string, never, never>;
  at: CreatedAt;
  actor_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  ip: string | null;
  request_id: string | null;
  metadata: ColumnType<Record<string, unknown>, string | undefined, string>;
}

export interface ProjectsTable {
  id: Generated<string>;
  owner_id: string;
  /** The team the project belongs to; null for a personal project. */
  team_id: ColumnType<string | null, string | null | undefined, string | null>;
  name: string;
  description: string | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface TransfersTable {
  id: Generated<string>;
  from_user_id: string;
  to_user_id: string;
  amount: number;
  note: string | null;
  idempotency_key: string | null;
  payload_hash: string | null;
  from_balance_after: number;
  to_balance_after: number;
  created_at: CreatedAt;
}

export type LedgerDirection = 'in' | 'out' | 'grant';

export interface LedgerEntriesTable {
  id: Generated<string>;
  seq: ColumnType<string, never, never>;
  user_id: string;
  transfer_id: string | null;
  direction: LedgerDirection;
  amount: number;
  counterparty_id: string | null;
  note: string | null;
  balance_after: number;
  created_at: CreatedAt;
}

export interface DB {
  users: UsersTable;
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
  audit_events: AuditEventsTable;
  projects: ProjectsTable;
  transfers: TransfersTable;
  ledger_entries: LedgerEntriesTable;
  one_time_tokens: OneTimeTokensTable;
  invitations: InvitationsTable;
  teams: TeamsTable;
  team_members: TeamMembersTable;
  team_invitations: TeamInvitationsTable;
  api_keys: ApiKeysTable;
  mfa_secrets: MfaSecretsTable;
  mfa_recovery_codes: MfaRecoveryCodesTable;
  mfa_challenges: MfaChallengesTable;
  identities: IdentitiesTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type UserUpdate = Updateable<UsersTable>;
export type SessionRow = Selectable<SessionsTable>;
export type RefreshTokenRow = Selectable<RefreshTokensTable>;
export type AuditEventRow = Selectable<AuditEventsTable>;
export type ProjectRow = Selectable<ProjectsTable>;
export type TransferRow = Selectable<TransfersTable>;
export type LedgerEntryRow = Selectable<LedgerEntriesTable>;
export type OneTimeTokenRow = Selectable<OneTimeTokensTable>;
export type InvitationRow = Selectable<InvitationsTable>;
export type TeamRow = Selectable<TeamsTable>;
export type TeamMemberRow = Selectable<TeamMembersTable>;
export type TeamInvitationRow = Selectable<TeamInvitationsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type MfaSecretRow = Selectable<MfaSecretsTable>;
export type MfaChallengeRow = Selectable<MfaChallengesTable>;
export type IdentityRow = Selectable<IdentitiesTable>;
