import { existsSync, mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentRules } from '../../src/runtime/alerts/alerter.js';
import { createUser } from '../../src/server/auth/accounts.js';
import { startWebhookReceiver } from '../support/alert-receivers.js';
import { closeAndCheck, type OrderEnvironment, startOrderEnvironment } from '../support/order-environment.js';
import { ARTIFACTS, CHROMIUM, launchChromium, viewsPage } from '../support/views-browser.js';

const FLOW = 'acumatica-magento.customers';
const PASSWORD = 'alerts-screen-password-1';

/**
 * The Alerts screen in Debian's Chromium, over loopback: an incident opened by a failed run is shown
 * with its link to the flow's screen, which the link opens; an operator changes a threshold and the
 * API saves it; a viewer sees the rules but cannot save them. Screenshots in test-artifacts/dashboard/.
 */
describe('the Alerts screen in a real browser', () => {
  let env: OrderEnvironment;
  let hook: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let browser: Browser | undefined;
  let page: Page;
  const { shot, login } = viewsPage({
    page: () => page,
    url: () => env.svc.url,
    password: PASSWORD,
    prefix: 'alerts',
  });

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
    mkdirSync(ARTIFACTS, { recursive: true });
    hook = await startWebhookReceiver();
    env = await startOrderEnvironment({
      customers: 2,
      products: 1,
      patch: { alerts: { checkEverySeconds: 3600, webhook: { url: hook.url, format: 'slack' } } },
    });
    for (const [username, role] of [
      ['olga', 'operator'],
      ['vera', 'viewer'],
    ] as const)
      await createUser(env.ctx.store, { username, role, password: PASSWORD, mustChangePassword: false });
    env.acumatica.kit.injectFault({
      kind: 'status',
      status: 400,
      times: 1000,
      match: { method: 'GET', path: 'Customer' },
    });
    expect((await env.ctx.engine.run(FLOW, { trigger: 'manual' })).status).toBe('failed');
    await env.svc.alerter.check();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await login(page, 'olga');
  }, 180_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await closeAndCheck(env);
    await hook?.close();
  }, 60_000);

  it('the menu leads to Alerts; the open incident is shown with its message and its link to the flow', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Alerts' }).click();
    await page.getByRole('heading', { name: 'Alerts', level: 1 }).waitFor();
    const table = page.getByRole('table', { name: 'Alert incidents' });
    const row = table.locator('tbody tr', { hasText: 'A run failed' });
    await row.waitFor();
    expect(await row.textContent()).toContain(`${FLOW}: run 1 failed`);
    expect(await row.textContent()).toContain('webhook opened: sent');
    await shot('open-incident');
    const link = row.getByRole('link', { name: `/flows/${FLOW}` });
    expect(await link.getAttribute('href')).toBe(`/flows/${FLOW}`);
    await link.click();
    await page.waitForURL(`**/flows/${FLOW}`);
    // The Slack-shaped message that went out links to the same screen.
    expect(String(hook.bodies[0]?.text)).toContain(`${env.svc.url}/flows/${FLOW}|details`);
  });

  it('an operator changes the failed-records threshold and limits a rule to one flow; the API keeps both', async () => {
    await page.goto(`${env.svc.url}/alerts`);
    const input = page.locator('input[name="failed_records.threshold"]');
    await input.waitFor();
    expect(await input.inputValue()).toBe('10');
    await input.fill('25');
    // Limited to one flow: its choices are the configured flows (connections for connection rules).
    const scope = page.locator('select[name="run_stuck.scope"]');
    expect(await scope.inputValue()).toBe('');
    await scope.selectOption('acumatica-magento.products');
    expect(await page.locator('select[name="webhook_quiet.scope"] option').allTextContents()).toEqual([
      'every connection',
      'acumatica',
      'magento',
    ]);
    await page.getByRole('button', { name: 'Save rules' }).click();
    await page.getByRole('status').filter({ hasText: 'Rules saved' }).waitFor();
    const saved = await currentRules(env.ctx.store);
    expect(saved.find((r) => r.kind === 'failed_records')?.params.threshold).toBe(25);
    expect(saved.find((r) => r.kind === 'run_stuck')?.scope).toBe('acumatica-magento.products');
    expect(saved.find((r) => r.kind === 'run_failed')?.scope).toBeUndefined();
    await page.reload();
    await expect.poll(() => page.locator('input[name="failed_records.threshold"]').inputValue()).toBe('25');
    await shot('threshold-saved');
  });

  it('a viewer reads the rules but cannot save them', async () => {
    const context = await browser!.newContext({ viewport: { width: 1400, height: 1000 } });
    const viewer = await context.newPage();
    await login(viewer, 'vera');
    await viewer.goto(`${env.svc.url}/alerts`);
    await viewer.locator('input[name="failed_records.threshold"]').waitFor();
    expect(await viewer.getByRole('button', { name: 'Save rules' }).isDisabled()).toBe(true);
    await context.close();
  });
});
