// zod inputs and outputs of the single sign-on procedures (sso.*, auth.providers), and the refusals
// the OIDC callback names in the sign-in page's address (`/sign-in?sso_error=<code>`), shared with
// the dashboard so it shows the same sentence the API means.
import { z } from 'zod';

/** How one may sign in here: the password form, and the single sign-on button when SSO is on. */
export const Providers = z.object({
  password: z.boolean(),
  oidc: z.object({ label: z.string() }).nullable(),
});
export type Providers = z.infer<typeof Providers>;

/** A single sign-on account linked to the caller's (the account page). */
export const Identity = z.object({
  id: z.string(),
  issuer: z.string(),
  /** The address the provider last reported; null when it shared none. */
  email: z.string().nullable(),
  createdAt: z.string(),
  lastLoginAt: z.string().nullable(),
});
export type Identity = z.infer<typeof Identity>;

export const IdentityList = z.object({ items: z.array(Identity) });
export type IdentityList = z.infer<typeof IdentityList>;

export const IdentityIdInput = z.object({ id: z.uuid({ error: 'Invalid id' }) });
export type IdentityIdInput = z.infer<typeof IdentityIdInput>;

/**
 * Why a single sign-on did not sign in, by the short code the callback puts in the sign-in page's
 * address (never a token or an exception): the dashboard shows the sentence.
 */
export const SSO_ERROR_MESSAGES = {
  disabled: 'This account is disabled',
  signup_invite: 'Sign-up is by invitation only: ask an administrator for an invitation',
  signup_domain: 'Sign-up is not open to addresses at this domain',
  // Worded for SSO-only deployments too (PASSWORD_LOGIN=false), where no password signs in.
  account_exists:
    'An account with this email exists, and its address is not verified on both sides: sign in to it another way and link single sign-on from your account page, or ask an administrator',
  email_missing: 'The identity provider did not share an email address, which a new account needs',
  identity_taken: 'This single sign-on account is already linked to another Keel account',
  link_expired: 'Your session ended before the link was made: sign in and try again from your account page',
  cancelled: 'Single sign-on was cancelled',
  failed: 'Single sign-on failed: try again',
  unavailable: 'Single sign-on is unavailable right now: try again later',
  rate_limited: 'Too many sign-in attempts: try again later',
} as const;
export type SsoErrorCode = keyof typeof SSO_ERROR_MESSAGES;
export const SSO_ERROR_CODES = Object.keys(SSO_ERROR_MESSAGES) as SsoErrorCode[];
