import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  type AcumaticaSandbox,
  startAcumaticaSandbox,
} from '../../src/connectors/acumatica/sandbox/index.js';
import { sandboxRegistry } from '../../src/connectors/sandboxes.js';
import {
  type SellerCloudSandbox,
  startSellerCloudSandbox,
} from '../../src/connectors/sellercloud/sandbox/index.js';
import { type Context, openContext } from '../../src/runtime/context.js';
import { type Service, startService } from '../../src/runtime/service.js';
import { createUser } from '../../src/server/auth/accounts.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { ARTIFACTS, CHROMIUM, launchChromium, logIn } from '../support/views-browser.js';

/**
 * Seed 000's three batch screens for SellerCloud (Customer, Shipment, Invoice) in Debian's Chromium,
 * against a Ledgerlink server started in this process with the Acumatica and SellerCloud sandboxes on
 * loopback and no schedules: only what the screens do reaches SellerCloud. SellerCloud's orders are
 * first brought into Acumatica (as the e2e does), then shipped, confirmed and invoiced there, so the
 * shipments and invoices have SellerCloud orders to attach to. Each screen: its filters by the seed's
 * names, Load with nothing checked, each filter in turn with the grid's columns and the sandbox's own
 * values (ids, names, totals to the cent, statuses), and Process All on a Load, checked in
 * SellerCloud's sandbox once the progress bar ends. Each step leaves a screenshot in
 * test-artifacts/dashboard/.
 */
const PASSWORD = 'batch-sellercloud-password-1';
const CUSTOMERS = 'acumatica-sellercloud.customers';
const SHIPMENTS = 'acumatica-sellercloud.shipments';
const INVOICES = 'acumatica-sellercloud.invoices';
const ORDERS = 'sellercloud-acumatica.orders';
const NOTHING_CHECKED = 'You need to check at least one of the filters and then click on the [Load] button.';
const NO_RECORDS = 'No records found. Try to modify parameters above to see records here.';
const FLOWS = [
  'sellercloud-acumatica.customers',
  'sellercloud-acumatica.products',
  ORDERS,
  CUSTOMERS,
  SHIPMENTS,
  INVOICES,
] as const;

const val = <T>(w: unknown): T | undefined => (w as { value?: T } | undefined)?.value;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** Money as the grid writes it: digits grouped, two decimals, its currency. */
const money = (n: number, currency: string) =>
  `${n.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${currency}`;

async function excel(path: string, header: string, ids: readonly string[]): Promise<string> {
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet('IDs');
  sheet.addRow([header]);
  for (const id of ids) sheet.addRow([id]);
  writeFileSync(path, Buffer.from(await wb.xlsx.writeBuffer()));
  return path;
}

/** A shipped and (perhaps) invoiced SellerCloud order, as the test made it in Acumatica. */
interface Shipped {
  scOrder: number;
  soNbr: string;
  shipment: string;
  tracking: string[];
  invoice?: string;
}

describe("seed 000's SellerCloud batch screens in a real browser", () => {
  let erp: AcumaticaSandbox;
  let hub: SellerCloudSandbox;
  let db: TestDatabase;
  let ctx: Context;
  let svc: Service;
  let browser: Browser | undefined;
  let page: Page;
  let url: string;
  let dir: string;
  /** Three confirmed shipments (two invoices released, one left Balanced) and one shipment left Open. */
  const shipped: Shipped[] = [];
  let open: Shipped;

  const shot = (name: string) =>
    page.screenshot({ path: join(ARTIFACTS, `batch-sellercloud-${name}.png`), fullPage: true });
  const grid = () => page.getByRole('table', { name: 'Loaded records' });
  const load = () => page.getByRole('button', { name: 'Load', exact: true }).click();
  const check = (name: string) => page.getByRole('checkbox', { name, exact: true }).check();
  const uncheck = (name: string) => page.getByRole('checkbox', { name, exact: true }).uncheck();
  /** The header texts of the grid, without the selection column and the sort marks. */
  const headers = async () =>
    (await grid().locator('thead th').allTextContents()).map((t) => t.replace(/[↕▲▼]/g, '').trim());
  /**
   * After a Load: waits for "<n> loaded", then the rows as objects by header (the selection column's
   * empty header and the sort marks left out). The load before may still be on the screen when it had
   * as many rows (one customer of a class, then one typed): `loadedAs` polls until they are the ones
   * expected.
   */
  const loaded = async (n: number): Promise<Array<Record<string, string>>> => {
    await page.getByText(new RegExp(`^${n} loaded`)).waitFor({ timeout: 30_000 });
    if (n === 0) {
      await grid().getByText(NO_RECORDS).waitFor();
      return [];
    }
    await expect.poll(() => grid().locator('tbody tr').count(), { timeout: 30_000 }).toBe(n);
    await expect
      .poll(() => grid().locator('td.empty-row', { hasText: 'Loading…' }).count(), { timeout: 30_000 })
      .toBe(0);
    const head = await headers();
    return Promise.all(
      (await grid().locator('tbody tr').all()).map(async (r) => {
        const cells = (await r.locator('td').allTextContents()).map((t) => t.trim());
        return Object.fromEntries(head.map((h, i) => [h, cells[i] ?? '']).filter(([h]) => h));
      }),
    );
  };
  /**
   * After a Load, until the rows (as `pick` keeps them) are `want`: the load before may still be on
   * the screen with as many rows.
   */
  const loadedAs = <T>(n: number, pick: (rows: Array<Record<string, string>>) => T, want: T) =>
    expect.poll(async () => pick(await loaded(n)), { timeout: 30_000 }).toEqual(want);
  /** The filters' checkbox labels, in the screen's order. */
  const filterTitles = () =>
    page.getByRole('form', { name: 'Filters' }).locator('fieldset.filter > label.check').allTextContents();
  /** Load with nothing checked: the seed's message, and no Load. */
  const nothingChecked = async () => {
    await load();
    await page.getByRole('alert').filter({ hasText: NOTHING_CHECKED }).waitFor();
    expect(await page.getByRole('button', { name: 'Process All', exact: true }).isDisabled()).toBe(true);
  };
  const progress = async () => {
    const bar = page.getByRole('progressbar');
    if (!(await bar.count())) return undefined;
    return {
      name: (await bar.getAttribute('aria-label')) ?? '',
      now: Number(await bar.getAttribute('aria-valuenow')),
      max: Number(await bar.getAttribute('aria-valuemax')),
    };
  };
  /** Presses Process All and waits for the new run's bar to reach `count`; returns the counts text. */
  const processAll = async (count: number) => {
    const before = (await progress())?.name;
    await page.getByRole('button', { name: 'Process All', exact: true }).click();
    await page.getByText(`Queued: processing all ${count} loaded record`, { exact: false }).waitFor();
    await expect
      .poll(
        async () => {
          const p = await progress();
          return Boolean(p && p.name !== before && p.max === count && p.now === count);
        },
        { timeout: 45_000, interval: 200 },
      )
      .toBe(true);
    await expect
      .poll(() => page.locator('.run-counts').textContent())
      .toMatch(new RegExp(`^${count} of ${count}`));
    return (await page.locator('.run-counts').textContent()) ?? '';
  };
  const setDates = async (from: string, to: string) => {
    await page.getByLabel('From', { exact: true }).fill(from);
    await page.getByLabel('To', { exact: true }).fill(to);
  };
  const pickList = (name: string): Locator => page.getByRole('group', { name, exact: true });

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
    mkdirSync(ARTIFACTS, { recursive: true });
    erp = await startAcumaticaSandbox({ customers: 6, products: 4 });
    hub = await startSellerCloudSandbox({ count: 4 });
    db = await createTestDatabase('sqlite');
    dir = mkdtempSync(join(tmpdir(), 'ledgerlink-batch-sellercloud-'));
    const configPath = join(dir, 'ledgerlink.yaml');
    const fast = { retryBaseSeconds: 0.05, retryCapSeconds: 0.5, schedule: null };
    writeFileSync(
      configPath,
      stringify({
        database: db.url,
        server: { host: '127.0.0.1', port: 0 },
        connections: {
          acumatica: { connector: 'acumatica', settings: sandboxRegistry.acumatica!.settings(erp) },
          sellercloud: { connector: 'sellercloud', settings: sandboxRegistry.sellercloud!.settings(hub) },
        },
        valueMaps: {
          taxClass: [{ sellercloud: 'SALESTAX', acumatica: 'NYSTATE' }],
          shippingMethod: [
            { acumatica: 'FLATRATE', sellercloud: 'Standard' },
            { acumatica: 'UPSGROUND', sellercloud: 'UPS Ground' },
          ],
        },
        flows: Object.fromEntries(FLOWS.map((f) => [f, { ...fast }])),
      }),
    );
    ctx = await openContext({ configPath });

    // SellerCloud's orders into Acumatica first, so shipments and invoices have orders to attach to.
    // Only that way: Acumatica's customers must reach SellerCloud from the Customer screen, not before.
    for (const flow of FLOWS.filter((f) => f.startsWith('sellercloud-'))) {
      const run = await ctx.engine.run(flow, { trigger: 'batch', query: {}, incremental: true });
      await ctx.engine.settle(flow, Date.now() + 30_000);
      expect(run.counts.failed, flow).toBe(0);
    }
    const orders = [...hub.data.orders.values()].sort((a, b) => a.ID - b.ID);
    expect(orders.length).toBe(4);
    for (const [i, o] of orders.entries()) {
      const soNbr = (await ctx.store.records.get(ORDERS, String(o.ID)))!.target_id!;
      const tracking = Array.from(
        { length: Math.max(1, o.Packages?.length ?? 0) },
        (_, p) => `1Z-${o.ID}-${p + 1}`,
      );
      const shipment = erp.createShipment(soNbr, { trackingNumbers: tracking });
      const s: Shipped = { scOrder: o.ID, soNbr, shipment, tracking };
      if (i === 3) {
        open = s; // left Open: not shipped yet
        continue;
      }
      erp.confirmShipment(shipment);
      s.invoice = erp.prepareInvoice(shipment);
      if (i < 2) erp.releaseInvoice(s.invoice); // the third stays Balanced
      shipped.push(s);
    }

    svc = await startService(ctx, ctx.config.server);
    url = svc.url;
    await createUser(ctx.store, {
      username: 'ada',
      role: 'admin',
      password: PASSWORD,
      mustChangePassword: false,
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await logIn(page, url, 'ada', PASSWORD);
  }, 180_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await svc?.stop();
    await ctx?.close();
    await hub?.close();
    await erp?.close();
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('Customer: by date, by customer classes, by specific customer (an Excel file); Process All makes them SellerCloud customers by e-mail', async () => {
    await page.goto(`${url}/batch/${CUSTOMERS}`);
    await page.getByRole('heading', { level: 1, name: /Customer batch process/ }).waitFor();
    // The seed's three, in its order; then the screen's own (status, the SYNC Uploader's search).
    expect(await filterTitles()).toEqual([
      'Filter by Dates',
      'Filter by Customer Classes',
      'Filter by Specific Customer',
      'Filter by Status',
      'Filter by Customer ID starting with',
    ]);
    await grid().getByText(NO_RECORDS).waitFor();
    expect(await headers()).toEqual([
      '',
      'Customer ID',
      'Customer Name',
      'Customer Class',
      'Email',
      'Credit Limit',
      'LastModifiedDateTime',
      'Sync state',
      'Processing would',
    ]);
    await nothingChecked();
    await shot('01-customers-nothing-checked');

    const all = [...erp.customers.values()];
    const row = (c: (typeof all)[number]) => ({
      'Customer ID': val<string>(c.CustomerID)!,
      'Customer Name': val<string>(c.CustomerName)!,
      'Customer Class': val<string>(c.CustomerClass)!,
      Email: val<string>(c.MainContact?.Email)!,
      'Credit Limit': money(val<number>(c.CreditLimit)!, val<string>(c.CurrencyID) ?? 'USD'),
    });
    const byId = (a: { 'Customer ID': string }, b: { 'Customer ID': string }) =>
      a['Customer ID'] < b['Customer ID'] ? -1 : 1;
    const pick = (rows: Array<Record<string, string>>) =>
      rows
        .map((r) => ({
          'Customer ID': r['Customer ID']!,
          'Customer Name': r['Customer Name']!,
          'Customer Class': r['Customer Class']!,
          Email: r.Email!,
          'Credit Limit': r['Credit Limit']!,
        }))
        .sort(byId);

    // By date: the seeded customers last changed weeks ago, not those SellerCloud's orders brought today.
    const from = Date.now() - 40 * 86_400_000;
    const to = Date.now() - 3 * 86_400_000;
    const inRange = all.filter((c) => {
      const at = Date.parse(val<string>(c.LastModifiedDateTime)!);
      return at >= Date.parse(day(from)) && at < Date.parse(day(to)) + 86_400_000;
    });
    expect(inRange.length).toBeGreaterThan(0);
    expect(inRange.length).toBeLessThan(all.length);
    await check('Filter by Dates');
    await setDates(day(from), day(to));
    await load();
    await loadedAs(inRange.length, pick, inRange.map(row).sort(byId));
    await shot('02-customers-by-date');

    // By customer classes: the tenant's classes as a pick list; one picked, its customers only.
    await uncheck('Filter by Dates');
    await check('Filter by Customer Classes');
    const classes = pickList('Customer Classes');
    await classes.getByRole('checkbox').first().waitFor();
    expect((await classes.locator('label.check').allTextContents()).map((t) => t.split(' ')[0])).toEqual([
      'B2B',
      'DEFAULT',
      'RETAIL',
      'WHOLESALE',
    ]);
    const cls = val<string>(all[0]!.CustomerClass)!;
    await classes.getByRole('checkbox', { name: new RegExp(`^${cls}\\b`) }).check();
    await load();
    const ofClass = all.filter((c) => val(c.CustomerClass) === cls);
    await loadedAs(ofClass.length, pick, ofClass.map(row).sort(byId));
    await shot('03-customers-by-class');

    // By specific customer: first typed, then an Excel file with the seed's header "Customer".
    await uncheck('Filter by Customer Classes');
    await check('Filter by Specific Customer');
    await page.getByText('The first row must be the header Customer.').waitFor();
    await page.getByLabel('Or Customers:').fill('C000002');
    await load();
    await loadedAs(1, pick, [row(all.find((c) => val(c.CustomerID) === 'C000002')!)]);
    // A file over the upload limit: the screen shows the server's answer naming the limit (the rest
    // of the file is read before it, so the browser is not cut off mid-upload).
    const huge = join(dir, 'huge.csv');
    writeFileSync(huge, Buffer.alloc(8 * 1024 * 1024, 0x41));
    await page.getByLabel('Browse an Excel or CSV file of Customers').setInputFiles(huge);
    await page.getByText('the body is larger than this endpoint takes (at most 5 MB)').waitFor();
    const wanted = ['C000001', 'C000003', 'C000005'];
    const file = await excel(join(dir, 'customers.xlsx'), 'Customer', wanted);
    await page.getByLabel('Browse an Excel or CSV file of Customers').setInputFiles(file);
    await page.getByText('Read 3 IDs from customers.xlsx.').waitFor();
    expect(await page.getByLabel('Or Customers:').inputValue()).toBe(wanted.join('\n'));
    await load();
    const chosen = all.filter((c) => wanted.includes(val<string>(c.CustomerID)!));
    const fromExcel = await loaded(3);
    expect(pick(fromExcel)).toEqual(chosen.map(row).sort(byId));
    // Not in SellerCloud yet: processing would create each.
    expect(fromExcel.map((r) => [r['Sync state'], r['Processing would']])).toEqual(
      wanted.map(() => ['not synced', 'create']),
    );
    await shot('04-customers-from-excel');

    // Process All: every loaded customer becomes a SellerCloud customer, found by its e-mail.
    const emails = () => new Set([...hub.data.customers.values()].map((c) => c.Email?.toLowerCase()));
    for (const c of chosen)
      expect(emails().has(val<string>(c.MainContact?.Email)!.toLowerCase())).toBe(false);
    const before = hub.data.customers.size;
    expect(await processAll(3)).toMatch(/created 3/);
    await shot('05-customers-processed');
    for (const c of chosen) {
      const email = val<string>(c.MainContact?.Email)!.toLowerCase();
      const sc = [...hub.data.customers.values()].find((x) => x.Email?.toLowerCase() === email);
      expect(sc, email).toBeDefined();
      expect(sc!.LastName).toBe(val(c.MainContact?.LastName));
    }
    expect(hub.data.customers.size).toBe(before + 3);
    // Load again: the grid now shows them synced, nothing left to do.
    await load();
    const again = await loaded(3);
    expect(again.map((r) => r['Processing would'])).toEqual(['unchanged', 'unchanged', 'unchanged']);
    expect(again.every((r) => /^processed/.test(r['Sync state']!))).toBe(true);
  }, 120_000);

  it('Shipment: by dates, by order types, by shipment (an Excel file); Process All gives the SellerCloud orders their tracking per package', async () => {
    await page.goto(`${url}/batch/${SHIPMENTS}`);
    await page.getByRole('heading', { level: 1, name: /Shipment batch process/ }).waitFor();
    expect(await filterTitles()).toEqual([
      'Filter by Dates',
      'Filter by Order Types',
      'Filter by Shipment',
      'Filter by Status',
    ]);
    expect(await headers()).toEqual([
      '',
      'Shipment Nbr',
      'Status',
      'Shipment Date',
      'Customer',
      'Orders',
      'Ship Via',
      'LastModifiedDateTime',
      'Sync state',
      'Processing would',
    ]);
    await nothingChecked();
    await shot('06-shipments-nothing-checked');

    const every = [...shipped, open];
    const row = (s: Shipped) => {
      const raw = erp.shipments.get(s.shipment)!;
      return {
        'Shipment Nbr': s.shipment,
        Status: val<string>(raw.Status)!,
        'Shipment Date': String(val<string>(raw.ShipmentDate)).slice(0, 10),
        Customer: val<string>(erp.orders.get(s.soNbr)?.CustomerID)!,
        Orders: s.soNbr,
        'Ship Via': val<string>(raw.ShipVia) ?? '—',
      };
    };
    const pick = (rows: Array<Record<string, string>>) =>
      rows
        .map((r) => ({
          'Shipment Nbr': r['Shipment Nbr']!,
          Status: r.Status!,
          'Shipment Date': r['Shipment Date']!,
          Customer: r.Customer!,
          Orders: r.Orders!,
          'Ship Via': r['Ship Via']!,
        }))
        .sort((a, b) => (a['Shipment Nbr'] < b['Shipment Nbr'] ? -1 : 1));
    const expected = (list: Shipped[]) =>
      list.map(row).sort((a, b) => (a['Shipment Nbr'] < b['Shipment Nbr'] ? -1 : 1));
    expect(new Set(every.map((s) => row(s).Status))).toEqual(new Set(['Invoiced', 'Open']));

    // By dates: every shipment was made today; a month ago had none.
    await check('Filter by Dates');
    await setDates(day(Date.now() - 60 * 86_400_000), day(Date.now() - 30 * 86_400_000));
    await load();
    await loaded(0);
    await setDates(day(Date.now() - 86_400_000), day(Date.now() + 86_400_000));
    await load();
    const byDates = await loaded(4);
    expect(pick(byDates)).toEqual(expected(every));
    // The open one would be skipped with the condition named; the confirmed ones would be written.
    const plans = Object.fromEntries(byDates.map((r) => [r['Shipment Nbr'], r['Processing would']]));
    expect(plans[open.shipment]).toMatch(/^skip.*Open/);
    for (const s of shipped) expect(plans[s.shipment]).toMatch(/^(create|update)/);
    await shot('07-shipments-by-dates');

    // By order types: the types the connection reads, as a pick list.
    await uncheck('Filter by Dates');
    await check('Filter by Order Types');
    const types = pickList('Order Types');
    await types.getByRole('checkbox').first().waitFor();
    expect(await types.locator('label.check').allTextContents()).toEqual(['SO']);
    await types.getByRole('checkbox', { name: 'SO' }).check();
    await load();
    await loadedAs(4, pick, expected(every));
    await shot('08-shipments-by-order-type');

    // By shipment: typed, then an Excel file with the header ShipmentNbr (the confirmed ones).
    await uncheck('Filter by Order Types');
    await check('Filter by Shipment');
    await page.getByText('The first row must be the header ShipmentNbr.').waitFor();
    await page.getByLabel('Or Shipments:').fill(open.shipment);
    await load();
    await loadedAs(1, pick, expected([open]));
    const file = await excel(
      join(dir, 'shipments.xlsx'),
      'ShipmentNbr',
      shipped.map((s) => s.shipment),
    );
    await page.getByLabel('Browse an Excel or CSV file of Shipments').setInputFiles(file);
    await page.getByText('Read 3 IDs from shipments.xlsx.').waitFor();
    await load();
    await loadedAs(3, pick, expected(shipped));
    await shot('09-shipments-from-excel');

    // Process All: one tracking call per package, each SellerCloud order marked shipped.
    expect(hub.packageCalls).toHaveLength(0);
    expect(await processAll(3)).not.toMatch(/failed [1-9]/);
    await shot('10-shipments-processed');
    expect(
      hub.packageCalls
        .map((c) => [c.OrderID, c.TrackingNumber])
        .sort((a, b) => (String(a[1]) < String(b[1]) ? -1 : 1)),
    ).toEqual(
      shipped
        .flatMap((s) => s.tracking.map((t) => [s.scOrder, t]))
        .sort((a, b) => (String(a[1]) < String(b[1]) ? -1 : 1)),
    );
    for (const s of shipped) {
      const order = hub.data.orders.get(s.scOrder)!;
      expect(
        order.Packages?.map((p) => p.TrackingNumber),
        `order ${s.scOrder}`,
      ).toEqual(s.tracking);
      expect(order.ShippingStatus, `order ${s.scOrder}`).toBe(3);
    }
    // The open shipment's order was not touched.
    expect(hub.data.orders.get(open.scOrder)!.Packages?.some((p) => p.TrackingNumber)).toBeFalsy();
  }, 120_000);

  it('Invoice: by dates, by invoice status, by specific customers, by invoice nbr (an Excel file); Process All notes them on the SellerCloud orders', async () => {
    await page.goto(`${url}/batch/${INVOICES}`);
    await page.getByRole('heading', { level: 1, name: /Invoice batch process/ }).waitFor();
    expect(await filterTitles()).toEqual([
      'Filter By Dates',
      'Filter By Invoice Status',
      'Filter By Specific Customers',
      'Filter By Invoice Nbr',
      'Filter By Customer starting with',
    ]);
    // The seed's columns, in its order, then the sync state and the plan.
    expect(await headers()).toEqual([
      '',
      'Invoice Type',
      'Invoice Nbr',
      'Status',
      'Invoice Date',
      'Customer',
      'Invoice Total',
      'LastModifiedDateTime',
      'Sync state',
      'Processing would',
    ]);
    await nothingChecked();
    await shot('11-invoices-nothing-checked');

    const row = (s: Shipped) => {
      const raw = erp.invoices.get(s.invoice!)!;
      return {
        'Invoice Type': 'Invoice',
        'Invoice Nbr': s.invoice!,
        Status: val<string>(raw.Status)!,
        'Invoice Date': String(val<string>(raw.Date)).slice(0, 10),
        Customer: val<string>(raw.CustomerID)!,
        'Invoice Total': money(val<number>(raw.Amount)!, val<string>(raw.Currency) ?? 'USD'),
      };
    };
    const pick = (rows: Array<Record<string, string>>) =>
      rows
        .map((r) => ({
          'Invoice Type': r['Invoice Type']!,
          'Invoice Nbr': r['Invoice Nbr']!,
          Status: r.Status!,
          'Invoice Date': r['Invoice Date']!,
          Customer: r.Customer!,
          'Invoice Total': r['Invoice Total']!,
        }))
        .sort((a, b) => (a['Invoice Nbr'] < b['Invoice Nbr'] ? -1 : 1));
    const expected = (list: Shipped[]) =>
      list.map(row).sort((a, b) => (a['Invoice Nbr'] < b['Invoice Nbr'] ? -1 : 1));
    const released = shipped.slice(0, 2);
    const balanced = shipped[2]!;
    expect(released.map((s) => row(s).Status)).toEqual(['Open', 'Open']);
    expect(row(balanced).Status).toBe('Balanced');
    for (const s of shipped) expect(row(s)['Invoice Total']).toMatch(/^[\d,]+\.\d{2} [A-Z]{3}$/);

    // By dates: today's three invoices; none a month ago.
    await check('Filter By Dates');
    await setDates(day(Date.now() - 60 * 86_400_000), day(Date.now() - 30 * 86_400_000));
    await load();
    await loaded(0);
    await setDates(day(Date.now() - 86_400_000), day(Date.now() + 86_400_000));
    await load();
    const byDates = await loaded(3);
    expect(pick(byDates)).toEqual(expected(shipped));
    const plans = Object.fromEntries(byDates.map((r) => [r['Invoice Nbr'], r['Processing would']]));
    expect(plans[balanced.invoice!]).toMatch(/^skip/);
    await shot('12-invoices-by-dates');

    // By invoice status: Open (released) only, not the Balanced one.
    await uncheck('Filter By Dates');
    await check('Filter By Invoice Status');
    const statuses = pickList('Invoice Status');
    await statuses.getByRole('checkbox', { name: 'Open', exact: true }).check();
    await load();
    await loadedAs(2, pick, expected(released));
    await shot('13-invoices-by-status');

    // By specific customers, typed: the customer of the Balanced invoice.
    await uncheck('Filter By Invoice Status');
    await check('Filter By Specific Customers');
    await page.getByText('The first row must be the header Customer.').waitFor();
    const customer = row(balanced).Customer;
    const ofCustomer = shipped.filter((s) => row(s).Customer === customer);
    await page.getByLabel('Or Customers:').fill(customer);
    await load();
    await loadedAs(ofCustomer.length, pick, expected(ofCustomer));
    await shot('14-invoices-by-customer');

    // By invoice nbr: an Excel file with the seed's header InvoiceNbr, the two released invoices.
    await uncheck('Filter By Specific Customers');
    await check('Filter By Invoice Nbr');
    await page.getByText('The first row must be the header InvoiceNbr.').waitFor();
    const file = await excel(
      join(dir, 'invoices.xlsx'),
      'InvoiceNbr',
      released.map((s) => s.invoice!),
    );
    await page.getByLabel('Browse an Excel or CSV file of Invoice Nbrs').setInputFiles(file);
    await page.getByText('Read 2 IDs from invoices.xlsx.').waitFor();
    await load();
    await loadedAs(2, pick, expected(released));
    await shot('15-invoices-from-excel');

    // Process All: each released invoice leaves its note on the SellerCloud order it bills.
    for (const s of shipped) expect(hub.data.notes.get(s.scOrder) ?? []).toEqual([]);
    expect(await processAll(2)).not.toMatch(/failed [1-9]/);
    await shot('16-invoices-processed');
    for (const s of released) {
      const notes = (hub.data.notes.get(s.scOrder) ?? []).map((n) => n.Note);
      const raw = erp.invoices.get(s.invoice!)!;
      expect(notes, `order ${s.scOrder}`).toEqual([
        expect.stringMatching(new RegExp(`^Invoice ${s.invoice} \\(invoice, .*\\): Open, total`)),
      ]);
      expect(notes[0]).toContain(
        `total ${val<number>(raw.Amount)!.toFixed(2)} ${val<string>(raw.Currency) ?? 'USD'}`,
      );
      expect(notes[0]).toMatch(/unpaid$/);
    }
    // The Balanced invoice was not loaded, so nothing was noted for it.
    expect(hub.data.notes.get(balanced.scOrder) ?? []).toEqual([]);
  }, 120_000);
});
