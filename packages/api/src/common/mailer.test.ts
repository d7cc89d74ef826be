// The mail transport: the development outbox (one .eml per message, links in the log only when
// asked, old files purged) and SMTP (the same message over the wire; a dead server is an error).
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { captureLogger, startTestSmtpServer, type TestSmtpServer } from '../testing/index.js';
import { createMailer, type MailMessage, OUTBOX_KEEP_DAYS } from './mailer.js';

const MAIL_FROM = 'Keel <no-reply@keel.test>';
const LINK = 'http://dashboard.keel.test/reset-password?token=abcdefghijklmnopqrstuvwxyz';

function message(to: string): MailMessage {
  return {
    to,
    subject: 'Reset your Keel password',
    text: `Hello,\n\nChoose a new password: ${LINK}\n`,
    html: `<p>Hello,</p><p><a href="${LINK}">Choose a new password</a></p>`,
  };
}

const emlFiles = async (dir: string) => (await readdir(dir)).filter((name) => name.endsWith('.eml')).sort();

describe('the outbox (no SMTP_URL)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'keel-outbox-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes each message as one .eml file with the sender, the subject and both parts', async () => {
    const { logger } = captureLogger();
    // A directory that does not exist yet: the first message creates it.
    const outbox = join(dir, 'outbox');
    const mailer = createMailer({ from: MAIL_FROM, outboxDir: outbox, logger, logLinks: false });
    expect(mailer.destination).toBe(outbox);
    await mailer.send(message('ada@example.com'));
    await mailer.send(message('grace@example.com'));
    mailer.close();

    const files = await emlFiles(outbox);
    expect(files).toHaveLength(2);
    const parsed = await Promise.all(files.map(async (name) => simpleParser(await readFile(join(outbox, name)))));
    expect(parsed.map((mail) => (Array.isArray(mail.to) ? undefined : mail.to?.text)).sort()).toEqual([
      'ada@example.com',
      'grace@example.com',
    ]);
    for (const mail of parsed) {
      expect(mail.from?.value[0]).toEqual({ name: 'Keel', address: 'no-reply@keel.test' });
      expect(mail.subject).toBe('Reset your Keel password');
      expect(mail.text).toContain(LINK);
      expect(mail.html).toContain(`href="${LINK}"`);
    }
  });

  it('logs the links of each message at info when logLinks is on (development)', async () => {
    const { logger, logs } = captureLogger();
    const mailer = createMailer({ from: MAIL_FROM, outboxDir: dir, logger, logLinks: true });
    await mailer.send(message('ada@example.com'));
    const [file] = await emlFiles(dir);
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: 30,
        to: 'ada@example.com',
        subject: 'Reset your Keel password',
        file: join(dir, file ?? ''),
        links: [LINK],
      }),
    );
  });

  it('keeps the links out of the info log when logLinks is off (production)', async () => {
    const { logger, logs } = captureLogger();
    const mailer = createMailer({ from: MAIL_FROM, outboxDir: dir, logger, logLinks: false });
    await mailer.send(message('ada@example.com'));
    expect(logs.filter((line) => (line.level as number) >= 30)).toEqual([]);
    expect(JSON.stringify(logs)).not.toContain(LINK);
    // Still traceable at debug: which file holds the message.
    expect(logs).toContainEqual(expect.objectContaining({ level: 20, to: 'ada@example.com' }));
  });

  it(`purgeOutbox deletes messages older than ${OUTBOX_KEEP_DAYS} days and keeps newer ones`, async () => {
    const { logger } = captureLogger();
    const mailer = createMailer({ from: MAIL_FROM, outboxDir: dir, logger, logLinks: false });
    await mailer.send(message('old@example.com'));
    await mailer.send(message('recent@example.com'));
    await writeFile(join(dir, 'notes.txt'), 'not a message');
    const [first, second] = await emlFiles(dir);
    if (!first || !second) throw new Error('two messages expected in the outbox');
    const dayMs = 24 * 60 * 60 * 1000;
    const old = new Date(Date.now() - (OUTBOX_KEEP_DAYS + 1) * dayMs);
    const recent = new Date(Date.now() - (OUTBOX_KEEP_DAYS - 1) * dayMs);
    await utimes(join(dir, first), old, old);
    await utimes(join(dir, second), recent, recent);
    await utimes(join(dir, 'notes.txt'), old, old);

    await mailer.purgeOutbox();

    // Only messages are the outbox's to delete.
    expect((await readdir(dir)).sort()).toEqual([second, 'notes.txt'].sort());
  });

  it('purgeOutbox does nothing when no message was ever written', async () => {
    const { logger } = captureLogger();
    const outbox = join(dir, 'never-created');
    const mailer = createMailer({ from: MAIL_FROM, outboxDir: outbox, logger, logLinks: false });
    await expect(mailer.purgeOutbox()).resolves.toBeUndefined();
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('SMTP (SMTP_URL set)', () => {
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await startTestSmtpServer();
  });
  afterAll(async () => {
    await smtp.close();
  });

  it('sends the message over SMTP from MAIL_FROM, and names the server without its credentials', async () => {
    const { logger } = captureLogger();
    // The start-up log names the server, never its password.
    const withCredentials = new URL(smtp.url);
    withCredentials.username = 'keel';
    withCredentials.password = 'secret';
    const described = createMailer({
      smtpUrl: withCredentials.toString(),
      from: MAIL_FROM,
      outboxDir: '/nonexistent',
      logger,
      logLinks: true,
    });
    expect(described.destination).toBe(`smtp://127.0.0.1:${smtp.port}`);
    described.close();

    const mailer = createMailer({
      smtpUrl: smtp.url,
      from: MAIL_FROM,
      outboxDir: '/nonexistent',
      logger,
      logLinks: true,
    });
    await mailer.send(message('ada@example.com'));
    const mail = await smtp.next((candidate) => candidate.to === 'ada@example.com');
    expect(mail.parsed.from?.value[0]).toEqual({ name: 'Keel', address: 'no-reply@keel.test' });
    expect(mail.subject).toBe('Reset your Keel password');
    expect(mail.text).toContain(LINK);
    expect(mail.html).toContain(`href="${LINK}"`);
    // Nothing to purge over SMTP.
    await expect(mailer.purgeOutbox()).resolves.toBeUndefined();
    mailer.close();
  });

  it('rejects a send when the SMTP server cannot be reached', async () => {
    const { logger } = captureLogger();
    // Nothing listens on port 1 of the loopback address.
    const mailer = createMailer({
      smtpUrl: 'smtp://127.0.0.1:1',
      from: MAIL_FROM,
      outboxDir: '/nonexistent',
      logger,
      logLinks: false,
    });
    await expect(mailer.send(message('ada@example.com'))).rejects.toThrow(/ECONNREFUSED/);
    mailer.close();
  });
});
