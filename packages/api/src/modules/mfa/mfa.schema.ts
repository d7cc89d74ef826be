// zod inputs and outputs of auth.mfa.* (two-step verification) and admin.users.resetMfa, shared with
// the dashboard's forms. The sign-in step (auth.login's answer, auth.mfa.verify) is in auth.schema.ts.
import { z } from 'zod';
import { CurrentPassword, TotpCode } from '../auth/auth.schema.js';
import { text } from '../common.schema.js';

/** Either a code of the authenticator app or one of the recovery codes. */
export const SecondFactorCode = text({ error: 'Code is required' })
  .trim()
  .min(6, 'Enter the 6-digit code from your authenticator app, or a recovery code')
  .max(20, 'Enter the 6-digit code from your authenticator app, or a recovery code');

/**
 * Who asks is confirmed by the current password, a code of the authenticator app (when two-step
 * verification is on), or, with neither, a single sign-on of this session at most five minutes old.
 */
export const SetupMfaInput = z.object({ currentPassword: CurrentPassword.optional(), code: TotpCode.optional() });
export type SetupMfaInput = z.infer<typeof SetupMfaInput>;

/** The new secret for the authenticator app: its `otpauth://` URI, and the same as a QR code (SVG). */
export const MfaSetup = z.object({ otpauthUri: z.string(), qrSvg: z.string() });
export type MfaSetup = z.infer<typeof MfaSetup>;

export const EnableMfaInput = z.object({ code: TotpCode });
export type EnableMfaInput = z.infer<typeof EnableMfaInput>;

/** Ten single-use codes (`xxxxx-xxxxx`), shown in this answer only. */
export const RecoveryCodes = z.object({ recoveryCodes: z.array(z.string()) });
export type RecoveryCodes = z.infer<typeof RecoveryCodes>;

/** `code` is always needed; the password (or a fresh single sign-on) too, unless `code` is an app code. */
export const DisableMfaInput = z.object({ currentPassword: CurrentPassword.optional(), code: SecondFactorCode });
export type DisableMfaInput = z.infer<typeof DisableMfaInput>;

export const RegenerateRecoveryCodesInput = z.object({ code: SecondFactorCode });
export type RegenerateRecoveryCodesInput = z.infer<typeof RegenerateRecoveryCodesInput>;

export const MfaStatus = z.object({
  enabled: z.boolean(),
  /** Unused recovery codes; 0 when two-step verification is off. */
  recoveryCodesLeft: z.number(),
  enabledAt: z.string().nullable(),
});
export type MfaStatus = z.infer<typeof MfaStatus>;
