// The application's queues: what each job carries, how it retries, and which rule works it. Modules
// send jobs by name through `ctx.jobs` (common/jobs.ts); the host starts the workers.
import type { DB } from '@keel/db';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Handlers, Jobs, QueuePolicy } from './common/jobs.js';
import type { Mailer } from './common/mailer.js';
import type { ApiConfig } from './config.js';
import {
  type EmailChangeNotice,
  purgeExpiredTokens,
  type SecurityNotice,
  sendEmailChangeMail,
  sendEmailChangeNotice,
  sendPasswordResetMail,
  sendSecurityNotice,
  sendVerificationMail,
} from './modules/account/account.service.js';
import { deleteAuditEventsOlderThan } from './modules/audit/audit.service.js';
import { purgeExpiredMfaChallenges } from './modules/auth/auth.service.js';
import { sendInvitationMail } from './modules/invitations/invitations.service.js';
import { sendTeamInvitationMail } from './modules/teams/teams.invitations.service.js';

export type AppQueues = {
  'account.password_reset': { email: string };
  'account.verification': { userId: string };
  'account.notice': { userId: string; notice: SecurityNotice };
  'account.email_change': { userId: string; newEmail: string };
  'account.email_notice': EmailChangeNotice;
  'invitations.send': { invitationId: string };
  'teams.invitation': { invitationId: string };
  'maintenance.purge': Record<string, never>;
};

export type AppJobs = Jobs<AppQueues>;

/**
 * Mail retries for about an hour (backoff from 30 s: 30 s, 1, 2, 4, 8, 16, 32 min), then goes to
 * the dead letters; a reset link older than that is of little use anyway.
 */
const MAIL: QueuePolicy = { retryLimit: 7, retryDelay: 30, expireInSeconds: 60 };

export const APP_QUEUES: { [Name in keyof AppQueues]: QueuePolicy } = {
  'account.password_reset': MAIL,
  'account.verification': MAIL,
  'account.notice': MAIL,
  'account.email_change': MAIL,
  'account.email_notice': MAIL,
  'invitations.send': MAIL,
  'teams.invitation': MAIL,
  // Every day at 03:17 UTC.
  'maintenance.purge': { retryLimit: 2, retryDelay: 300, expireInSeconds: 600, cron: '17 3 * * *' },
};

export interface JobDeps {
  db: Kysely<DB>;
  mailer: Mailer;
  config: Pick<ApiConfig, 'publicUrl' | 'auditRetentionDays'>;
  logger: Logger;
}

export function appJobHandlers(deps: JobDeps): Handlers<AppQueues> {
  return {
    'account.password_reset': (data) => sendPasswordResetMail(deps, data),
    'account.verification': (data) => sendVerificationMail(deps, data),
    'account.notice': (data) => sendSecurityNotice(deps, data),
    'account.email_change': (data) => sendEmailChangeMail(deps, data),
    'account.email_notice': (data) => sendEmailChangeNotice(deps, data),
    'invitations.send': (data) => sendInvitationMail(deps, data),
    'teams.invitation': (data) => sendTeamInvitationMail(deps, data),
    'maintenance.purge': async () => {
      await purgeExpiredTokens(deps);
      await purgeExpiredMfaChallenges(deps.db);
      await deps.mailer.purgeOutbox();
      const days = deps.config.auditRetentionDays;
      if (days !== undefined) {
        const deleted = await deleteAuditEventsOlderThan(deps.db, days);
        deps.logger.info({ deleted, days }, 'audit events past retention deleted');
      }
    },
  };
}
