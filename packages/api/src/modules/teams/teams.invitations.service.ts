// Team invitations: an ADMIN+ invites an address to the team at a role below their own (an OWNER
// at any role); the mailed link lets the person with that address join — signed in as it, with
// the address verified, or by creating the account from the invitation (verified by
// construction, whatever SIGNUP_MODE says). The token rules are the account lifecycle's
// (modules/account): 32 random bytes, kept only as SHA-256, single use, 7 days.
import { randomBytes } from 'node:crypto';
import type { DB, TeamRole } from '@keel/db';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { AppError, conflict, forbidden, isUniqueViolation } from '../../common/errors.js';
import type { Mailer } from '../../common/mailer.js';
import { decodeIdCursor, encodeCursor } from '../../common/pagination.js';
import type { ApiConfig } from '../../config.js';
import type { Context } from '../../context.js';
import type { AuthedUser } from '../../trpc.js';
import { dashboardUrl, hashLinkToken } from '../account/account.service.js';
import { audit } from '../audit/audit.service.js';
import { assertPasswordsSignIn, issuePayload, openSession } from '../auth/auth.service.js';
import * as users from '../users/users.service.js';
import * as repo from './teams.invitations.repository.js';
import type {
  AcceptTeamInvitationInput,
  AcceptTeamInvitationResult,
  CreateTeamInvitationInput,
  ListTeamInvitationsInput,
  RevokeTeamInvitationInput,
  TeamInvitation,
  TeamInvitationPage,
  TeamInvitationPreview,
  TeamInvitationTokenInput,
} from './teams.invitations.schema.js';
import { teamInvitationMail } from './teams.mail.js';
import * as teamsRepo from './teams.repository.js';
import type { Team } from './teams.schema.js';
import { atLeast, effectiveRole, type TeamContext, toTeam } from './teams.service.js';

const INVITATION_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;
const NO_LONGER_VALID = 'This invitation is no longer valid';

export interface TeamInvitationJobDeps {
  db: Kysely<DB>;
  mailer: Mailer;
  config: Pick<ApiConfig, 'publicUrl'>;
  logger: Logger;
}

const lifetimeFromNow = () => new Date(Date.now() + INVITATION_LIFETIME_MS);
const noLongerValid = () => new AppError('NOT_FOUND', NO_LONGER_VALID);

function toInvitation(row: repo.TeamInvitationListRow): TeamInvitation {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    status: row.status,
    invitedBy:
      row.invited_by !== null && row.inviter_name !== null && row.inviter_email !== null
        ? { id: row.invited_by, name: row.inviter_name, email: row.inviter_email }
        : null,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
  };
}

// --- teams.invitations.* -----------------------------------------------------------------------

export async function createInvitation(ctx: TeamContext, input: CreateTeamInvitationInput): Promise<TeamInvitation> {
  const { teamId } = ctx.team;
  if (ctx.team.role !== 'OWNER' && atLeast(input.role, ctx.team.role)) {
    throw forbidden('Only an owner may invite to a role at or above your own');
  }
  const account = await users.findUserByEmail(ctx.db, input.email);
  if (account && (await teamsRepo.findMembership(ctx.db, teamId, account.id))) {
    throw conflict('This person is already a member of the team');
  }
  const id = await ctx.db.transaction().execute(async (trx) => {
    let row: Awaited<ReturnType<typeof repo.insertInvitation>>;
    try {
      row = await repo.insertInvitation(trx, {
        teamId,
        email: input.email,
        role: input.role,
        invitedBy: ctx.user.id,
        expiresAt: lifetimeFromNow(),
      });
    } catch (error) {
      // The partial unique index: one open invitation per team and address.
      if (isUniqueViolation(error)) {
        throw conflict('This address already has an open invitation to the team: revoke it to invite again');
      }
      throw error;
    }
    await audit(trx, ctx, {
      actorId: ctx.user.id,
      action: 'team.invitation_created',
      targetType: 'team_invitation',
      targetId: row.id,
      metadata: {
        teamId,
        email: row.email,
        role: row.role,
        ...(ctx.team.asGlobalAdmin ? { asGlobalAdmin: true } : {}),
      },
    });
    await ctx.jobs.send(trx, 'teams.invitation', { invitationId: row.id });
    return row.id;
  });
  const created = await repo.findInvitationById(ctx.db, id);
  if (!created) throw new Error(`team invitation ${id} vanished after its creation`);
  return toInvitation(created);
}

export async function listInvitations(ctx: TeamContext, input: ListTeamInvitationsInput): Promise<TeamInvitationPage> {
  const rows = await repo.listInvitations(ctx.db, ctx.team.teamId, {
    status: input.status,
    afterId: decodeIdCursor(input.cursor),
    limit: input.limit + 1,
  });
  const hasMore = rows.length > input.limit;
  const page = hasMore ? rows.slice(0, input.limit) : rows;
  const last = page.at(-1);
  return { items: page.map(toInvitation), nextCursor: hasMore && last ? encodeCursor(last.id) : null };
}

export async function revokeInvitation(ctx: TeamContext, input: RevokeTeamInvitationInput): Promise<{ success: true }> {
  const id = input.id.toLowerCase();
  const { teamId } = ctx.team;
  await ctx.db.transaction().execute(async (trx) => {
    const row = await repo.revokeOpenInvitation(trx, teamId, id);
    if (!row) {
      const existing = await repo.findInvitationById(trx, id);
      // Another team's invitation is as unknown as a missing one.
      if (!existing || existing.team_id !== teamId) throw new AppError('NOT_FOUND', 'Invitation not found');
      throw conflict(`This invitation was already ${existing.status === 'accepted' ? 'accepted' : 'revoked'}`);
    }
    await audit(trx, ctx, {
      actorId: ctx.user.id,
      action: 'team.invitation_revoked',
      targetType: 'team_invitation',
      targetId: id,
      metadata: { teamId, email: row.email, ...(ctx.team.asGlobalAdmin ? { asGlobalAdmin: true } : {}) },
    });
  });
  return { success: true };
}

// --- teams.invitation / teams.invitations.accept -----------------------------------------------

export async function previewInvitation(ctx: Context, input: TeamInvitationTokenInput): Promise<TeamInvitationPreview> {
  const row = await repo.findPendingByTokenHash(ctx.db, hashLinkToken(input.token));
  if (!row) throw noLongerValid();
  return {
    team: { id: row.team_id, name: row.team_name },
    email: row.email,
    role: row.role,
    invitedBy: row.inviter_name === null ? null : { name: row.inviter_name },
    expiresAt: row.expires_at.toISOString(),
  };
}

/**
 * Joins the team: as the signed-in `caller` (whose verified address must be the invited one), or
 * as a new account created from the invitation and signed in. The acceptance, the membership (and
 * the account) commit together: of two acceptances of one link, one joins.
 */
export async function acceptInvitation(
  ctx: Context,
  input: AcceptTeamInvitationInput,
  caller: AuthedUser | undefined,
): Promise<AcceptTeamInvitationResult> {
  const tokenHash = hashLinkToken(input.token);
  if (caller) return joinAsSignedIn(ctx, tokenHash, caller);
  // Without passwords, the invited person signs in through the provider first, then accepts.
  assertPasswordsSignIn(ctx);
  const missing = [
    ...(input.name === undefined ? [{ field: 'name', message: 'Name is required to create your account' }] : []),
    ...(input.password === undefined
      ? [{ field: 'password', message: 'Password is required to create your account' }]
      : []),
  ];
  if (input.name === undefined || input.password === undefined) {
    throw new AppError('VALIDATION_ERROR', 'Sign in to accept, or choose a name and a password', { details: missing });
  }
  return joinAsNewAccount(ctx, tokenHash, input.name, input.password);
}

async function joinAsSignedIn(ctx: Context, tokenHash: string, caller: AuthedUser): Promise<Team> {
  return ctx.db.transaction().execute(async (trx) => {
    const invitation = await repo.findPendingByTokenHash(trx, tokenHash);
    if (!invitation) throw noLongerValid();
    const user = await users.findUserById(trx, caller.id);
    if (!user || user.email !== invitation.email) {
      throw forbidden('This invitation was sent to another address: sign in with that address to accept it');
    }
    if (!user.email_verified) {
      throw new AppError('EMAIL_NOT_VERIFIED', 'Confirm your email address first, then accept the invitation');
    }
    if (await teamsRepo.findMembership(trx, invitation.team_id, user.id)) {
      throw conflict('You are already a member of this team');
    }
    const accepted = await repo.acceptInvitation(trx, tokenHash, user.id);
    if (!accepted) throw noLongerValid();
    const role = effectiveRole(accepted.role, user.role);
    await addMember(trx, ctx, { teamId: accepted.team_id, userId: user.id, role, invitationId: accepted.id });
    const team = await teamsRepo.findTeamById(trx, accepted.team_id);
    if (!team) throw noLongerValid();
    return toTeam(team, role);
  });
}

async function joinAsNewAccount(
  ctx: Context,
  tokenHash: string,
  name: string,
  password: string,
): Promise<AcceptTeamInvitationResult> {
  const invitation = await repo.findPendingByTokenHash(ctx.db, tokenHash);
  if (!invitation) throw noLongerValid();
  const accountExists = () => conflict('An account already uses this address: sign in with it to accept');
  if (await users.findUserByEmail(ctx.db, invitation.email)) throw accountExists();
  const passwordHash = await ctx.hasher.hash(password);
  const { user, role, sessionId, refreshToken } = await ctx.db.transaction().execute(async (trx) => {
    let row: Awaited<ReturnType<typeof users.insertUser>>;
    try {
      // The link reached this address: verified by construction.
      row = await users.insertUser(trx, {
        email: invitation.email,
        name,
        password_hash: passwordHash,
        email_verified: true,
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw accountExists();
      throw error;
    }
    const accepted = await repo.acceptInvitation(trx, tokenHash, row.id);
    if (!accepted) throw noLongerValid();
    await audit(trx, ctx, {
      actorId: row.id,
      action: 'auth.register',
      targetType: 'user',
      targetId: row.id,
      metadata: { teamInvitationId: accepted.id },
    });
    await addMember(trx, ctx, {
      teamId: accepted.team_id,
      userId: row.id,
      role: accepted.role,
      invitationId: accepted.id,
    });
    const session = await openSession(ctx, trx, row.id);
    return { user: users.toUser(row), role: accepted.role, ...session };
  });
  const payload = await issuePayload(ctx, user, sessionId, refreshToken);
  const team = await teamsRepo.findTeamById(ctx.db, invitation.team_id);
  if (!team) throw noLongerValid();
  return { ...payload, team: toTeam(team, role) };
}

async function addMember(
  trx: Kysely<DB>,
  ctx: Context,
  member: { teamId: string; userId: string; role: TeamRole; invitationId: string },
): Promise<void> {
  await teamsRepo.insertMember(trx, member);
  await audit(trx, ctx, {
    actorId: member.userId,
    action: 'team.member_added',
    targetType: 'user',
    targetId: member.userId,
    metadata: { teamId: member.teamId, userId: member.userId, role: member.role, invitationId: member.invitationId },
  });
}

// --- Jobs --------------------------------------------------------------------------------------

/** The invitation's mail (`teams.invitation`): a new link whose 7 days start now; nothing once it is closed. */
export async function sendTeamInvitationMail(
  deps: TeamInvitationJobDeps,
  data: { invitationId: string },
): Promise<void> {
  const token = randomBytes(32).toString('base64url');
  const url = dashboardUrl(deps.config, '/team-invite', token);
  const updated = await repo.setInvitationToken(deps.db, data.invitationId, hashLinkToken(token), lifetimeFromNow());
  if (!updated) {
    deps.logger.info(
      { invitationId: data.invitationId },
      'team invitation accepted or revoked before its mail: no mail',
    );
    return;
  }
  const invitation = await repo.findInvitationById(deps.db, updated.id);
  if (!invitation) return;
  await deps.mailer.send(
    teamInvitationMail(
      updated.email,
      { team: invitation.team_name, inviter: invitation.inviter_name, role: updated.role },
      url,
    ),
  );
}
