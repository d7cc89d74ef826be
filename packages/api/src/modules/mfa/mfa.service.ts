// Two-step verification rules: a TOTP secret (RFC 6238: SHA-1, 6 digits, 30 s) set up once the
// caller confirmed it is them (auth.service.ts `reauthenticate`), pending until a first code enables it; ten single-use recovery codes; every code
// accepted once (the last accepted time step is kept, and an earlier or equal one refused). The
// sign-in step that asks for the code is auth's (auth.service.ts `verifyMfa`); it checks codes here.
//
// The secret is stored as the authenticator app was given it: the codebase has no encryption key
// or helper yet, and the database already holds what a session needs (docs/two-step.md).
import { randomBytes } from 'node:crypto';
import type { DB } from '@keel/db';
import type { Kysely } from 'kysely';
import { Secret, TOTP } from 'otpauth';
import * as QRCode from 'qrcode';
import { badRequest, conflict, notFound } from '../../common/errors.js';
import { hashSecret } from '../../common/tokens.js';
import type { Context } from '../../context.js';
import type { AuthedContext } from '../../trpc.js';
import { audit } from '../audit/audit.service.js';
import * as users from '../users/users.service.js';
import * as repo from './mfa.repository.js';
import type {
  DisableMfaInput,
  EnableMfaInput,
  MfaSetup,
  MfaStatus,
  RecoveryCodes,
  RegenerateRecoveryCodesInput,
} from './mfa.schema.js';

/** The name authenticator apps show above the account. */
const ISSUER = 'Keel';
const PERIOD_SECONDS = 30;
/** A code of the step before or after the current one is accepted too: clocks drift, people type slowly. */
const WINDOW_STEPS = 1;
const RECOVERY_CODE_COUNT = 10;
/** 32 letters and digits, so that a random byte modulo 32 is unbiased; 10 of them carry 50 bits. */
const RECOVERY_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

const WRONG_CODE =
  'That code is not valid: enter the current code of your authenticator app, or an unused recovery code';

/** The clock codes are checked against: the deps' when the host (or a test) sets one. */
export const nowOf = (ctx: Pick<Context, 'now'>): number => ctx.now?.() ?? Date.now();

function totpOf(secret: string, account: string): TOTP {
  return new TOTP({
    issuer: ISSUER,
    label: account,
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD_SECONDS,
    secret: Secret.fromBase32(secret),
  });
}

/** The time step of a valid code at `now`, or undefined. */
function stepOf(secret: string, code: string, now: number): number | undefined {
  const totp = totpOf(secret, '');
  const delta = totp.validate({ token: code, timestamp: now, window: WINDOW_STEPS });
  return delta === null ? undefined : totp.counter({ timestamp: now }) + delta;
}

/** A recovery code as typed (any case, spaces or dashes anywhere) in the form it was shown, or undefined. */
function canonicalRecoveryCode(typed: string): string | undefined {
  const letters = typed.toLowerCase().replace(/[^a-z0-9]/g, '');
  if (letters.length !== 10) return undefined;
  return `${letters.slice(0, 5)}-${letters.slice(5)}`;
}

function newRecoveryCodes(): string[] {
  return Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const letters = Array.from(randomBytes(10), (byte) => RECOVERY_ALPHABET[byte % RECOVERY_ALPHABET.length]).join('');
    return `${letters.slice(0, 5)}-${letters.slice(5)}`;
  });
}

/** Stores ten new recovery codes in place of the user's others; returns them, the only time they are shown. */
async function issueRecoveryCodes(db: Kysely<DB>, userId: string): Promise<string[]> {
  const codes = newRecoveryCodes();
  await repo.replaceRecoveryCodes(
    db,
    userId,
    codes.map((code) => hashSecret(code)),
  );
  return codes;
}

/** A second factor presented: a code of the authenticator app, or a recovery code. */
export type SecondFactor = { code: string } | { recoveryCode: string };

/** Which second factor was accepted (audited with the sign-in). */
export type SecondFactorMethod = 'totp' | 'recovery_code';

/**
 * Checks a second factor of `userId` in `db`'s transaction and spends it: a code's time step can
 * never be used again, a recovery code is marked used (and audited). Undefined when it is not
 * valid, was used already, or two-step verification is off.
 */
export async function checkSecondFactor(
  ctx: Context,
  db: Kysely<DB>,
  userId: string,
  factor: SecondFactor,
): Promise<SecondFactorMethod | undefined> {
  if ('recoveryCode' in factor) {
    const code = canonicalRecoveryCode(factor.recoveryCode);
    if (!code || !(await repo.useRecoveryCode(db, userId, hashSecret(code)))) return undefined;
    await audit(db, ctx, {
      actorId: userId,
      action: 'auth.recovery_code_used',
      targetType: 'user',
      targetId: userId,
      metadata: { recoveryCodesLeft: await repo.countUnusedRecoveryCodes(db, userId) },
    });
    return 'recovery_code';
  }
  const secret = await repo.lockSecret(db, userId);
  if (!secret?.enabled_at) return undefined;
  const step = stepOf(secret.secret, factor.code, nowOf(ctx));
  if (step === undefined || !(await repo.acceptStep(db, userId, step))) return undefined;
  return 'totp';
}

/** Whether `code` is a code of the app (six digits), rather than a recovery code. */
export const isAppCode = (code: string): boolean => /^\d{6}$/.test(code);

const asSecondFactor = (code: string): SecondFactor => (isAppCode(code) ? { code } : { recoveryCode: code });

/** Whether signing in as `userId` takes a code after the password. */
export async function isMfaEnabled(db: Kysely<DB>, userId: string): Promise<boolean> {
  return (await repo.findSecret(db, userId))?.enabled_at != null;
}

/**
 * A wrong second factor, audited on its own (it commits even though the call fails): the
 * account's failed codes show in the audit log whatever the challenge or the address.
 */
export async function recordFailedSecondFactor(
  ctx: Context,
  userId: string,
  metadata: Record<string, unknown>,
): Promise<void> {
  await audit(ctx.db, ctx, {
    actorId: userId,
    action: 'auth.mfa_failed',
    targetType: 'user',
    targetId: userId,
    metadata,
  });
}

// --- auth.mfa.* --------------------------------------------------------------------------------

/**
 * A new pending secret (replacing a pending one) for the authenticator app, labelled with the
 * account's `email`; refused once two-step is on. The caller already confirmed it is them.
 */
export async function setupMfa(ctx: AuthedContext, email: string): Promise<MfaSetup> {
  const secret = new Secret({ size: 20 }).base32;
  if (!(await repo.upsertPendingSecret(ctx.db, ctx.user.id, secret))) {
    throw conflict('Two-step verification is already on: turn it off first to set up another device');
  }
  const otpauthUri = totpOf(secret, email).toString();
  return { otpauthUri, qrSvg: await QRCode.toString(otpauthUri, { type: 'svg' }) };
}

/**
 * Turns two-step verification on with a first code of the pending secret, in `db`'s transaction
 * (auth marks the caller's session in the same one); returns the recovery codes.
 */
export async function enableMfa(ctx: AuthedContext, db: Kysely<DB>, input: EnableMfaInput): Promise<string[]> {
  const secret = await repo.lockSecret(db, ctx.user.id);
  if (!secret) throw badRequest('Set up two-step verification first: there is no secret to confirm');
  if (secret.enabled_at) throw conflict('Two-step verification is already on');
  const now = nowOf(ctx);
  const step = stepOf(secret.secret, input.code, now);
  if (step === undefined) throw badRequest(WRONG_CODE);
  await repo.enableSecret(db, ctx.user.id, step, new Date(now));
  const codes = await issueRecoveryCodes(db, ctx.user.id);
  await audit(db, ctx, { actorId: ctx.user.id, action: 'auth.mfa_enabled', targetType: 'user', targetId: ctx.user.id });
  return codes;
}

/**
 * Turns two-step verification off with a code (or a recovery code), once the caller confirmed it is
 * them (auth.service.ts `disableMfa`).
 */
export async function disableMfa(ctx: AuthedContext, input: DisableMfaInput): Promise<{ success: true }> {
  await withSecondFactor(ctx, input.code, 'disable', async (trx) => {
    await repo.deleteTwoStep(trx, ctx.user.id);
    await audit(trx, ctx, {
      actorId: ctx.user.id,
      action: 'auth.mfa_disabled',
      targetType: 'user',
      targetId: ctx.user.id,
    });
  });
  return { success: true };
}

/**
 * Runs `change` in one transaction once the caller's code (an app code or a recovery code) checked
 * out, under the secret's lock: 409 when two-step verification is off, 400 for a wrong code (audited
 * on its own, after the transaction).
 */
async function withSecondFactor<T>(
  ctx: AuthedContext,
  code: string,
  during: 'disable' | 'regenerate',
  change: (trx: Kysely<DB>) => Promise<T>,
): Promise<T> {
  const outcome = await ctx.db.transaction().execute(async (trx) => {
    const secret = await repo.lockSecret(trx, ctx.user.id);
    if (!secret?.enabled_at) return { off: true as const };
    if (!(await checkSecondFactor(ctx, trx, ctx.user.id, asSecondFactor(code)))) return { wrong: true as const };
    return { done: await change(trx) };
  });
  if ('off' in outcome) throw conflict('Two-step verification is not on');
  if ('wrong' in outcome) {
    await recordFailedSecondFactor(ctx, ctx.user.id, { reason: 'wrong_code', during });
    throw badRequest(WRONG_CODE);
  }
  return outcome.done;
}

export async function mfaStatus(ctx: AuthedContext): Promise<MfaStatus> {
  const secret = await repo.findSecret(ctx.db, ctx.user.id);
  if (!secret?.enabled_at) return { enabled: false, recoveryCodesLeft: 0, enabledAt: null };
  return {
    enabled: true,
    recoveryCodesLeft: await repo.countUnusedRecoveryCodes(ctx.db, ctx.user.id),
    enabledAt: secret.enabled_at.toISOString(),
  };
}

/** Ten new recovery codes for a code (or a recovery code); the old ones stop working. */
export async function regenerateRecoveryCodes(
  ctx: AuthedContext,
  input: RegenerateRecoveryCodesInput,
): Promise<RecoveryCodes> {
  const recoveryCodes = await withSecondFactor(ctx, input.code, 'regenerate', async (trx) => {
    const codes = await issueRecoveryCodes(trx, ctx.user.id);
    await audit(trx, ctx, {
      actorId: ctx.user.id,
      action: 'auth.recovery_codes_regenerated',
      targetType: 'user',
      targetId: ctx.user.id,
    });
    return codes;
  });
  return { recoveryCodes };
}

// --- admin.users.resetMfa ----------------------------------------------------------------------

/**
 * Turns two-step verification off for a user who lost their device: audited, and the user is
 * mailed a notice (they learn of a reset they did not ask for). Their sessions stay as they are.
 */
export async function resetMfa(ctx: AuthedContext, input: { userId: string }): Promise<{ success: true }> {
  const userId = input.userId.toLowerCase();
  await ctx.db.transaction().execute(async (trx) => {
    if (!(await users.lockUser(trx, userId))) throw notFound('User');
    if (!(await repo.deleteTwoStep(trx, userId))) {
      throw conflict('Two-step verification is not on for this user');
    }
    await audit(trx, ctx, { actorId: ctx.user.id, action: 'admin.mfa_reset', targetType: 'user', targetId: userId });
    await ctx.jobs.send(trx, 'account.notice', { userId, notice: 'two_step_reset' });
  });
  return { success: true };
}
