// Invitation rules: an admin invites an address with a role; the invitee follows the
// mailed link, chooses a name and a password, and is signed in to an account with that role whose
// address is verified by construction. One open invitation per address; a resend mails a new link
// that voids the old one; invitations create accounts whatever SIGNUP_MODE says.
import { randomBytes } from 'node:crypto';
import type { DB, InvitationRow } from '@keel/db';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { AppError, conflict, isUniqueViolation } from '../../common/errors.js';
import type { Mailer } from '../../common/mailer.js';
import { decodeIdCursor, encodeCursor } from '../../common/pagination.js';
import type { ApiConfig } from '../../config.js';
import type { Context } from '../../context.js';
import type { AuthedContext } from '../../trpc.js';
import { dashboardUrl, hashLinkToken } from '../account/account.service.js';
import { audit } from '../audit/audit.service.js';
import type { AuthPayload } from '../auth/auth.schema.js';
import { assertPasswordsSignIn, issuePayload, openSession } from '../auth/auth.service.js';
import * as users from '../users/users.service.js';
import { invitationMail } from './invitations.mail.js';
import * as repo from './invitations.repository.js';
import type {
  AcceptInvitationInput,
  CreateInvitationInput,
  Invitation,
  InvitationIdInput,
  InvitationPage,
  InvitationPreview,
  InvitationTokenInput,
  ListInvitationsInput,
} from './invitations.schema.js';

/** How long an invitation link works, from the mail that carries it. */
const INVITATION_LIFETIME_MS = 7 * 24 * 60 * 60 * 1000;

const NO_LONGER_VALID = 'This invitation is no longer valid';
const ACCOUNT_EXISTS = 'An account already uses this address';
const ALREADY_INVITED = 'This address is already invited: resend the invitation instead';

export interface InvitationJobDeps {
  db: Kysely<DB>;
  mailer: Mailer;
  config: Pick<ApiConfig, 'publicUrl'>;
  logger: Logger;
}

const lifetimeFromNow = () => new Date(Date.now() + INVITATION_LIFETIME_MS);

function toInvitation(row: repo.InvitationListRow): Invitation {
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
    acceptedAt: row.accepted_at?.toISOString() ?? null,
  };
}

/** Why an invitation that is not open cannot be revoked or resent: 404 when there is none at all. */
async function notOpen(db: Kysely<DB>, id: string): Promise<AppError> {
  const row = await repo.findInvitationById(db, id);
  if (!row) return new AppError('NOT_FOUND', 'Invitation not found');
  return conflict(`This invitation was already ${row.status === 'accepted' ? 'accepted' : 'revoked'}`);
}

// --- admin.invitations.* ----------------------------------------------------------------------

export async function createInvitation(ctx: AuthedContext, input: CreateInvitationInput): Promise<Invitation> {
  if (await users.findUserByEmail(ctx.db, input.email)) throw conflict(ACCOUNT_EXISTS);
  const id = await ctx.db.transaction().execute(async (trx) => {
    let row: Awaited<ReturnType<typeof repo.insertInvitation>>;
    try {
      row = await repo.insertInvitation(trx, {
        email: input.email,
        role: input.role,
        invitedBy: ctx.user.id,
        expiresAt: lifetimeFromNow(),
      });
    } catch (error) {
      // The partial unique index: one open invitation per address.
      if (isUniqueViolation(error)) throw conflict(ALREADY_INVITED);
      throw error;
    }
    await audit(trx, ctx, {
      actorId: ctx.user.id,
      action: 'admin.invitation_created',
      targetType: 'invitation',
      targetId: row.id,
      metadata: { email: row.email, role: row.role },
    });
    // The mail, sent by a job committed with the invitation.
    await ctx.jobs.send(trx, 'invitations.send', { invitationId: row.id });
    return row.id;
  });
  const created = await repo.findInvitationById(ctx.db, id);
  if (!created) throw new Error(`invitation ${id} vanished after its creation`);
  return toInvitation(created);
}

export async function listInvitations(ctx: AuthedContext, input: ListInvitationsInput): Promise<InvitationPage> {
  const rows = await repo.listInvitations(ctx.db, {
    status: input.status,
    afterId: decodeIdCursor(input.cursor),
    limit: input.limit + 1,
  });
  const hasMore = rows.length > input.limit;
  const page = hasMore ? rows.slice(0, input.limit) : rows;
  const last = page.at(-1);
  return { items: page.map(toInvitation), nextCursor: hasMore && last ? encodeCursor(last.id) : null };
}

/** Revokes an open invitation (an expired one too): its link stops working and the address may be invited again. */
export async function revokeInvitation(ctx: AuthedContext, input: InvitationIdInput): Promise<{ success: true }> {
  const id = input.id.toLowerCase();
  await ctx.db.transaction().execute(async (trx) => {
    const row = await repo.revokeOpenInvitation(trx, id);
    if (!row) throw await notOpen(trx, id);
    await audit(trx, ctx, {
      actorId: ctx.user.id,
      action: 'admin.invitation_revoked',
      targetType: 'invitation',
      targetId: id,
      metadata: { email: row.email },
    });
  });
  return { success: true };
}

/**
 * Mails the invitation again with a new link, which voids the old one, and gives it 7 more days (an
 * expired invitation is open again).
 */
export async function resendInvitation(ctx: AuthedContext, input: InvitationIdInput): Promise<{ success: true }> {
  const id = input.id.toLowerCase();
  await ctx.db.transaction().execute(async (trx) => {
    const row = await repo.renewOpenInvitation(trx, id, lifetimeFromNow());
    if (!row) throw await notOpen(trx, id);
    await audit(trx, ctx, {
      actorId: ctx.user.id,
      action: 'admin.invitation_resent',
      targetType: 'invitation',
      targetId: id,
      metadata: { email: row.email },
    });
    await ctx.jobs.send(trx, 'invitations.send', { invitationId: id });
  });
  return { success: true };
}

// --- auth.invitation / auth.acceptInvitation --------------------------------------------------

/** What the accept page shows; only the newest link of an open, unexpired invitation works. */
export async function previewInvitation(ctx: Context, input: InvitationTokenInput): Promise<InvitationPreview> {
  const row = await repo.findPendingInvitationByTokenHash(ctx.db, hashLinkToken(input.token));
  if (!row) throw new AppError('NOT_FOUND', NO_LONGER_VALID);
  return {
    email: row.email,
    role: row.role,
    invitedBy: row.inviter_name === null ? null : { name: row.inviter_name },
    expiresAt: row.expires_at.toISOString(),
  };
}

/**
 * Creates the invited account (the invitation's address, verified, and role) and signs it in. The
 * account, the acceptance and the session commit together: an invitation consumed meanwhile, or an
 * account created meanwhile for the address, rolls the rest back.
 */
export async function acceptInvitation(ctx: Context, input: AcceptInvitationInput): Promise<AuthPayload> {
  // Without passwords, the invited person signs in through the provider, which honours the invitation.
  assertPasswordsSignIn(ctx);
  const tokenHash = hashLinkToken(input.token);
  const invitation = await repo.findPendingInvitationByTokenHash(ctx.db, tokenHash);
  if (!invitation) throw new AppError('NOT_FOUND', NO_LONGER_VALID);
  if (await users.findUserByEmail(ctx.db, invitation.email)) throw conflict(ACCOUNT_EXISTS);
  const passwordHash = await ctx.hasher.hash(input.password);
  const { user, sessionId, refreshToken } = await ctx.db.transaction().execute(async (trx) => {
    let row: Awaited<ReturnType<typeof users.insertUser>>;
    try {
      row = await users.insertUser(trx, {
        email: invitation.email,
        name: input.name,
        password_hash: passwordHash,
        role: invitation.role,
        // The link reached this address.
        email_verified: true,
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(ACCOUNT_EXISTS);
      throw error;
    }
    const accepted = await repo.acceptInvitation(trx, { tokenHash }, row.id);
    if (!accepted) throw new AppError('NOT_FOUND', NO_LONGER_VALID);
    const session = await openSession(ctx, trx, row.id);
    await audit(trx, ctx, {
      actorId: row.id,
      action: 'auth.invitation_accepted',
      targetType: 'user',
      targetId: row.id,
      metadata: { invitationId: accepted.id, role: accepted.role },
    });
    return { user: users.toUser(row), ...session };
  });
  return issuePayload(ctx, user, sessionId, refreshToken);
}

// --- Jobs -------------------------------------------------------------------------------------

/**
 * The mail of an invitation (`invitations.send`): a new link whose token replaces the last one (the
 * older link stops working) and whose 7 days start now. Nothing once it was accepted or revoked.
 */
export async function sendInvitationMail(deps: InvitationJobDeps, data: { invitationId: string }): Promise<void> {
  const token = randomBytes(32).toString('base64url');
  const url = dashboardUrl(deps.config, '/invite', token);
  const updated = await repo.setInvitationToken(deps.db, data.invitationId, hashLinkToken(token), lifetimeFromNow());
  if (!updated) {
    deps.logger.info({ invitationId: data.invitationId }, 'invitation accepted or revoked before its mail: no mail');
    return;
  }
  const invitation = await repo.findInvitationById(deps.db, updated.id);
  await deps.mailer.send(invitationMail(updated.email, invitation?.inviter_name ?? null, updated.role, url));
}

/**
 * The open invitation of an address, for a first single sign-on under `SIGNUP_MODE=invite` (the
 * provider vouches for the address in place of the link's token).
 */
export function findOpenInvitationOfEmail(db: Kysely<DB>, email: string): Promise<InvitationRow | undefined> {
  return repo.findPendingInvitationOfEmail(db, email);
}

/** Accepts the open invitation of `email` for the account just created for it; undefined when none is left. */
export function acceptOpenInvitationOfEmail(
  db: Kysely<DB>,
  email: string,
  userId: string,
): Promise<InvitationRow | undefined> {
  return repo.acceptInvitation(db, { email }, userId);
}
