// The account mails: a plain-text part and an HTML part with the same words and the same link.
import type { MailMessage } from '../../common/mailer.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);

interface Mail {
  to: string;
  subject: string;
  greeting: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  closing?: string;
}

function render(mail: Mail): MailMessage {
  const lines = [mail.greeting, '', ...mail.paragraphs.flatMap((p) => [p, ''])];
  if (mail.action) lines.push(`${mail.action.label}: ${mail.action.url}`, '');
  if (mail.closing) lines.push(mail.closing, '');
  lines.push('— Keel');
  const html = [
    '<!doctype html><html><body style="font-family: system-ui, sans-serif; line-height: 1.5; color: #1c2430">',
    `<p>${escapeHtml(mail.greeting)}</p>`,
    ...mail.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    mail.action
      ? `<p><a href="${escapeHtml(mail.action.url)}" style="display: inline-block; padding: 0.6em 1.1em; background: #1f4e79; color: #fff; border-radius: 6px; text-decoration: none">${escapeHtml(mail.action.label)}</a></p>` +
        `<p style="font-size: 0.9em; color: #5c6775">Or open this address: ${escapeHtml(mail.action.url)}</p>`
      : '',
    mail.closing ? `<p>${escapeHtml(mail.closing)}</p>` : '',
    '<p>— Keel</p></body></html>',
  ].join('\n');
  return { to: mail.to, subject: mail.subject, text: lines.join('\n'), html };
}

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
