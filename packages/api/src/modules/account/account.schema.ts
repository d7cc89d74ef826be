// zod inputs of the account-lifecycle procedures (auth.requestPasswordReset, auth.resetPassword,
// auth.verifyEmail, auth.requestEmailChange, auth.confirmEmailChange), shared with the dashboard's forms.
import { z } from 'zod';
import { CurrentPassword, EmailInput, PasswordPolicy, TotpCode } from '../auth/auth.schema.js';
import { text } from '../common.schema.js';

/** A link's token as the dashboard reads it from `?token=`: 32 random bytes, base64url. */
export const LinkToken = text({ error: 'This link has no token: open the link from the mail again' })
  .trim()
  .min(20, 'This link is incomplete: open it from the mail again')
  .max(100, 'This link is not valid: open it from the mail again');

export const RequestPasswordResetInput = z.object({ email: EmailInput });
export type RequestPasswordResetInput = z.infer<typeof RequestPasswordResetInput>;

export const ResetPasswordInput = z.object({ token: LinkToken, newPassword: PasswordPolicy });
export type ResetPasswordInput = z.infer<typeof ResetPasswordInput>;

export const VerifyEmailInput = z.object({ token: LinkToken });
export type VerifyEmailInput = z.infer<typeof VerifyEmailInput>;

/** The caller is confirmed as for auth.changePassword: the password, an app code, or a fresh single sign-on. */
export const RequestEmailChangeInput = z.object({
  newEmail: EmailInput,
  currentPassword: CurrentPassword.optional(),
  code: TotpCode.optional(),
});
export type RequestEmailChangeInput = z.infer<typeof RequestEmailChangeInput>;

export const ConfirmEmailChangeInput = z.object({ token: LinkToken });
export type ConfirmEmailChangeInput = z.infer<typeof ConfirmEmailChangeInput>;
