// E2E fixtures: a real Keel server process serving the built dashboard, Debian's Chromium, screenshots, polling.
import { existsSync, mkdirSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { linkToken, startTestSmtpServer, type TestSmtpServer } from '@keel/api/testing';
import { childDatabaseEnv, startChildServer, testEnv } from '@keel/server/src/testing/server.js';
import axe from 'axe-core';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect, inject } from 'vitest';
import { HEADLESS_CHROMIUM_ARGS } from '../../../tooling/chromium.js';

declare module 'vitest' {
  export interface ProvidedContext {
    chromiumPath: string;
  }
}

export const WEB_DIST = resolve(import.meta.dirname, '../dist');
export const SCREENSHOTS = resolve(import.meta.dirname, 'screenshots');
export const ADMIN = { email: 'admin@keel.test', password: 'Admin-Passw0rd' };

export interface DashboardServer {
  url: string;
  output(): string;
  stop(): Promise<void>;
  /** Stops the server process (SIGTERM) and keeps its database, so `startAgain` picks up where it was. */
  shutDown(): Promise<void>;
  /** A new server process on the same port, database and settings, as after a deploy or a crash. */
  startAgain(): Promise<void>;
}

/** The production server (apps/server's main.ts) in its own process, serving apps/web/dist at /. */
export async function startDashboardServer(env: Record<string, string> = {}): Promise<DashboardServer> {
  if (!existsSync(join(WEB_DIST, 'index.html'))) {
    throw new Error(`no dashboard build in ${WEB_DIST}: run \`pnpm --filter @keel/web build\` first`);
  }
  const database = await childDatabaseEnv();
  const serverEnv = testEnv({
    ...database.env,
    WEB_DIST_DIR: WEB_DIST,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    LOG_LEVEL: 'info',
    ...env,
  });
  let server = await startChildServer(serverEnv);
  const url = server.url;
  let earlierOutput = '';
  const shutDown = async () => {
    await server.stop();
  };
  const startAgain = async () => {
    earlierOutput += server.output();
    server = await startChildServer({ ...serverEnv, PORT: new URL(url).port });
  };
  const stop = async () => {
    await server.stop();
    await database.cleanup();
  };
  // A browser navigation (Accept: text/html) to a client-side route gets the dashboard's index.html.
  const home = await fetch(`${url}/projects`, { headers: { accept: 'text/html' } });
  const html = await home.text();
  if (!home.ok || !html.includes('id="root"')) {
    await stop();
    throw new Error(
      `the server does not serve the dashboard (GET /projects, Accept: text/html → ${home.status}): ` +
        `apps/server must register WEB_DIST_DIR at / (registerDashboard) with a fallback to index.html`,
    );
  }
  return { url, output: () => earlierOutput + server.output(), stop, shutDown, startAgain };
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: inject('chromiumPath'),
    args: HEADLESS_CHROMIUM_ARGS,
  });
}

/**
 * A browser profile (its own cookie jar) that fails the test on a page error or a CSP violation:
 * the dashboard must run under the server's strict Content-Security-Policy.
 */
export async function newProfile(browser: Browser, baseURL: string, viewport = { width: 1280, height: 860 }) {
  const context = await browser.newContext({ baseURL, viewport });
  const problems: string[] = [];
  context.on('weberror', (error) => problems.push(`page error: ${error.error().message}`));
  context.on('console', (message) => {
    if (message.type() === 'error' && /Content.Security.Policy/i.test(message.text())) {
      problems.push(`CSP: ${message.text()}`);
    }
  });
  return { context, problems };
}

/**
 * One profile per name, each with a page open: `pages.<name>`, the `contexts` to close, and each
 * profile's `problems` (see newProfile), which a suite expects to stay empty.
 */
export async function openProfiles<Name extends string>(browser: Browser, baseURL: string, names: readonly Name[]) {
  const pages = {} as Record<Name, Page>;
  const contexts: BrowserContext[] = [];
  const problems: string[][] = [];
  for (const name of names) {
    const profile = await newProfile(browser, baseURL);
    contexts.push(profile.context);
    problems.push(profile.problems);
    pages[name] = await profile.context.newPage();
  }
  return { pages, contexts, problems };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // Wait for fonts and pending renders; spinners in a screenshot document nothing.
  await expect.poll(() => page.locator('.state-loading').count(), { timeout: 10_000 }).toBe(0);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

export const FAILURES = resolve(import.meta.dirname, '../test-results/e2e-failures');

/** Saves what each page showed when a test failed (test-results/, not committed). */
export async function captureFailure(testName: string, pages: Record<string, Page | undefined>): Promise<void> {
  mkdirSync(FAILURES, { recursive: true });
  const slug = testName.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
  for (const [name, page] of Object.entries(pages)) {
    if (!page || page.isClosed()) continue;
    await page.screenshot({ path: join(FAILURES, `${slug}-${name}.png`), fullPage: true }).catch(() => undefined);
  }
}

/** Polls `check` until it returns a truthy value or the deadline passes (no fixed sleeps). */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false>,
  { timeoutMs = 15_000, intervalMs = 200, what = 'condition' } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`, { cause: lastError });
}

export async function signUp(page: Page, user: { name: string; email: string; password: string }) {
  await page.goto('/sign-up');
  await page.getByLabel('Name').fill(user.name);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('heading', { name: 'Projects', level: 1 }).waitFor();
}

export async function signIn(page: Page, user: { email: string; password: string }, path = '/sign-in') {
  await page.goto(path);
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out', exact: true }).waitFor();
}

/**
 * Signs out from the top bar and waits for the sign-in page's heading: the page asks the server how
 * people sign in before it shows the form, so the old page's fields may still be there a moment.
 */
export async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.getByRole('heading', { name: 'Sign in to Keel', level: 1 }).waitFor();
}

/** The live-events badge in the top bar says the SSE stream is connected. */
export async function waitForLive(page: Page): Promise<void> {
  await expect.poll(() => page.getByTestId('live-status').textContent(), { timeout: 15_000 }).toBe('Live');
}

export async function closeAll(...items: (BrowserContext | Browser | DashboardServer | undefined)[]) {
  for (const item of items) {
    if (!item) continue;
    if ('stop' in item) await item.stop();
    else await item.close();
  }
}

/** What axe-core reports as moderate, serious or critical on the page as it is now: `rule: target` lines, empty when clean. */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not govern.
  await page.evaluate(axe.source);
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: AxeViolation[] }> } }).axe;
    return (await axe.run()).violations;
  });
  return violations
    .filter((violation) => violation.impact !== 'minor')
    .flatMap((violation) => violation.nodes.map((node) => `${violation.id}: ${node.target.join(' ')}`));
}

interface AxeViolation {
  id: string;
  impact: string | null;
  nodes: { target: string[] }[];
}

/**
 * A suite's server, browser and one profile per name, opened before its tests and closed after
 * them, with each page's screenshot kept when a test fails. `ready` runs once the pages are open
 * (signing profiles in); `env` adds to the server's settings (REQUIRE_EMAIL_VERIFICATION…). Read the pages from `suite.pages` inside tests; `suite.problems` holds each
 * profile's page errors and CSP violations.
 */
export function browserSuite<Name extends string>(
  names: readonly Name[],
  ready: (pages: Record<Name, Page>) => Promise<void> = async () => {},
  options: { mail?: boolean; env?: Record<string, string> } = {},
) {
  const suite = {
    pages: {} as Record<Name, Page>,
    problems: [] as string[][],
    /** The suite's server, for a test that stops and restarts it. */
    server: undefined as DashboardServer | undefined,
    /** With `mail`: the SMTP server the suite's server sends through. */
    smtp: undefined as TestSmtpServer | undefined,
  };
  let server: DashboardServer | undefined;
  let browser: Browser | undefined;
  let contexts: BrowserContext[] = [];
  beforeAll(async () => {
    if (options.mail) {
      suite.smtp = await startTestSmtpServer();
      // A fixed port: links are built from PUBLIC_URL, which defaults to the server's http://HOST:PORT.
      server = await startDashboardServer({
        ...options.env,
        SMTP_URL: suite.smtp.url,
        PORT: String(await freePort()),
      });
    } else {
      server = await startDashboardServer(options.env);
    }
    suite.server = server;
    browser = await launchChromium();
    ({ pages: suite.pages, contexts, problems: suite.problems } = await openProfiles(browser, server.url, names));
    await ready(suite.pages);
  });
  afterEach(async (context) => {
    if (context.task.result?.state === 'fail') await captureFailure(context.task.name, suite.pages);
  });
  afterAll(async () => {
    await closeAll(...contexts, browser, server);
    await suite.smtp?.close();
  });
  return suite;
}

/** A port nothing listens on now. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * The `path` link of the next mail that `match` accepts, as the mail gives it: its text part's link,
 * checked to be the HTML part's link too. `mail` is a suite opened with `{ mail: true }`.
 */
export async function mailedLink(
  mail: { smtp: TestSmtpServer | undefined; server: DashboardServer | undefined },
  match: (mail: { to: string; subject: string; text: string }) => boolean,
  path: string,
): Promise<{ link: string; text: string }> {
  if (!mail.smtp || !mail.server) throw new Error('the suite was not opened with { mail: true }');
  const base = mail.server.url;
  const received = await mail.smtp.next(match);
  const link = `${base}${path}?token=${linkToken(received.text, base, path)}`;
  expect(received.html).toContain(`href="${link}"`);
  return { link, text: received.text };
}

/** Every call of `procedure` the page makes from now on (alone or in a batch), by HTTP method. */
export function callsOf(page: Page, procedure: string): string[] {
  const calls: string[] = [];
  page.on('request', (request) => {
    const { pathname } = new URL(request.url());
    if (!pathname.startsWith('/trpc/')) return;
    if (decodeURIComponent(pathname.slice('/trpc/'.length)).split(',').includes(procedure))
      calls.push(request.method());
  });
  return calls;
}
