// /docs in a real headless Chromium (Debian's, never a downloaded one): the reference renders from
// /openapi.json under the server's CSP, and no request leaves the server's origin.
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HEADLESS_CHROMIUM_ARGS } from '../../../tooling/chromium.js';
import { startTestServer, type TestServer } from './testing/server.js';

const CHROMIUM = '/usr/bin/chromium';
let server: TestServer;
let browser: Browser;

beforeAll(async () => {
  server = await startTestServer();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: HEADLESS_CHROMIUM_ARGS,
  });
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('/docs', () => {
  it('renders the API reference from /openapi.json with every request on the server itself', async () => {
    const page = await browser.newPage();
    const requested: string[] = [];
    const problems: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));

    const response = await page.goto(`${server.url}/docs`);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.getByText('/projects/{id}').first().waitFor({ timeout: 20_000 });
    await expect(page.title()).resolves.toBe('Keel API reference');
    expect(await page.getByText('Keel API').first().isVisible()).toBe(true);
    expect(await page.locator('.opblock-tag').allTextContents()).toEqual(
      expect.arrayContaining([
        expect.stringContaining('auth'),
        expect.stringContaining('users'),
        expect.stringContaining('projects'),
        expect.stringContaining('credits'),
      ]),
    );

    const origin = new URL(server.url).origin;
    expect(requested).toContain(`${origin}/openapi.json`);
    expect(requested.filter((url) => !url.startsWith(`${origin}/`) && !url.startsWith('data:'))).toEqual([]);
    expect(problems.filter((text) => /Content Security Policy|Refused/i.test(text))).toEqual([]);
    await page.close();
  });

  it('serves only its own assets under /docs/', async () => {
    expect((await fetch(`${server.url}/docs/swagger-ui-bundle.js`)).status).toBe(200);
    expect((await fetch(`${server.url}/docs/init.js`)).headers.get('content-type')).toContain('javascript');
    // swagger-ui-dist's demo page and initializer load a remote document: not served.
    expect((await fetch(`${server.url}/docs/index.html`)).status).toBe(404);
    expect((await fetch(`${server.url}/docs/swagger-initializer.js`)).status).toBe(404);
  });
});
