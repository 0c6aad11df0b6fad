import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/server/auth/accounts.js';
import { DIALECTS } from '../support/databases.js';
import { closeAndCheck, type OrderEnvironment, startOrderEnvironment } from '../support/order-environment.js';
import { ARTIFACTS, CHROMIUM, launchChromium, logIn } from '../support/views-browser.js';

/**
 * Issue 19 parts 2 and 4 on the dashboard, in Debian's Chromium against a Ledgerlink server in this
 * process with the Acumatica and Magento sandboxes on loopback (Acumatica pushing its changes):
 * Preview on the Customer batch screen lists the plan per record with an update's credit limit
 * old → new (and "not known" with why where Magento's record shows none), and neither sandbox sees
 * a write; Process from the preview then does what it said.
 * Replay a period requeues the period's deliveries (the count shown) and writes nothing; a window
 * the wrong way round names the field. A customer skipped by a person shows who and why, a viewer
 * can preview but press neither Process, Un-skip nor Replay, and Un-skip clears the skip. Screenshots go to
 * test-artifacts/dashboard/.
 */
const FLOW = 'acumatica-magento.customers';
const PASSWORD = 'operate-with-confidence-1';
const id = (n: number) => `C${String(n).padStart(6, '0')}`;
/** Synced before the screens are used. */
const SYNCED = [1, 2, 3, 4, 5].map(id);
const CHANGED = id(3);
const SAME = id(4);
/** Its credit limit changes while Magento's record shows none: only "changed" is known. */
const UNSEEN = id(5);
const NEW = id(6);
const NEW_LIMIT = 4321.5;
const UNSEEN_LIMIT = 2500;

/** Money as the dashboard writes it: digits grouped, two decimals. */
const grouped = (n: number) =>
  n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** An instant as a datetime-local input takes it, in the page's time zone (UTC), to the second. */
const local = (ms: number) => new Date(ms).toISOString().slice(0, 19);

describe.each(DIALECTS)('dry run, replay and un-skip on the dashboard (%s store)', (dialect) => {
  let env: OrderEnvironment;
  let browser: Browser | undefined;
  let page: Page;
  let url: string;

  const shot = (name: string, p: Page = page) =>
    p.screenshot({ path: join(ARTIFACTS, `dry-run-replay-skip-${dialect}-${name}.png`), fullPage: true });
  const writes = () => env.magento.kit.writeCalls().length + env.acumatica.kit.writeCalls().length;
  const record = (sourceId: string) => env.ctx.store.records.get(FLOW, sourceId);
  const emailOf = (sourceId: string) =>
    String(env.acumatica.customers.get(sourceId)?.MainContact?.Email?.value ?? '');
  const inMagento = (sourceId: string) =>
    [...env.magento.customers.values()].filter((c) => c.email === emailOf(sourceId));
  const creditLimitInMagento = (sourceId: string) => {
    const [c] = inMagento(sourceId) as Array<{
      custom_attributes?: Array<{ attribute_code: string; value: unknown }>;
    }>;
    return c?.custom_attributes?.find((a) => a.attribute_code === 'credit_limit')?.value;
  };
  /** Every push delivered and every delivery processed, twice over (a write may push back). */
  const settled = async (what: string) => {
    for (let i = 0; i < 2; i++) {
      await env.acumatica.pushIdle();
      await new Promise((r) => setTimeout(r, 200));
      await env.until(async () => (await env.ctx.store.inbox.depth()) === 0, what);
    }
  };
  const login = (p: Page, username: string) => logIn(p, url, username, PASSWORD);
  const newPage = async () =>
    browser!.newPage({ viewport: { width: 1400, height: 1000 }, timezoneId: 'UTC' });
  /** The preview's rows as [source id, plan, changes or why] (the record cell also shows its label). */
  const planRows = async () => {
    const table = page.getByRole('table', { name: 'Plan of each record' });
    await table.waitFor({ timeout: 30_000 });
    return Promise.all(
      (await table.locator('tbody tr').all()).map(async (r) => {
        const [, plan = '', detail = ''] = (await r.locator('td').allTextContents()).map((t) => t.trim());
        return [(await r.locator('td code').first().textContent()) ?? '', plan, detail];
      }),
    );
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
    mkdirSync(ARTIFACTS, { recursive: true });
    env = await startOrderEnvironment({ customers: 8, products: 2, dialect });
    url = env.svc.url;
    for (const [username, role] of [
      ['ada', 'admin'],
      ['vera', 'viewer'],
    ] as const)
      await createUser(env.ctx.store, { username, role, password: PASSWORD, mustChangePassword: false });
    const first = await env.ctx.engine.run(FLOW, { trigger: 'batch', query: { ids: SYNCED } });
    expect(first.counts).toMatchObject({ created: SYNCED.length, failed: 0 });
    await settled('the first sync');
    browser = await launchChromium();
    page = await newPage();
    await login(page, 'ada');
  }, 180_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await closeAndCheck(env);
  }, 60_000);

  it('Preview lists the plan with the credit limit old → new and writes nothing; Process then does what it said', async () => {
    const oldLimit = Number(env.acumatica.customers.get(CHANGED)!.CreditLimit?.value);
    expect(oldLimit).not.toBe(NEW_LIMIT);
    // Saved in Acumatica without a push notification (a screen nobody subscribed): only a batch sees it.
    const save = (sourceId: string, limit: number) => {
      const r = env.acumatica.customers.get(sourceId)!;
      r.CreditLimit = { value: limit };
      r.LastModifiedDateTime = { value: new Date().toISOString() };
    };
    save(CHANGED, NEW_LIMIT);
    save(UNSEEN, UNSEEN_LIMIT);
    // Someone cleared the credit limit in Magento's admin: its record shows none to compare with.
    const unseen = inMagento(UNSEEN)[0] as {
      custom_attributes?: Array<{ attribute_code: string; value: unknown }>;
    };
    unseen.custom_attributes = unseen.custom_attributes?.filter((a) => a.attribute_code !== 'credit_limit');

    await page.goto(`${url}/batch/${FLOW}`);
    await page.getByRole('checkbox', { name: 'Filter by Specific Customer' }).check();
    await page.getByLabel('Or Customers:').fill([CHANGED, SAME, UNSEEN, NEW].join('\n'));
    await page.getByRole('button', { name: 'Load', exact: true }).click();
    const grid = page.getByRole('table', { name: 'Loaded records' });
    await expect.poll(() => grid.locator('tbody tr').count(), { timeout: 30_000 }).toBe(4);

    // Nothing selected: the preview is of what Process All would do, the whole Load.
    const before = writes();
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    const panel = page.getByRole('region', { name: 'Preview' });
    await panel.getByText('what processing would do to all the loaded records (Process All)').waitFor();
    const all = await planRows();
    expect(all.map((r) => [r[0], r[1]]).sort()).toEqual([
      [CHANGED, 'update'],
      [SAME, 'unchanged'],
      [UNSEEN, 'update'],
      [NEW, 'create'],
    ]);
    await panel.getByText('1 to create · 2 to update · 1 unchanged').waitFor();
    const update = all.find((r) => r[0] === CHANGED)!;
    expect(update[2]).toMatch(
      new RegExp(
        `^creditLimit: ${literal(grouped(oldLimit))} [A-Z]{3} → ${literal(grouped(NEW_LIMIT))} [A-Z]{3}$`,
      ),
    );
    expect(all.find((r) => r[0] === UNSEEN)![2]).toMatch(
      new RegExp(
        `^creditLimit: not known → ${literal(grouped(UNSEEN_LIMIT))} [A-Z]{3} \\(.+ shows no value for it .*only "changed" is known\\)$`,
      ),
    );
    await shot('01-preview-all');

    // Two rows selected: the preview is of what Process would do to them.
    await grid.getByRole('checkbox', { name: `Select ${CHANGED}` }).check();
    await grid.getByRole('checkbox', { name: `Select ${NEW}` }).check();
    await page.getByRole('button', { name: 'Preview', exact: true }).click();
    await panel.getByText('what processing would do to the 2 selected records (Process)').waitFor();
    const selected = await planRows();
    expect(selected.map((r) => [r[0], r[1]]).sort()).toEqual([
      [CHANGED, 'update'],
      [NEW, 'create'],
    ]);
    await shot('02-preview-selected');

    // Two previews: not one write to either system, nothing kept for the new customer.
    await settled('anything the previews might have started');
    expect(writes()).toBe(before);
    expect(await record(NEW)).toBeUndefined();
    expect(Number((creditLimitInMagento(CHANGED) as string | number | undefined) ?? Number.NaN)).toBe(
      oldLimit,
    );

    // Process from the preview: exactly the two previewed, one created and one updated.
    await panel.getByRole('button', { name: 'Process these 2 records' }).click();
    await expect
      .poll(
        async () => {
          const bar = page.getByRole('progressbar');
          if (!(await bar.count())) return '';
          return `${await bar.getAttribute('aria-valuenow')}/${await bar.getAttribute('aria-valuemax')}`;
        },
        { timeout: 45_000, interval: 200 },
      )
      .toBe('2/2');
    const counts = (await page.locator('.run-counts').textContent()) ?? '';
    expect(counts).toMatch(/^2 of 2/);
    expect(counts).toMatch(/created 1/);
    expect(counts).toMatch(/updated 1/);
    expect(counts).toMatch(/failed 0/);
    expect(await panel.count()).toBe(0);
    expect(Number(creditLimitInMagento(CHANGED))).toBe(NEW_LIMIT);
    expect(inMagento(NEW)).toHaveLength(1);
    // Not previewed for Process, not processed: Magento still shows no credit limit for it.
    expect(creditLimitInMagento(UNSEEN)).toBeUndefined();
    expect((await record(NEW))?.state).toBe('processed');
    expect((await record(SAME))?.state).toBe('processed');
    await shot('03-processed-as-previewed');
  }, 120_000);

  it('Replay a period requeues its deliveries (the count shown) and writes nothing; a window the wrong way round names To', async () => {
    const from = Date.now() - 2000;
    for (const c of [id(1), id(2)])
      env.acumatica.touch('customer', [c], (r) => {
        (r as { CreditLimit?: { value: number } }).CreditLimit = { value: 9_000 };
      });
    await env.until(async () => {
      for (const c of [id(1), id(2)]) if (Number(creditLimitInMagento(c)) !== 9_000) return false;
      return true;
    }, 'the pushed changes to sync');
    await settled('the deliveries to be processed');
    const to = Date.now() + 2000;
    const expected = await env.ctx.store.inbox.replayable(
      'acumatica',
      new Date(Math.floor(from / 1000) * 1000).toISOString(),
      new Date(Math.floor(to / 1000) * 1000).toISOString(),
      { limit: 1000 },
    );
    expect(expected.length).toBeGreaterThanOrEqual(2);
    const before = writes();

    await page.goto(`${url}/webhooks`);
    const form = page.getByRole('form', { name: 'Replay a period' });
    await form.getByLabel('Connection', { exact: true }).selectOption('acumatica');
    await form.getByLabel('From', { exact: true }).fill(local(from));
    await form.getByLabel('To', { exact: true }).fill(local(to));
    await form.getByRole('button', { name: 'Replay period' }).click();
    await form
      .getByRole('status')
      .getByText(new RegExp(`^Requeued ${expected.length} deliveries of acumatica received `))
      .waitFor();
    await shot('04-replayed');
    await settled('the replay');
    expect(writes()).toBe(before);

    // The window the wrong way round: the server's reason, under the field it names.
    await form.getByLabel('From', { exact: true }).fill(local(to));
    await form.getByLabel('To', { exact: true }).fill(local(from));
    await form.getByRole('button', { name: 'Replay period' }).click();
    const refusal = form.locator('#replay-to-error');
    await refusal.waitFor();
    expect(await refusal.textContent()).toMatch(/^To: must be after from \(/);
    expect(await form.getByLabel('To', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await form.getByRole('status').count()).toBe(0);
    expect(await env.ctx.store.inbox.depth()).toBe(0);
    await shot('05-replay-refused');
  }, 90_000);

  it('a skipped customer shows who skipped it and why; a viewer can preview but not process, un-skip or replay; Un-skip clears it', async () => {
    const rec = (await record(SAME))!;
    await page.goto(`${url}/records?flow=${FLOW}&record=${rec.id}`);
    const drawer = page.getByRole('dialog');
    await drawer.getByLabel('Skip reason (optional)').fill('a test account, not for the shop');
    await drawer.getByRole('button', { name: 'Skip', exact: true }).click();
    const mark = drawer.getByRole('note', { name: 'Skipped by a person' });
    await mark.waitFor();
    expect(await mark.textContent()).toMatch(
      /^Skipped by ada .+: a test account, not for the shop\. It stays skipped/,
    );
    expect(await record(SAME)).toMatchObject({ state: 'skipped', skipped_by: 'ada' });
    await shot('06-skipped');

    const viewer = await newPage();
    await login(viewer, 'vera');
    await viewer.goto(`${url}/records?flow=${FLOW}&record=${rec.id}`);
    const seen = viewer.getByRole('dialog').getByRole('note', { name: 'Skipped by a person' });
    await seen.waitFor();
    expect(await seen.getByRole('button', { name: 'Un-skip' }).isDisabled()).toBe(true);
    // A viewer may look before anyone acts: Preview shows the plan, its Process stays shut.
    await viewer.goto(`${url}/batch/${FLOW}`);
    await viewer.getByRole('checkbox', { name: 'Filter by Specific Customer' }).check();
    await viewer.getByLabel('Or Customers:').fill(UNSEEN);
    await viewer.getByRole('button', { name: 'Load', exact: true }).click();
    await viewer
      .getByRole('table', { name: 'Loaded records' })
      .getByText(UNSEEN)
      .waitFor({ timeout: 30_000 });
    await viewer.getByRole('button', { name: 'Preview', exact: true }).click();
    const preview = viewer.getByRole('region', { name: 'Preview' });
    await preview.getByText('1 to update').waitFor({ timeout: 30_000 });
    expect(await preview.getByRole('button', { name: 'Process all 1 record' }).isDisabled()).toBe(true);
    await viewer.goto(`${url}/webhooks`);
    const replay = viewer.getByRole('form', { name: 'Replay a period' });
    expect(await replay.getByRole('button', { name: 'Replay period' }).isDisabled()).toBe(true);
    await shot('07-viewer', viewer);
    await viewer.close();

    await mark.getByRole('button', { name: 'Un-skip' }).click();
    await drawer.getByText('Un-skipped: the record goes with the next delivery, run or retry.').waitFor();
    await expect.poll(() => mark.count()).toBe(0);
    expect(await record(SAME)).toMatchObject({ state: 'prepared', skipped_by: null });
    await shot('08-unskipped');
  }, 90_000);
});
