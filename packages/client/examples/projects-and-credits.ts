// Example script: list the caller's projects, then send credits to another user.
//
//   KEEL_URL=https://keel.example.com KEEL_API_KEY=keel_… \
//     pnpm exec tsx examples/projects-and-credits.ts [recipient] [amount]
//
// The recipient is a user id or an email address (KEEL_SEND_TO), the amount a whole number of
// credits (KEEL_SEND_AMOUNT). With no recipient the script only lists. Sending needs a write key.
import { randomUUID } from 'node:crypto';
import { createKeelClient, isKeelClientError, type KeelClient } from '@keel/client';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const USAGE = 'usage: KEEL_URL=… KEEL_API_KEY=keel_… tsx examples/projects-and-credits.ts [recipient] [amount]';

/** A mistake in how the script was started: its message and the usage line, exit code 2. */
class UsageError extends Error {}

interface ScriptConfig {
  url: string;
  apiKey: string;
  send?: { to: string; amount: number };
}

/** The script's configuration: its environment and its arguments, which win over the environment. */
function readConfig(argv: string[]): ScriptConfig {
  const env = process.env;
  const url = env.KEEL_URL;
  const apiKey = env.KEEL_API_KEY;
  if (!url)
    throw new UsageError('KEEL_URL is not set: the base URL of your Keel server, e.g. https://keel.example.com');
  if (!apiKey) throw new UsageError('KEEL_API_KEY is not set: create an API key in the Keel dashboard (API keys)');
  const to = argv[0] ?? env.KEEL_SEND_TO;
  if (!to) return { url, apiKey };
  const amountText = argv[1] ?? env.KEEL_SEND_AMOUNT;
  if (!amountText) throw new UsageError(`no amount: how many credits to send to ${to}?`);
  const amount = Number(amountText);
  if (!Number.isInteger(amount) || amount < 1) {
    throw new UsageError(`the amount must be a whole number of credits, 1 or more (got ${amountText})`);
  }
  return { url, apiKey, send: { to, amount } };
}

async function listProjects(client: KeelClient): Promise<void> {
  const [me, page] = await Promise.all([client.auth.me.query(), client.projects.list.query({ limit: 100 })]);
  console.log(`Projects of ${me.name} <${me.email}>: ${page.total}`);
  for (const project of page.items) {
    const description = project.description ? ` — ${project.description}` : '';
    console.log(`  ${project.name}${description} (${project.id})`);
  }
  if (page.total > page.items.length) console.log(`  … and ${page.total - page.items.length} more`);
}

/** The recipient's user id: given as is, or found by their exact email address. */
async function recipientId(client: KeelClient, to: string): Promise<string> {
  if (UUID.test(to)) return to;
  if (!to.includes('@')) throw new UsageError(`the recipient must be a user id or an email address (got ${to})`);
  const { items } = await client.users.search.query({ query: to, limit: 50 });
  const match = items.find((user) => user.email.toLowerCase() === to.toLowerCase());
  if (!match) throw new Error(`no active user has the email address ${to}`);
  return match.id;
}

async function sendCredits(client: KeelClient, to: string, amount: number): Promise<void> {
  const toUserId = await recipientId(client, to);
  // One key per run: a retried request cannot send the credits twice.
  const transfer = await client.credits.transfer.mutate({
    toUserId,
    amount,
    note: 'Sent by examples/projects-and-credits.ts',
    idempotencyKey: randomUUID(),
  });
  const unit = amount === 1 ? 'credit' : 'credits';
  console.log(
    `Sent ${transfer.amount} ${unit} to ${to} (transfer ${transfer.id}); your balance is now ${transfer.balanceAfter}`,
  );
}

async function main(): Promise<void> {
  const config = readConfig(process.argv.slice(2));
  const client = createKeelClient({ url: config.url, apiKey: config.apiKey });
  await listProjects(client);
  if (config.send) await sendCredits(client, config.send.to, config.send.amount);
}

try {
  await main();
} catch (error) {
  if (error instanceof UsageError) {
    console.error(`error: ${error.message}\n${USAGE}`);
    process.exitCode = 2;
  } else if (isKeelClientError(error) && error.data) {
    // What the server said, with its code (FORBIDDEN for a read key's transfer, BAD_REQUEST for too few credits…).
    const { code, httpStatus, path } = error.data;
    console.error(`error: Keel refused ${path ?? 'the call'}: ${error.message} (${code}, HTTP ${httpStatus})`);
    process.exitCode = 1;
  } else if (isKeelClientError(error)) {
    // No tRPC answer at all: the server is down, or KEEL_URL points somewhere else.
    console.error(`error: no answer from the Keel server (${error.message}): is KEEL_URL right and the server up?`);
    process.exitCode = 1;
  } else {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
