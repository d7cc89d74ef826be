// The account mails: a plain-text part and an HTML part with the same words and the same link.
import { renderMail as render } from '../../common/mail-template.js';
import type { MailMessage } from '../../common/mailer.js';

export function passwordResetMail(to: string, name: string, url: string): MailMessage {
  return render({
    to,
    subject: 'Reset your Keel password',
    greeting: `Hello ${name},`,
    paragraphs: ['Someone asked to reset the password of your Keel account. The link works once, for one hour.'],
    action: { label: 'Choose a new password', url },
    closing: 'If it was not you, ignore this mail: your password stays as it is.',
  });
}

export function verificationMail(to: string, name: string, url: string): MailMessage {
  return render({
    to,
    subject: 'Confirm your email address for Keel',
    greeting: `Hello ${name},`,
    paragraphs: ['Please confirm that this address is yours. The link works once, for 24 hours.'],
    action: { label: 'Confirm my address', url },
    closing: 'If you did not create a Keel account, ignore this mail.',
  });
}

export function passwordChangedNotice(
  to: string,
  name: string,
  how: 'changed' | 'reset',
  signInUrl: string,
): MailMessage {
  return render({
    to,
    subject: 'Your Keel password was changed',
    greeting: `Hello ${name},`,
    paragraphs: [
      how === 'reset'
        ? 'The password of your Keel account was reset through a link sent to this address, and every session was signed out.'
        : 'The password of your Keel account was changed, and your other sessions were signed out.',
    ],
    action: { label: 'Sign in', url: signInUrl },
    closing: 'If it was not you, reset your password now and tell your administrator.',
  });
}

export function emailChangeMail(to: string, name: string, url: string): MailMessage {
  return render({
    to,
    subject: 'Confirm your new email address for Keel',
    greeting: `Hello ${name},`,
    paragraphs: [
      'You asked to sign in to Keel with this address from now on. The link works once, for one hour; until you follow it, your old address stays.',
    ],
    action: { label: 'Use this address', url },
    closing: 'If you did not ask for this, ignore this mail.',
  });
}

/** To the old address: a change was asked for (`requested`), or done (`changed`). */
export function emailChangeNotice(
  to: string,
  name: string,
  stage: 'requested' | 'changed',
  newEmail: string,
  accountUrl: string,
): MailMessage {
  return render({
    to,
    subject:
      stage === 'requested'
        ? 'A change of your Keel email address was asked for'
        : 'Your Keel email address was changed',
    greeting: `Hello ${name},`,
    paragraphs: [
      stage === 'requested'
        ? `Someone signed in to your Keel account asked to change its address to ${newEmail}. Nothing changes until the link sent there is followed.`
        : `Your Keel account now signs in with ${newEmail}; this address no longer does.`,
    ],
    action: { label: 'Open my account', url: accountUrl },
    closing: 'If it was not you, change your password now and tell your administrator.',
  });
}

export function apiKeyCreatedNotice(to: string, name: string, accountUrl: string): MailMessage {
  return render({
    to,
    subject: 'A new API key was created for your Keel account',
    greeting: `Hello ${name},`,
    paragraphs: ['A new API key was created for your Keel account: scripts holding it act as you.'],
    action: { label: 'See your API keys', url: accountUrl },
    closing:
      'If it was not you, revoke the key on your account page, change your password and tell your administrator.',
  });
}

export function twoStepResetNotice(to: string, name: string, accountUrl: string): MailMessage {
  return render({
    to,
    subject: 'Two-step verification was turned off for your Keel account',
    greeting: `Hello ${name},`,
    paragraphs: [
      'An administrator turned off two-step verification for your Keel account: signing in now takes your password only.',
    ],
    action: { label: 'Turn it on again', url: accountUrl },
    closing: 'If you did not ask for this, change your password now and tell your administrator.',
  });
}
