// zod inputs and outputs of the auth procedures, shared with the web app's forms.
import { z } from 'zod';
import { NameInput, text } from '../common.schema.js';
import { User } from '../users/users.schema.js';

export const EmailInput = text({ error: 'Email is required' })
  .trim()
  .toLowerCase()
  .max(254, 'Email must be at most 254 characters')
  .email({ error: 'Invalid email format' });

export const PasswordPolicy = text({ error: 'Password is required' })
  .min(8, 'Password must be at least 8 characters')
  .max(100, 'Password must be at most 100 characters')
  .regex(/[a-z]/, 'Password must contain a lower-case letter')
  .regex(/[A-Z]/, 'Password must contain an upper-case letter')
  .regex(/[0-9]/, 'Password must contain a digit');

/** The password the caller signs in with, asked again before a change to the account's credentials. */
export const CurrentPassword = text().min(1, 'Current password is required').max(100);

/** A six-digit code of an authenticator app (TOTP). */
export const TotpCode = text({ error: 'Code is required' })
  .trim()
  .regex(/^\d{6}$/, 'Enter the 6-digit code from your authenticator app');

export const RegisterInput = z.object({ email: EmailInput, password: PasswordPolicy, name: NameInput });
export const LoginInput = z.object({
  email: EmailInput,
  password: text({ error: 'Password is required' }).min(1, 'Password is required').max(100),
});
export const RefreshTokenInput = z.object({ refreshToken: text().max(512).optional() }).optional();
export const RevokeSessionInput = z.object({ sessionId: z.uuid({ error: 'Invalid session id' }) });
/**
 * The caller is confirmed by `currentPassword`, or by `code` (of the authenticator app), or, with
 * neither, by a single sign-on of this session at most five minutes old.
 */
export const ChangePasswordInput = z.object({
  currentPassword: CurrentPassword.optional(),
  code: TotpCode.optional(),
  newPassword: PasswordPolicy,
});

export const AuthPayload = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  tokenType: z.literal('Bearer'),
  expiresIn: z.number(),
  user: User,
});
export type AuthPayload = z.infer<typeof AuthPayload>;

/** A recovery code as shown when two-step verification was turned on (`xxxxx-xxxxx`); case and spaces do not matter. */
export const RecoveryCodeInput = text({ error: 'Recovery code is required' })
  .trim()
  .min(10, 'Enter one of your recovery codes, e.g. abcde-fghij')
  .max(20, 'Enter one of your recovery codes, e.g. abcde-fghij');

/**
 * `auth.login`'s answer: signed in (`mfaRequired: false`, the tokens), or the password was right
 * and the account has two-step verification (`mfaRequired: true`): `auth.mfa.verify` trades the
 * `mfaToken` (five minutes, single use) and a code for the tokens.
 */
export const LoginResult = z.discriminatedUnion('mfaRequired', [
  AuthPayload.extend({ mfaRequired: z.literal(false) }),
  z.object({ mfaRequired: z.literal(true), mfaToken: z.string() }),
]);
export type LoginResult = z.infer<typeof LoginResult>;

/**
 * `mfaToken` is `auth.login`'s; without it the challenge is read from the `keel_mfa` cookie, which
 * the OIDC callback sets for the code step after a single sign-on.
 */
export const VerifyMfaInput = z
  .object({
    mfaToken: text({ error: 'The sign-in token is required' })
      .trim()
      .min(20, 'This sign-in has expired: sign in again')
      .max(100, 'This sign-in has expired: sign in again')
      .optional(),
    code: TotpCode.optional(),
    recoveryCode: RecoveryCodeInput.optional(),
  })
  .refine((input) => (input.code === undefined) !== (input.recoveryCode === undefined), {
    message: 'Send either a code from your authenticator app or a recovery code',
    path: ['code'],
  });
export type VerifyMfaInput = z.infer<typeof VerifyMfaInput>;

export const Session = z.object({
  id: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string(),
  expiresAt: z.string(),
  userAgent: z.string().nullable(),
  ip: z.string().nullable(),
  current: z.boolean(),
});
export const SessionList = z.object({ items: z.array(Session) });
export const RevokedSessions = z.object({ revokedSessions: z.number() });

export type RegisterInput = z.infer<typeof RegisterInput>;
export type LoginInput = z.infer<typeof LoginInput>;
export type ChangePasswordInput = z.infer<typeof ChangePasswordInput>;
