// The team invitation mail: who invited, to which team and role, and the link that joins it.
import { renderMail } from '../../common/mail-template.js';
import type { MailMessage } from '../../common/mailer.js';

export function teamInvitationMail(
  to: string,
  invitation: { team: string; inviter: string | null; role: string },
  url: string,
): MailMessage {
  return renderMail({
    to,
    subject: `You are invited to the team ${invitation.team} on Keel`,
    greeting: 'Hello,',
    paragraphs: [
      `${invitation.inviter ?? 'A team administrator'} invited you to the team ${invitation.team} as ${invitation.role}. The link works for 7 days.`,
    ],
    action: { label: 'Join the team', url },
    closing: 'If you did not expect this invitation, ignore this mail: nothing changes without you.',
  });
}
