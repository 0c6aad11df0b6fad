import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAGENTO_SANDBOX } from '../../src/connectors/magento/sandbox/index.js';
import { createUser } from '../../src/server/auth/accounts.js';
import { type OrderEnvironment, startOrderEnvironment } from '../support/order-environment.js';
import { ARTIFACTS, launchChromium, logIn } from '../support/views-browser.js';

const PASSWORD = 'reconcile-test-password-1';
const FLOW = 'acumatica-magento.customers';
const DELETED = 'C000002';

/**
 * The Reconcile screen in Chromium against Ledgerlink and the sandboxes (SQLite): reached from the
 * flow's page, a run over a period names the customer deleted in Magento, the CSV download names
 * it too, and Re-sync on its row brings the screen to 0 drift; a finding accepted with a reason shows who
 * accepted it and why, and no longer counts as drift.
 */
describe('the Reconcile screen', () => {
  let env: OrderEnvironment;
  let browser: Browser;
  let page: Page;
  let deletedTarget: string;
  const shot = (name: string) =>
    page.screenshot({ path: join(ARTIFACTS, `reconcile-${name}.png`), fullPage: true });

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    env = await startOrderEnvironment({ customers: 4, products: 2, patch: { webhooks: false } });
    await createUser(env.ctx.store, {
      username: 'ada',
      role: 'admin',
      password: PASSWORD,
      mustChangePassword: false,
    });
    expect((await env.ctx.engine.run(FLOW, { trigger: 'batch' })).counts.created).toBe(4);
    deletedTarget = (await env.ctx.store.records.get(FLOW, DELETED))!.target_id!;
    const del = await fetch(`${env.magento.url}/rest/V1/customers/${deletedTarget}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${MAGENTO_SANDBOX.accessToken}` },
    });
    expect(del.status).toBe(200);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
    await logIn(page, env.svc.url, 'ada', PASSWORD);
  }, 120_000);
  afterAll(async () => {
    await browser?.close().catch(() => {});
    await env?.close();
  }, 60_000);

  it('names the customer deleted in Magento, downloads it as CSV, and a Re-sync brings 0 drift', async () => {
    await page.goto(`${env.svc.url}/flows/${FLOW}`);
    await page.getByRole('link', { name: 'Reconcile', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: `Reconcile ${FLOW}` }).waitFor();
    await page.getByLabel('From').fill('2000-01-01');
    await page.getByRole('button', { name: 'Run' }).click();
    const summary = page.getByRole('status', { name: 'Reconcile summary' });
    await expect.poll(() => summary.textContent(), { timeout: 30_000 }).toMatch(/^1 finding of drift/);
    const findings = page.getByRole('table', { name: 'Findings' });
    const row = findings.getByRole('row').filter({ hasText: DELETED });
    expect(await row.textContent()).toContain('gone from target');
    expect(await row.textContent()).toContain(
      `linked to Magento ${deletedTarget}, which Magento no longer has`,
    );
    await shot('01-finding');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(
      /^reconcile-acumatica-magento\.customers-2000-01-01-.*\.csv$/,
    );
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv).toMatch(new RegExp(`^target_gone,${DELETED},${deletedTarget},`, 'm'));

    await row.getByRole('button', { name: 'Re-sync' }).click();
    await expect.poll(() => summary.textContent(), { timeout: 30_000 }).toMatch(/^0 drift/);
    await page
      .getByRole('status')
      .filter({ hasText: `${DELETED}: created` })
      .waitFor();
    expect(await findings.count()).toBe(0);
    await shot('02-clean');
  }, 120_000);

  it('accepts a finding with a reason: shown with who and why, and no longer drift', async () => {
    const other = 'C000003';
    const target = (await env.ctx.store.records.get(FLOW, other))!.target_id!;
    const del = await fetch(`${env.magento.url}/rest/V1/customers/${target}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${MAGENTO_SANDBOX.accessToken}` },
    });
    expect(del.status).toBe(200);
    await page.getByRole('button', { name: 'Run' }).click();
    const summary = page.getByRole('status', { name: 'Reconcile summary' });
    await expect.poll(() => summary.textContent(), { timeout: 30_000 }).toMatch(/^1 finding of drift/);
    const row = page.getByRole('table', { name: 'Findings' }).getByRole('row').filter({ hasText: other });
    await row.getByRole('button', { name: 'Accept…' }).click();
    await row
      .getByLabel(`Why the finding for ${other} is accepted`)
      .fill('closed account, removed on purpose');
    await row.getByRole('button', { name: 'Accept', exact: true }).click();
    await expect.poll(() => summary.textContent(), { timeout: 30_000 }).toMatch(/^0 drift \(1 accepted\)/);
    expect(await row.textContent()).toContain('accepted by ada: closed account, removed on purpose');
    const stored = [...(await env.ctx.store.accepted.ofFlow(FLOW)).values()];
    expect(stored.map((a) => [a.accepted_by, a.reason])).toEqual([
      ['ada', 'closed account, removed on purpose'],
    ]);
    await shot('03-accepted');
  }, 120_000);
});
