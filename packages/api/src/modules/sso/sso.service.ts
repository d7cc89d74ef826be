// Single sign-on rules (OpenID Connect): an identity is the provider's `iss` and `sub`, never its
// email. A first sign-in creates an account when the sign-up rules allow it, or links the account
// with that address only when both sides verified it; a signed-in person links more identities from
// the account page, and unlinks one unless it is their only way in. The host (apps/server/src/oidc.ts)
// runs the code flow and hands the ID token's checked claims here.
import { randomBytes } from 'node:crypto';
import type { IdentityRow, UserRow } from '@keel/db';
import { AppError, type AppErrorCode, conflict, forbidden, isUniqueViolation, notFound } from '../../common/errors.js';
import { hasSecondFactor, SSO_AND_OTP, SSO_ONLY } from '../../common/tokens.js';
import type { SsoConfig } from '../../config.js';
import type { Context } from '../../context.js';
import { type AuthedContext, optionalUser } from '../../trpc.js';
import { audit } from '../audit/audit.service.js';
import type { AuthPayload } from '../auth/auth.schema.js';
import {
  finishSignIn,
  openSignedInSession,
  openSingleSignOnMfaChallenge,
  type SignedInSession,
} from '../auth/auth.service.js';
import * as invitations from '../invitations/invitations.service.js';
import { isMfaEnabled } from '../mfa/mfa.service.js';
import { hasPendingTeamInvitation } from '../teams/teams.service.js';
import * as users from '../users/users.service.js';
import * as repo from './sso.repository.js';
import {
  type Identity,
  type IdentityIdInput,
  type IdentityList,
  type Providers,
  SSO_ERROR_MESSAGES,
  type SsoErrorCode,
} from './sso.schema.js';

/** What the host learnt from the provider: the ID token's claims (and userinfo's, for the address). */
export interface OidcClaims {
  /** The ID token's `iss`. */
  issuer: string;
  /** The ID token's `sub`. */
  subject: string;
  email: string | undefined;
  /** The provider's `email_verified`. */
  emailVerified: boolean;
  name: string | undefined;
  /** The ID token's `amr` (RFC 8176): how the provider authenticated the person. */
  amr?: readonly string[] | undefined;
}

/** Who started linking from the account page: read from a verified access token, carried in the signed state. */
export interface LinkIntent {
  userId: string;
  sessionId: string;
}

/** A refusal of a single sign-on, with the short code the callback puts in the sign-in page's address. */
export class SsoRefusal extends AppError {
  readonly reason: SsoErrorCode;

  constructor(reason: SsoErrorCode, code: AppErrorCode = 'FORBIDDEN') {
    super(code, SSO_ERROR_MESSAGES[reason]);
    this.reason = reason;
  }
}

/** RFC 8176 methods that prove possession of something beyond a password. */
const POSSESSION_METHODS = new Set(['otp', 'hwk', 'swk', 'sms', 'tel', 'sc']);

/**
 * Whether the provider says it checked more than one factor: `mfa`, or a possession method beside
 * another method (`['pwd', 'otp']`, `['hwk', 'pin']`).
 */
export function providerUsedSecondFactor(amr: readonly string[] | undefined): boolean {
  if (!amr) return false;
  if (amr.includes('mfa')) return true;
  return new Set(amr).size >= 2 && amr.some((method) => POSSESSION_METHODS.has(method));
}

function ssoConfigOf(ctx: Context): SsoConfig {
  const config = ctx.config.sso;
  if (!config) throw new SsoRefusal('unavailable', 'SERVICE_UNAVAILABLE');
  return config;
}

/** `auth.providers`: what the sign-in page offers. */
export function providers(ctx: Context): Providers {
  const sso = ctx.config.sso;
  return { password: ctx.config.passwordLogin, oidc: sso ? { label: sso.label } : null };
}

function normalizedEmail(email: string | undefined): string | undefined {
  const normalized = email?.trim().toLowerCase();
  // The shape auth.register accepts; a provider's odd value creates no account.
  return normalized && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(normalized) && normalized.length <= 254
    ? normalized
    : undefined;
}

/** A display name from the provider, or the address's local part. */
function displayName(claims: OidcClaims, email: string): string {
  const name = claims.name?.trim().slice(0, 100);
  return name || email.slice(0, email.indexOf('@')).slice(0, 100);
}

/**
 * SIGNUP_MODE for an account single sign-on would create: `invite` wants an open invitation for the
 * address, `domain` an address at SIGNUP_DOMAINS; both want the provider to have verified it, since
 * there the address is the credential.
 */
function assertSignUpAllowed(ctx: Context, email: string, verified: boolean, invited: boolean): void {
  const { signupMode, signupDomains } = ctx.config;
  if (signupMode === 'invite' && !(invited && verified)) throw new SsoRefusal('signup_invite');
  if (signupMode === 'domain') {
    const domain = email.slice(email.lastIndexOf('@') + 1);
    if (!verified || !signupDomains.includes(domain)) throw new SsoRefusal('signup_domain');
  }
}

type SignInOutcome = { signedIn: SignedInSession } | { mfaToken: string };

/**
 * A single sign-on's answer: signed in (the tokens, the refresh cookie set), or the account has
 * two-step verification the provider did not confirm, and `auth.mfa.verify` trades `mfaToken` (five
 * minutes, single use; the host hands it to the browser in the `keel_mfa` cookie) and a code for them.
 */
export type SsoSignIn = (AuthPayload & { mfaRequired: false }) | { mfaRequired: true; mfaToken: string };

/** Binds the provider's identity to an existing account, audited with how the link was made. */
async function linkIdentityOf(
  ctx: Context,
  trx: Context['db'],
  userId: string,
  claims: OidcClaims,
  email: string | null,
  via: 'verified_email' | 'account_page',
): Promise<void> {
  const linked = await repo.insertIdentity(trx, { userId, issuer: claims.issuer, subject: claims.subject, email });
  await audit(trx, ctx, {
    actorId: userId,
    action: 'auth.sso_linked',
    targetType: 'identity',
    targetId: linked.id,
    metadata: { issuer: claims.issuer, email, via },
  });
}

/**
 * Signs the person in with a provider's identity, opening a session whose `amr` is `['sso']`, or
 * `['sso', 'otp']` when the provider checked a second factor (or OIDC_MFA_TRUSTED says to trust it).
 * An account with two-step verification the provider did not confirm gets the code step instead
 * (`mfaRequired`), whose session is `['sso', 'otp']` too. The identity, the account it creates or
 * links, the session (or the challenge) and the audit commit together. Sets the refresh cookie;
 * throws `SsoRefusal` with the reason otherwise.
 */
export async function signInWithIdentity(ctx: Context, claims: OidcClaims): Promise<SsoSignIn> {
  const config = ssoConfigOf(ctx);
  const email = normalizedEmail(claims.email);
  const emailVerified = email !== undefined && (claims.emailVerified || config.trustEmail);
  const secondFactor = config.mfaTrusted || providerUsedSecondFactor(claims.amr);
  const amr = secondFactor ? SSO_AND_OTP : SSO_ONLY;
  const known = await repo.findIdentity(ctx.db, claims.issuer, claims.subject);
  // A new account's password hash is of a secret nobody is told: a password sign-in is refused as
  // any wrong password is, until a reset link sets one. Hashed before the transaction holds locks.
  const unusableHash =
    known || !email || (await users.findUserByEmail(ctx.db, email))
      ? undefined
      : await ctx.hasher.hash(randomBytes(32).toString('base64url'));
  const metadata = { issuer: claims.issuer, secondFactor };
  let outcome: SignInOutcome;
  try {
    outcome = await ctx.db.transaction().execute(async (trx): Promise<SignInOutcome> => {
      const identity = await repo.findIdentity(trx, claims.issuer, claims.subject);
      let user: UserRow | undefined;
      if (identity) {
        user = await users.lockUser(trx, identity.user_id);
        if (!user) throw new SsoRefusal('failed', 'CONFLICT');
        if (!user.active) throw new SsoRefusal('disabled');
        await repo.touchIdentity(trx, identity.id, email ?? identity.email);
      } else {
        if (!email) throw new SsoRefusal('email_missing');
        const existing = await users.findUserByEmail(trx, email);
        if (existing) {
          user = await users.lockUser(trx, existing.id);
          if (!user) throw new SsoRefusal('failed', 'CONFLICT');
          if (!user.active) throw new SsoRefusal('disabled');
          // Only an address both sides proved ties the provider's account to this one.
          if (!(user.email_verified && emailVerified)) throw new SsoRefusal('account_exists', 'CONFLICT');
          await linkIdentityOf(ctx, trx, user.id, claims, email, 'verified_email');
        } else {
          user = await createAccount(ctx, trx, claims, {
            email,
            emailVerified,
            unusableHash,
            defaultRole: config.defaultRole,
          });
        }
      }
      // Two-step verification the person turned on is not skipped by a provider that checked one
      // factor: Keel asks for the code itself (auth.mfa.verify then opens the session).
      if (!secondFactor && (await isMfaEnabled(trx, user.id))) {
        return { mfaToken: await openSingleSignOnMfaChallenge(ctx, trx, user, claims.issuer) };
      }
      return { signedIn: await openSignedInSession(ctx, trx, user, amr, metadata, 'auth.sso_login') };
    });
  } catch (error) {
    // Two first sign-ins of one identity (or address) at once: one created it, this one may retry.
    if (isUniqueViolation(error)) throw new SsoRefusal('failed', 'CONFLICT');
    throw error;
  }
  if ('mfaToken' in outcome) return { mfaRequired: true, mfaToken: outcome.mfaToken };
  if (ctx.observation) ctx.observation.userId ??= outcome.signedIn.user.id;
  return { ...(await finishSignIn(ctx, outcome.signedIn, amr)), mfaRequired: false };
}

async function createAccount(
  ctx: Context,
  trx: Context['db'],
  claims: OidcClaims,
  options: { email: string; emailVerified: boolean; unusableHash: string | undefined; defaultRole: UserRow['role'] },
): Promise<UserRow> {
  const { email, emailVerified } = options;
  const invitation = await invitations.findOpenInvitationOfEmail(trx, email);
  // Without passwords there is no bootstrap admin at start: the first single sign-on with
  // ADMIN_EMAIL, an address the provider vouched for, is the ADMIN whatever the sign-up rules.
  const bootstrapAdmin = !ctx.config.passwordLogin && emailVerified && email === ctx.config.adminEmail;
  if (!bootstrapAdmin) {
    // A team invitation lets the account be created too; the person then accepts it signed in.
    const invited = invitation !== undefined || (await hasPendingTeamInvitation(trx, email));
    assertSignUpAllowed(ctx, email, emailVerified, invited);
  }
  // Read before the transaction; an account created for the address since is refused by the unique index.
  if (!options.unusableHash) throw new SsoRefusal('failed', 'CONFLICT');
  // A verified address claims its invitation, which then gives the role (in every sign-up mode).
  const claimsInvitation = invitation !== undefined && emailVerified;
  const row = await users.insertUser(trx, {
    email,
    name: displayName(claims, email),
    password_hash: options.unusableHash,
    password_version: users.NO_PASSWORD_VERSION,
    role: bootstrapAdmin ? 'ADMIN' : claimsInvitation ? invitation.role : options.defaultRole,
    email_verified: emailVerified,
  });
  if (claimsInvitation && !(await invitations.acceptOpenInvitationOfEmail(trx, email, row.id))) {
    throw new SsoRefusal('failed', 'CONFLICT');
  }
  const identity = await repo.insertIdentity(trx, {
    userId: row.id,
    issuer: claims.issuer,
    subject: claims.subject,
    email,
  });
  await audit(trx, ctx, {
    actorId: row.id,
    action: 'auth.register',
    targetType: 'user',
    targetId: row.id,
    metadata: {
      via: 'sso',
      issuer: claims.issuer,
      identityId: identity.id,
      ...(claimsInvitation ? { invitationId: invitation.id } : {}),
      ...(bootstrapAdmin ? { bootstrapAdmin: true } : {}),
    },
  });
  // An address the provider did not vouch for is verified by Keel's own link.
  if (!emailVerified) await ctx.jobs.send(trx, 'account.verification', { userId: row.id });
  return row;
}

/**
 * Who asks to link an identity from the account page: the caller of a verified, unrevoked access
 * token (never an API key), as a signed-in procedure would check it. Throws 401 without one, 403
 * when the account has two-step verification and the token's session did not pass it.
 */
export async function linkIntentOf(ctx: Context): Promise<LinkIntent> {
  const user = await optionalUser(ctx, 'auth.sso.link', 'query');
  if (!user) throw new AppError('UNAUTHORIZED', 'Sign in to link single sign-on to your account');
  // A new way in is as sensitive as the password: an account with two-step verification links one
  // only from a session that passed it, so a stolen password-only token cannot add a back door.
  if ((await isMfaEnabled(ctx.db, user.id)) && !(ctx.token && hasSecondFactor(ctx.token))) {
    throw forbidden('Sign in again with your code to link single sign-on to this account');
  }
  return { userId: user.id, sessionId: user.sessionId };
}

/**
 * Links the provider's identity to the account that started the link (`linkIntentOf`), if the
 * session that started it is still live. An identity is linked to one account only.
 */
export async function linkIdentity(ctx: Context, intent: LinkIntent, claims: OidcClaims): Promise<void> {
  ssoConfigOf(ctx);
  const state = await ctx.sessionState.lookup(intent.sessionId, intent.userId);
  if (state.revoked) throw new SsoRefusal('link_expired', 'UNAUTHORIZED');
  const email = normalizedEmail(claims.email) ?? null;
  try {
    await ctx.db.transaction().execute(async (trx) => {
      const user = await users.lockUser(trx, intent.userId);
      if (!user) throw new SsoRefusal('link_expired', 'UNAUTHORIZED');
      if (!user.active) throw new SsoRefusal('disabled');
      const identity = await repo.findIdentity(trx, claims.issuer, claims.subject);
      if (identity) {
        if (identity.user_id !== user.id) throw new SsoRefusal('identity_taken', 'CONFLICT');
        await repo.touchIdentity(trx, identity.id, email ?? identity.email);
        return;
      }
      await linkIdentityOf(ctx, trx, user.id, claims, email, 'account_page');
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new SsoRefusal('identity_taken', 'CONFLICT');
    throw error;
  }
}

function toIdentity(row: IdentityRow): Identity {
  return {
    id: row.id,
    issuer: row.issuer,
    email: row.email,
    createdAt: row.created_at.toISOString(),
    lastLoginAt: row.last_login_at?.toISOString() ?? null,
  };
}

/** `sso.identities`: the caller's linked identities, oldest first. */
export async function listIdentities(ctx: AuthedContext): Promise<IdentityList> {
  const rows = await repo.listIdentitiesOfUser(ctx.db, ctx.user.id);
  return { items: rows.map(toIdentity) };
}

/**
 * `sso.unlink`: removes one of the caller's identities, unless it is their only way to sign in
 * (no other identity, and no password: none was ever set, or PASSWORD_LOGIN=false).
 */
export async function unlinkIdentity(ctx: AuthedContext, input: IdentityIdInput): Promise<{ success: true }> {
  const id = input.id.toLowerCase();
  await ctx.db.transaction().execute(async (trx) => {
    // Two unlinks at once: the user row's lock makes the second count what the first left.
    const user = await users.lockUser(trx, ctx.user.id);
    if (!user) throw notFound('Identity');
    const identities = await repo.listIdentitiesOfUser(trx, user.id);
    if (!identities.some((identity) => identity.id === id)) throw notFound('Identity');
    const password = ctx.config.passwordLogin && user.password_version !== users.NO_PASSWORD_VERSION;
    if (!password && identities.length === 1) {
      throw conflict(
        ctx.config.passwordLogin
          ? 'This is your only way to sign in: set a password first (Forgot password on the sign-in page)'
          : 'This is your only way to sign in',
      );
    }
    const removed = await repo.deleteIdentityOfUser(trx, id, user.id);
    if (!removed) throw notFound('Identity');
    await audit(trx, ctx, {
      actorId: user.id,
      action: 'auth.sso_unlinked',
      targetType: 'identity',
      targetId: id,
      metadata: { issuer: removed.issuer, email: removed.email },
    });
  });
  return { success: true };
}
