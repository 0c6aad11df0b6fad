import { existsSync, mkdirSync } from 'node:fs';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/server/auth/accounts.js';
import { type CheckEnvironment, startCheckEnvironment } from '../support/iseller-accurate-check.js';
import { ARTIFACTS, CHROMIUM, launchChromium, viewsPage } from '../support/views-browser.js';

/**
 * Seed 002's Integration Data Check in Debian's Chromium, between the iSeller and Accurate sandboxes
 * over loopback. The synchronization status lists each sync from iSeller to Accurate; the transfer out
 * TO-KMG-0001 fails (Accurate has no warehouse for Kemang) and its transfer in TI-SNY-0001 waits for
 * it, each reason behind its exclamation mark; after the repair Sync refresh turns both Success. The
 * webhook log shows Accurate's two goods receipts: RI-0101 Success, RI-0102 Failed because "the
 * product does not have an SKU" in iSeller, Success after the product is added and Sync refresh. The
 * Synchronization panel's three settings are saved to the configuration file; a viewer sees them
 * disabled. Each step leaves a screenshot in test-artifacts/dashboard/.
 */
const PASSWORD = 'integration-check-password-1';

describe("seed 002's Integration Data Check in a real browser", () => {
  let env: CheckEnvironment;
  let browser: Browser | undefined;
  let page: Page;
  let url: string;
  const { shot, login, cellsOf } = viewsPage({
    page: () => page,
    url: () => url,
    password: PASSWORD,
    prefix: 'check',
  });
  /** The status (4th cell) of the row whose document (2nd cell) is `doc`, in a sync's records. */
  const statusIn = async (table: string, doc: string, column = 1, status = 3) =>
    (await cellsOf(page, table)).find((c) => c[column] === doc)?.[status];
  const region = (name: string): Locator => page.getByRole('region', { name });
  const reasonOf = async (mark: string) => {
    await page.getByRole('button', { name: mark }).click();
    const dialog = page.getByRole('dialog');
    const text = (await dialog.getByRole('note', { name: 'Reason' }).textContent()) ?? '';
    return {
      text,
      close: async () => {
        await dialog.getByRole('button', { name: 'Close' }).click();
        await dialog.waitFor({ state: 'detached' });
      },
    };
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
    mkdirSync(ARTIFACTS, { recursive: true });
    env = await startCheckEnvironment();
    url = env.url;
    for (const [username, role] of [
      ['olga', 'operator'],
      ['vera', 'viewer'],
    ] as const)
      await createUser(env.ctx.store, { username, role, password: PASSWORD, mustChangePassword: false });
    // The day's transfers and stock take as iSeller has them, synced once. Not the sales: they wait for
    // customers the flows cannot sync yet, and oldest first would hold the transfers of the same items
    // and outlets behind them (KMG-1001 sold KOPI-250 at Kemang before TO-KMG-0001 sent it away).
    for (const flow of ['iseller-accurate.transfers', 'iseller-accurate.stock-counts'])
      await env.ctx.engine.run(flow, { trigger: 'manual' });
    await env.receiveGoods();
    // The inbox drains the delivery through the purchases flow in the background.
    for (const end = Date.now() + 30_000; ; ) {
      if ((await env.ctx.store.records.list({ flow: 'accurate-iseller.purchases' })).total === 2) break;
      if (Date.now() > end) throw new Error('the goods receipts never reached accurate-iseller.purchases');
      await new Promise((r) => setTimeout(r, 100));
    }
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await login(page, 'olga');
  }, 180_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await env?.close();
  }, 60_000);

  it('the menu offers the check for iSeller and Accurate, with a list per synchronization', async () => {
    await page.goto(url);
    const link = page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'iSeller and Accurate Online' });
    expect(await link.getAttribute('href')).toBe('/check/iseller/accurate');
    await link.click();
    await page.getByRole('heading', { name: 'Integration Data Check', level: 1 }).waitFor();
    for (const sync of ['Customers', 'Invoices', 'Payments', 'Transfers', 'Stock counts'])
      await region(`${sync} synchronization`).waitFor();
    await expect
      .poll(() => region('Transfers synchronization').locator('.counts').textContent())
      .toMatch(/Success: 0/);
    await shot('01-status');
  });

  it('a failed transfer out and its waiting transfer in show their reasons; after the repair Sync refresh turns them Success', async () => {
    const transfers = region('Transfers synchronization');
    await transfers.getByRole('button', { name: 'View Details' }).click();
    const table = 'Transfers records';
    await expect.poll(() => statusIn(table, 'TO-KMG-0001')).toBe('Failed');
    expect(await statusIn(table, 'TI-SNY-0001')).toBe('Waiting');
    await shot('02-transfers-failed');

    const failed = await reasonOf('Why TO-KMG-0001 is failed');
    expect(failed.text).toContain('Gudang "KMG" tidak ditemukan');
    await shot('03-reason-failed');
    await failed.close();
    const waiting = await reasonOf('Why TI-SNY-0001 is waiting');
    expect(waiting.text).toBe('waiting for stock transfer TO-KMG-0001 to succeed');
    await waiting.close();

    // The repair: Kemang gets its warehouse in Accurate's connection. Then Sync refresh, oldest first.
    await env.mapKemang();
    await transfers.getByRole('button', { name: 'Sync refresh' }).click();
    await transfers
      .getByRole('status')
      .filter({ hasText: /Sync refreshed|Queued/ })
      .waitFor();
    await expect.poll(() => statusIn(table, 'TO-KMG-0001'), { timeout: 30_000 }).toBe('Success');
    // The transfer in was released when its transfer out succeeded, and went by itself.
    await expect.poll(() => statusIn(table, 'TI-SNY-0001'), { timeout: 30_000 }).toBe('Success');
    await expect(transfers.getByRole('button', { name: 'Why TO-KMG-0001 is failed' }).count()).resolves.toBe(
      0,
    );
    await shot('04-transfers-success');
  });

  it("the webhook log shows Accurate's goods receipts; the one without an iSeller SKU succeeds after the repair", async () => {
    const log = 'Webhook log';
    await expect.poll(() => statusIn(log, 'RI-0101')).toBe('Success');
    expect(await statusIn(log, 'RI-0102')).toBe('Failed');
    const why = await reasonOf('Why RI-0102 is failed');
    expect(why.text).toContain('the product does not have an SKU');
    await shot('05-webhook-log-failed');
    await why.close();

    env.addIsellerProduct('CUP-12', 'Gelas Keramik');
    await region('Webhook log records').getByRole('button', { name: 'Sync refresh' }).click();
    await expect.poll(() => statusIn(log, 'RI-0102'), { timeout: 30_000 }).toBe('Success');
    await shot('06-webhook-log-success');
  });

  it('the Synchronization panel saves Sync Mode, automatic transfer synchronization and the customer id mapping', async () => {
    const panel = page.getByRole('form', { name: 'Synchronization settings' });
    await panel.getByText('In this panel, there are three sections').waitFor();
    await panel.getByRole('radio', { name: 'Sync on Scheduled Time' }).check();
    const salesHours = panel.getByRole('group', { name: 'Sales synchronization hours' });
    await salesHours.getByRole('checkbox', { name: '08:00' }).check();
    await salesHours.getByRole('checkbox', { name: '18:00' }).check();
    await panel.getByRole('checkbox', { name: 'Enable automatic transfer synchronization' }).check();
    await panel
      .getByRole('group', { name: 'Transfer synchronization hours' })
      .getByRole('checkbox', { name: '22:00' })
      .check();
    await panel
      .getByRole('checkbox', { name: 'Use Id in customer data as the mapping in Accurate Online' })
      .check();
    await shot('07-settings');
    await panel.getByRole('button', { name: 'Save settings' }).click();
    await panel.getByRole('status').filter({ hasText: 'Saved' }).waitFor();

    const file = env.flowsInFile();
    for (const f of ['iseller-accurate.sales', 'iseller-accurate.payments'])
      expect(file[f], f).toMatchObject({ syncMode: 'scheduled', schedule: '0 8,18 * * *' });
    for (const f of ['iseller-accurate.transfers', 'iseller-accurate.stock-counts'])
      expect(file[f], f).toMatchObject({ syncMode: 'scheduled', schedule: '0 22 * * *' });
    expect(file['iseller-accurate.customers']).toMatchObject({ idMapping: 'source' });
    // Purchases come from Accurate in real time whatever the transfer setting (the seed's note).
    expect(file['accurate-iseller.purchases']).not.toHaveProperty('syncMode');

    // Read back: a reload shows what was saved.
    await page.reload();
    const again = page.getByRole('form', { name: 'Synchronization settings' });
    await expect
      .poll(() => again.getByRole('radio', { name: 'Sync on Scheduled Time' }).isChecked())
      .toBe(true);
    expect(
      await again
        .getByRole('group', { name: 'Sales synchronization hours' })
        .getByRole('checkbox', { name: '18:00' })
        .isChecked(),
    ).toBe(true);

    // Off again: transfers and stock takes go in real time; the id mapping back to Accurate's numbers.
    await again.getByRole('checkbox', { name: 'Enable automatic transfer synchronization' }).uncheck();
    await again
      .getByRole('checkbox', { name: 'Use Id in customer data as the mapping in Accurate Online' })
      .uncheck();
    await again.getByRole('radio', { name: 'Synchronize Real Time' }).check();
    await again.getByRole('button', { name: 'Save settings' }).click();
    await again.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    const after = env.flowsInFile();
    expect(after['iseller-accurate.transfers']).toMatchObject({ syncMode: 'realtime' });
    expect(after['iseller-accurate.sales']).toMatchObject({ syncMode: 'realtime' });
    expect(after['iseller-accurate.customers']).toMatchObject({ idMapping: 'target' });
    const api = await page.request.get(`${url}/api/flows/iseller-accurate.transfers`);
    expect(await api.json()).toMatchObject({ syncMode: 'realtime' });
  });

  it('a viewer sees the check and the settings, and can change nothing', async () => {
    const viewer = await browser!.newPage({ viewport: { width: 1400, height: 1000 } });
    await login(viewer, 'vera');
    await viewer.goto(`${url}/check/iseller/accurate`);
    const panel = viewer.getByRole('form', { name: 'Synchronization settings' });
    await expect
      .poll(() => panel.getByRole('radio', { name: 'Synchronize Real Time' }).isChecked())
      .toBe(true);
    expect(await panel.getByRole('radio', { name: 'Sync on Scheduled Time' }).isDisabled()).toBe(true);
    expect(await panel.getByRole('button', { name: 'Save settings' }).isDisabled()).toBe(true);
    expect(
      await viewer
        .getByRole('region', { name: 'Transfers synchronization' })
        .getByRole('button', { name: 'Sync refresh' })
        .isDisabled(),
    ).toBe(true);
    await shot('08-viewer', viewer);
    await viewer.close();
  });
});
