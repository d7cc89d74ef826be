// The shape of every mail Keel sends: a plain-text part and an HTML part with the same words and the
// same link (modules' `*.mail.ts` fill it in).
import type { MailMessage } from './mailer.js';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);

export interface Mail {
  to: string;
  subject: string;
  greeting: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  closing?: string;
}

export function renderMail(mail: Mail): MailMessage {
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
