// Outbound mail through nodemailer: SMTP when `SMTP_URL` is set, otherwise the outbox, a directory
// of `.eml` files (DATA_DIR/outbox) that a developer opens in any mail client. Either way the message
// is the same MIME text, built by nodemailer; the outbox only stores it instead of sending it.
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface Mailer {
  /** Where messages go, for the start-up log: `smtp://host:port` (no credentials) or the outbox path. */
  readonly destination: string;
  /** Sends one message; rejects when the SMTP server refuses it or cannot be reached. */
  send(message: MailMessage): Promise<void>;
  /** Deletes outbox files older than `OUTBOX_KEEP_DAYS` (nothing to do over SMTP). */
  purgeOutbox(): Promise<void>;
  close(): void;
}

export interface MailerOptions {
  /** `smtp://user:pass@host:port` or `smtps://…`; unset → the outbox. */
  smtpUrl?: string | undefined;
  from: string;
  outboxDir: string;
  logger: Logger;
  /** Log each outbox message's links at info (development: no mail client needed to follow them). */
  logLinks: boolean;
}

const LINK = /https?:\/\/[^\s"<>]+/g;

/** How long the outbox keeps a message: long enough to look at last week's mail in development. */
export const OUTBOX_KEEP_DAYS = 7;

/** `smtp://host:port`, without user and password. */
function describeSmtp(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.host}`;
}

export function createMailer(options: MailerOptions): Mailer {
  if (options.smtpUrl) {
    // A bounded wait for a server that accepts the connection and then says nothing: the job fails
    // and is retried instead of holding its worker.
    const transport = nodemailer.createTransport({
      url: options.smtpUrl,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
    return {
      destination: describeSmtp(options.smtpUrl),
      async send(message) {
        await transport.sendMail({ from: options.from, ...message });
      },
      purgeOutbox: async () => {},
      close: () => transport.close(),
    };
  }
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    destination: options.outboxDir,
    async send(message) {
      const info = await transport.sendMail({ from: options.from, ...message });
      await mkdir(options.outboxDir, { recursive: true });
      // Sortable by time, unique within the millisecond.
      const file = join(options.outboxDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.eml`);
      await writeFile(file, info.message as Buffer);
      const links = message.text.match(LINK) ?? [];
      if (options.logLinks)
        options.logger.info({ to: message.to, subject: message.subject, file, links }, 'mail written to the outbox');
      else options.logger.debug({ to: message.to, subject: message.subject, file }, 'mail written to the outbox');
    },
    async purgeOutbox() {
      const before = Date.now() - OUTBOX_KEEP_DAYS * 24 * 60 * 60 * 1000;
      const files = await readdir(options.outboxDir).catch(() => [] as string[]);
      for (const name of files.filter((file) => file.endsWith('.eml'))) {
        const path = join(options.outboxDir, name);
        if ((await stat(path)).mtimeMs < before) await rm(path, { force: true });
      }
    },
    close: () => transport.close(),
  };
}
