// `pnpm db:seed`: demo data through the real procedures (hashing, audit, ledger), safe to run twice.
import { appRouter, createCallerFactory, createContextInner, markEmailVerified, noopResponse } from '@keel/api/server';
import { loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { createRuntime, type Runtime } from '../runtime.js';
import { startupFailureMessage } from '../startup-failure.js';

const DEMO_PASSWORD = 'Demo-passw0rd';
const ADMIN = { email: 'admin@keel.local', password: 'Admin-passw0rd' };
const USERS = [
  { email: 'ada@keel.local', name: 'Ada Lovelace' },
  { email: 'grace@keel.local', name: 'Grace Hopper' },
  { email: 'linus@keel.local', name: 'Linus Torvalds' },
];
const PROJECTS = ['Billing dashboard', 'Onboarding revamp', 'Data warehouse', 'Mobile app', 'Status page'];

const loaded = loadConfig();
if (loaded.NODE_ENV === 'production' && !process.argv.includes('--force')) {
  // Demo accounts with published passwords have no place in a production database.
  process.stderr.write('Refusing to seed demo data with NODE_ENV=production (pass --force if you really mean it).\n');
  process.exit(1);
}
// The demo admin is created (if missing) the way ADMIN_EMAIL/ADMIN_PASSWORD create one at start.
// Its jobs (the sign-ups' verification mails) stay queued for the server, which skips them: the
// demo accounts are verified below.
const config = { ...loaded, ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, JOBS_WORKER: false };
const logger = createLogger('warn');
let runtime: Runtime;
try {
  runtime = await createRuntime(config, logger);
} catch (error) {
  process.stderr.write(`Seeding failed: ${startupFailureMessage(error)}\n`);
  process.exit(1);
}
const createCaller = createCallerFactory(appRouter);
const callerFor = async (accessToken?: string) =>
  createCaller(
    await createContextInner(runtime.deps, {
      requestId: 'seed',
      ip: '127.0.0.1',
      userAgent: 'keel-seed',
      authorization: accessToken ? `Bearer ${accessToken}` : undefined,
      refreshCookie: undefined,
      mfaCookie: undefined,
      response: noopResponse,
    }),
  );

/** A password sign-in's tokens: the seed cannot answer a second factor, so an account with one stops it. */
async function passwordSignIn(email: string, password: string) {
  const result = await (await callerFor()).auth.login({ email, password });
  if (result.mfaRequired) {
    throw new Error(`${email} has two-step verification on: the seed cannot sign it in (an admin may reset it)`);
  }
  return result;
}

async function signIn(email: string, password: string, name: string) {
  try {
    return await (await callerFor()).auth.register({ email, password, name });
  } catch {
    return passwordSignIn(email, password);
  }
}

try {
  const admin = await passwordSignIn(ADMIN.email, ADMIN.password);
  const adminCaller = await callerFor(admin.accessToken);
  for (const [index, user] of USERS.entries()) {
    const session = await signIn(user.email, DEMO_PASSWORD, user.name);
    await markEmailVerified(runtime.deps.db, session.user.id);
    const caller = await callerFor(session.accessToken);
    const existing = await caller.projects.list({ limit: 100 });
    for (const name of PROJECTS.slice(0, index + 2)) {
      if (!existing.items.some((p) => p.name === name))
        await caller.projects.create({ name, description: `${name} (demo)` });
    }
    const { balance } = await caller.credits.balance();
    if (balance === 0)
      await adminCaller.admin.credits.grant({ userId: session.user.id, amount: 1_000, reason: 'Demo credits' });
    process.stdout.write(`  ✓ ${user.email}\n`);
  }
  process.stdout.write(
    `Seeded. Sign in as ${ADMIN.email} / ${ADMIN.password} (admin) or ${USERS[0]?.email} / ${DEMO_PASSWORD}.\n`,
  );
} catch (error) {
  process.stderr.write(`Seeding failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await runtime.close();
}
