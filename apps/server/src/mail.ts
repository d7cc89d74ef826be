// The mail transport and the origin of links, from the configuration: one place for the server
// (runtime.ts) and for `pnpm worker` (cli/worker.ts), so both send the same mail the same way.
import { join } from 'node:path';
import { type ApiConfig, createMailer, type Mailer, toApiConfig } from '@keel/api/server';
import type { Logger } from 'pino';
import type { ServerConfig } from './config.js';

/** The API configuration, with links pointing at the dashboard this host serves unless PUBLIC_URL says otherwise. */
export function apiConfigOf(config: ServerConfig): ApiConfig {
  return toApiConfig(config, `http://${config.HOST}:${config.PORT}`);
}

/** SMTP when SMTP_URL is set, the outbox under DATA_DIR otherwise; warns about what production lacks. */
export function mailerOf(config: ServerConfig, apiConfig: ApiConfig, logger: Logger): Mailer {
  const mailer = createMailer({
    smtpUrl: config.SMTP_URL,
    from: config.MAIL_FROM,
    outboxDir: join(config.DATA_DIR, 'outbox'),
    logger,
    logLinks: config.NODE_ENV !== 'production',
  });
  if (!config.SMTP_URL && config.NODE_ENV === 'production') {
    logger.warn({ outbox: mailer.destination }, 'SMTP_URL is not set: mail is written to the outbox, not sent');
  }
  if (!apiConfig.publicUrl) {
    logger.warn('PUBLIC_URL is not set: mail with links (verification, password reset) is not sent until it is');
  }
  return mailer;
}
