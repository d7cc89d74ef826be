// The invitation mail: who invited, as which role, and the link that creates the account.
import { renderMail } from '../../common/mail-template.js';
import type { MailMessage } from '../../common/mailer.js';

export const INVITATION_SUBJECT = 'You are invited to Keel';

export function invitationMail(to: string, inviter: string | null, role: string, url: string): MailMessage {
  return renderMail({
    to,
    subject: INVITATION_SUBJECT,
    greeting: 'Hello,',
    paragraphs: [`${inviter ?? 'An administrator'} invited you to Keel as ${role}. The link works for 7 days.`],
    action: { label: 'Accept the invitation', url },
    closing: 'If you did not expect this invitation, ignore this mail: no account is created without you.',
  });
}
