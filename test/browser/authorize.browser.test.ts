import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORED } from '../../src/connectors/quickbooks/auth.js';
import { dashboardDir } from '../../src/server/static.js';
import { TEST_PASSWORD, usersWithTokens } from '../support/api-server.js';
import { type OAuthEnvironment, startOAuthEnvironment } from '../support/oauth-environment.js';
import { CHROMIUM, launchChromium, logIn } from '../support/views-browser.js';

// The dashboard's Authorize… button in Debian's Chromium: the window goes to the QuickBooks sandbox's
// consent page (which agrees at once), comes back through /oauth/callback, and the Connections screen
// says the connection is authorized and when its refresh token expires. Needs `npm run build:web`.

const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'authorize');

describe('Authorize… on the Connections screen, in a real browser', () => {
  let env: OAuthEnvironment;
  let browser: Browser | undefined;
  let page: Page;
  const problems: string[] = [];
  /** Every address the browser was sent back to. */
  const callbacks: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
    const web = dashboardDir();
    if (!web || !existsSync(join(web, 'index.html')))
      throw new Error('the dashboard is not built: run npm run build:web');
    mkdirSync(ARTIFACTS, { recursive: true });
    env = await startOAuthEnvironment();
    await usersWithTokens(env.store, [
      ['anna', 'admin'],
      ['vic', 'viewer'],
    ]);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/oauth/callback') callbacks.push(r.url());
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await env?.close();
  }, 60_000);

  const logInAs = (username: string) => logIn(page, env.api.url, username, TEST_PASSWORD);

  it('a viewer sees the button disabled', async () => {
    await logInAs('vic');
    await page.goto(`${env.api.url}/connections`);
    const qbo = page.getByRole('form', { name: 'Connection qbo' });
    await expect(qbo.getByRole('button', { name: 'Authorize…' }).isDisabled()).resolves.toBe(true);
    // A connection that takes no authorization has no such button.
    const files = page.getByRole('form', { name: 'Connection files' });
    await files.waitFor();
    expect(await files.getByRole('button', { name: 'Authorize…' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login/);
  });

  it('an admin clicks Authorize…, consents, and comes back authorized with the token’s expiry shown', async () => {
    await logInAs('anna');
    await page.goto(`${env.api.url}/connections`);
    const qbo = page.getByRole('form', { name: 'Connection qbo' });
    await qbo.getByRole('button', { name: 'Authorize…' }).click();
    await page.waitForURL(/\/connections\?connection=qbo&authorization=ok/);
    await qbo.getByText(/^Authorized:/).waitFor();
    const diagnostics = qbo.getByRole('list', { name: 'Diagnostics of qbo' });
    await diagnostics.getByText(/the refresh token expires on \d{4}-\d{2}-\d{2}/).waitFor();
    await page.screenshot({ path: join(ARTIFACTS, 'authorized.png'), fullPage: true });
    expect(env.sandbox.oauth.grants.authorization_code).toBe(1);
    expect(await env.store.credentials.forConnection('qbo').get(STORED.refreshToken)).toMatch(/^sbx-rt-/);
    expect(problems).toEqual([]);
  });

  it('the callback opened a second time (reloaded, or from the history) says to start again', async () => {
    expect(callbacks).toHaveLength(1);
    await page.goto(callbacks[0]!);
    await page.getByRole('heading', { name: 'Start the authorization again' }).waitFor();
    await page.getByText(/already been completed/).waitFor();
    expect(env.sandbox.oauth.grants.authorization_code).toBe(1);
  });
});
