import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnCli } from '../support/cli.js';

// A smoke test of the dashboard in Debian's Chromium against a real `ledgerlink demo`: log in, open
// every screen, load and process a batch, and keep a screenshot of each under test-artifacts/.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'dashboard');
const PASSWORD = 'smoke-test-password-1';

/** Starts the demo and resolves with its address, read from its --json output. */
function startDemo(dir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawnCli(
    // 100 customers: the sample data's first one with a problem to fix is the 97th.
    [
      'demo',
      '--json',
      '--port',
      '0',
      '--dir',
      dir,
      '--no-activity',
      '--customers',
      '100',
      '--products',
      '30',
    ],
    { LEDGERLINK_ADMIN_PASSWORD: PASSWORD, PORT: undefined },
  );
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`the demo did not start: ${out} ${err}`)), 60_000);
    child.stderr?.on('data', (d) => {
      err += d;
    });
    child.stdout?.on('data', (d) => {
      out += d;
      const m = out.match(/"url":\s*"(http:\/\/[^"]+)"/);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]! });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the demo exited with ${code}: ${out} ${err}`));
    });
  });
}

/** SIGTERM, then SIGKILL if it lingers: the test never leaves a process behind. */
async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

describe('dashboard in a real browser', () => {
  let demo: { child: ChildProcess; url: string } | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let dir: string;
  const problems: string[] = [];

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
  const heading = (name: string | RegExp) => page.getByRole('heading', { level: 1, name }).waitFor();

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
    mkdirSync(ARTIFACTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'ledgerlink-dashboard-'));
    demo = await startDemo(dir);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      // A refused request (the 401 before login) is logged by the browser itself; the screens show those.
      if (m.type() === 'error' && !/Failed to load resource/.test(m.text())) problems.push(m.text());
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await stop(demo?.child);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('logs in and opens every screen', async () => {
    const base = demo!.url;
    await page.goto(base);
    await page.waitForURL(/\/login/);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    if (await page.getByRole('heading', { name: 'Choose a new password' }).isVisible({ timeout: 3000 })) {
      await page.getByLabel('Current password').fill(PASSWORD);
      await page.getByLabel('New password', { exact: true }).fill(`${PASSWORD}-new`);
      await page.getByLabel('Repeat the new password').fill(`${PASSWORD}-new`);
      await page.getByRole('button', { name: 'Change password' }).click();
    }
    await heading('Home');
    await page.getByRole('button', { name: 'Log out' }).waitFor();
    await page.getByText('admin', { exact: true }).first().waitFor();
    await page.getByRole('table', { name: 'Last run of each flow' }).getByRole('row').nth(1).waitFor();
    await page.locator('canvas').first().waitFor();
    await shot('01-home');

    // Batch: Load everything, select the first page, process it, and watch the progress bar.
    await page.getByRole('link', { name: 'acumatica → magento' }).first().click();
    await heading(/Customer batch process/);
    await page.getByRole('checkbox', { name: 'Filter by Specific Customer' }).check();
    await page.getByText('The first row must be the header Customer').waitFor();
    await page.getByRole('checkbox', { name: 'Filter by Specific Customer' }).uncheck();
    // Load needs a filter checked: every customer changed since 2000.
    await page.getByRole('checkbox', { name: 'Filter by Dates' }).check();
    await page.getByLabel('From', { exact: true }).fill('2000-01-01');
    await page.getByRole('button', { name: 'Load', exact: true }).click();
    const grid = page.getByRole('table', { name: 'Loaded records' });
    await grid
      .getByRole('checkbox', { name: /^Select (?!all)/ })
      .first()
      .waitFor();
    await page.getByRole('button', { name: /^Customer ID/ }).click(); // sort by id
    await page.getByRole('checkbox', { name: 'Select all rows on this page' }).check();
    await page.getByRole('button', { name: 'Process', exact: true }).click();
    const bar = page.getByRole('progressbar');
    await bar.waitFor();
    await page
      .getByText(/\d+ of \d+/)
      .first()
      .waitFor();
    await page.getByText(/Queued: processing/).waitFor();
    await shot('02-batch');
    await page.reload();
    await page.getByRole('progressbar').waitFor();
    expect(Number(await page.getByRole('progressbar').getAttribute('aria-valuemax'))).toBeGreaterThan(0);

    await page.goto(`${base}/log`);
    await heading('Connector log');
    const log = page.getByRole('table', { name: 'Connector log' });
    await log
      .getByRole('button', { name: /^Details of/ })
      .first()
      .click();
    await page.getByRole('dialog').getByText('Request').first().waitFor();
    await shot('03-log-details');
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
    await page.getByRole('checkbox', { name: 'failed' }).check();
    await shot('04-log-failed');

    await page.goto(`${base}/webhooks`);
    await heading('Webhook log');
    await page.getByText(/Inbox depth/).waitFor();
    await shot('05-webhooks');

    await page.goto(`${base}/records`);
    await heading('Sync status');
    await page.getByRole('table', { name: 'Sync records' }).getByRole('row').nth(1).waitFor();
    await shot('06-records');

    await page.goto(`${base}/connections`);
    await heading('Connections');
    await page.getByRole('button', { name: 'Test connection' }).first().click();
    await page
      .getByRole('list', { name: /Diagnostics of/ })
      .first()
      .waitFor({ timeout: 30_000 });
    await shot('07-connections');

    await page.goto(`${base}/flows`);
    await heading('Flows');
    await shot('08-flows');
    await page.getByRole('link', { name: 'acumatica-magento.orders' }).first().click();
    await heading(/acumatica-magento\.orders/);
    await page.getByRole('group', { name: 'Sync mode' }).waitFor();
    await shot('09-flow');

    // Value maps: one column order on every screen that shows a map (the flows that use it, source first).
    const mapColumns = async (name: string) =>
      (
        await page
          .getByRole('form', { name: `Value map ${name}` })
          .first()
          .locator('thead th')
          .allInnerTexts()
      )
        .map((t) => t.trim())
        .filter((t) => t && t !== 'Remove');
    await page.goto(`${base}/flows`);
    await page.getByRole('form', { name: 'Value map shippingMethod' }).waitFor();
    // magento-acumatica.orders is the first flow of the demo's file to use shippingMethod.
    expect(await mapColumns('shippingMethod')).toEqual(['magento', 'acumatica']);
    for (const flow of [
      'acumatica-magento.orders',
      'magento-acumatica.orders',
      'acumatica-magento.shipments',
    ]) {
      await page.goto(`${base}/flows/${flow}`);
      await page.getByRole('form', { name: 'Value map shippingMethod' }).waitFor();
      expect(await mapColumns('shippingMethod'), flow).toEqual(['magento', 'acumatica']);
    }
    // A code the target does not know is refused, naming the row, the connection and the code.
    await page.goto(`${base}/flows`);
    const orderType = page.getByRole('form', { name: 'Value map orderType' });
    await orderType.getByLabel('orderType row 1 magento').fill('CASTATE');
    await orderType.getByRole('button', { name: 'Save value map' }).click();
    await orderType
      .getByText('valueMaps.orderType row 1: magento (Magento) has no order type "CASTATE"; it has web')
      .waitFor();
    await shot('08b-value-map-refused');

    // Home names the open failures with their reasons and links each to its record.
    const failures = page.getByRole('table', { name: 'Open failures' });
    for (let tries = 0; tries < 30; tries++) {
      await page.goto(base);
      await heading('Home');
      if (
        await failures.waitFor({ timeout: 2000 }).then(
          () => true,
          () => false,
        )
      )
        break;
    }
    await page.getByRole('heading', { name: /failed and waits? for a person/ }).waitFor();
    await failures
      .getByText(/customer C000097 has no email \+ website, which Magento needs to identify it/)
      .waitFor();
    await page.getByText('Records, not attempts').waitFor();
    await page.getByRole('columnheader', { name: 'Failed attempts' }).waitFor();
    await shot('01b-home-failures');
    await failures.getByRole('link', { name: 'Record C000097 of acumatica-magento.customers' }).click();
    await heading('Sync status');
    await page.getByRole('table', { name: 'Sync records' }).getByText('C000097', { exact: true }).waitFor();

    await page.goto(`${base}/settings`);
    await heading('Settings');
    await page.getByRole('table', { name: 'Users' }).getByRole('row').nth(1).waitFor();
    await shot('10-settings');

    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL(/\/login/);
    expect(problems).toEqual([]);
  }, 180_000);
});
