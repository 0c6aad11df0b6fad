import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type DynamicsSandbox, startDynamicsSandbox } from '../../src/connectors/dynamics/sandbox/index.js';
import { addAuditTransaction } from '../../src/connectors/sage50/sandbox/index.js';
import { hostedFor } from '../../src/connectors/sage50/test-support.js';
import { sandboxRegistry } from '../../src/connectors/sandboxes.js';
import { type Context, openContext } from '../../src/runtime/context.js';
import { type Service, startService } from '../../src/runtime/service.js';
import { createUser } from '../../src/server/auth/accounts.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import {
  ARTIFACTS,
  CHROMIUM,
  launchChromium,
  MANUAL_ORDER_ITEMS,
  viewsPage,
} from '../support/views-browser.js';

/**
 * The SYNC Uploader's two views (seed 004 §6 and §7) in Debian's Chromium, between the systems the
 * manual was written for: Sage 50 plays the accounts — its tables hosted in SQLite behind unixODBC, so
 * the connector runs real SQL through a real driver manager — and Dynamics 365 the CRM, its sandbox
 * over loopback, both with the manual's own records. The Sage View finds Sage 50 customers, products
 * and invoices by the start of their reference and uploads a selection into Dynamics; the CRM view's
 * Scan lists what the manual's two ready orders need before anything is written in Sage 50 — ORD-1002,
 * whose account and product Sage 50 lacks, as not uploadable, naming both — and Upload makes
 * ORD-1001-1KWBHX a Sage 50 product invoice (the penny test) and marks it uploaded. No schedules and no webhooks: only what the
 * screens do reaches the systems. Each step leaves a screenshot in test-artifacts/dashboard/.
 */
const PASSWORD = 'views-sage50-test-password-1';
/** The status reasons the Dynamics connection reads as "ready" and writes as "uploaded" (its defaults). */
const READY = 200000;
const UPLOADED = 200001;
const MANUAL_ORDERS = ['ORD-1001-1KWBHX', 'ORD-1002'] as const;
const FLOWS = [
  'sage50-dynamics.customers',
  'sage50-dynamics.products',
  'sage50-dynamics.invoices',
  'dynamics-sage50.orders',
] as const;

describe('the Sage View and the CRM view between Sage 50 and Dynamics 365 in a real browser', () => {
  let sage: Awaited<ReturnType<typeof hostedFor>>;
  let crm: DynamicsSandbox;
  let db: TestDatabase;
  let ctx: Context;
  let svc: Service;
  let browser: Browser | undefined;
  let page: Page;
  let url: string;

  const { shot, login, uploaded, cellsOf, selectRow, outcomeOf, planOf, tabRows, menuViews } = viewsPage({
    page: () => page,
    url: () => url,
    password: PASSWORD,
    prefix: 'sage50',
  });
  /** The hosted Sage 50 data file, read through the test's own ODBC connection. */
  const q = (sql: string, params: Array<string | number> = []) => sage.db.query(sql, params);
  const count = async (table: string) => Number((await q(`SELECT COUNT(*) AS n FROM ${table}`))[0]?.n);
  /** The header of the found records' table, as text without the sort marks (▲ ▼ ↕). */
  const headerOf = async (p: Page) =>
    (await p.getByRole('table', { name: 'Found records' }).locator('thead th').allTextContents()).map((h) =>
      h.replace(/[▲▼↕]/g, '').trim(),
    );
  const find = async (p: Page, label: string, text: string, found: string) => {
    await p.getByLabel(label).fill(text);
    await p.getByRole('button', { name: 'Find', exact: true }).click();
    await p.getByText(found, { exact: true }).waitFor();
  };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
    mkdirSync(ARTIFACTS, { recursive: true });
    // The manual's Sage 50 records (A1D001, ABS001; VID003, TAPE002, MISC, S1; invoice 1) in SQLite.
    sage = await hostedFor('sqlite');
    crm = await startDynamicsSandbox({});
    db = await createTestDatabase('sqlite');
    const dir = mkdtempSync(join(tmpdir(), 'ledgerlink-views-sage50-'));
    const configPath = join(dir, 'ledgerlink.yaml');
    const fast = { retryBaseSeconds: 0.05, retryCapSeconds: 0.5, schedule: null };
    writeFileSync(
      configPath,
      stringify({
        database: db.url,
        server: { host: '127.0.0.1', port: 0 },
        connections: {
          sage50: { connector: 'sage50', settings: sage.settings() },
          dynamics: {
            connector: 'dynamics',
            settings: { ...sandboxRegistry.dynamics!.settings(crm), timeoutMs: 5000 },
          },
        },
        flows: Object.fromEntries(FLOWS.map((f) => [f, { ...fast }])),
      }),
    );
    ctx = await openContext({ configPath });
    svc = await startService(ctx, ctx.config.server);
    url = svc.url;
    for (const [username, role] of [
      ['ada', 'admin'],
      ['vera', 'viewer'],
    ] as const)
      await createUser(ctx.store, { username, role, password: PASSWORD, mustChangePassword: false });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await login(page, 'ada');
  }, 180_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await svc?.stop();
    await ctx?.close();
    await crm?.close();
    await sage?.close();
    await sage?.drop();
    await db?.drop();
  }, 60_000);

  it('the menu offers both views, titled from the connectors: Sage 50 View and Dynamics 365 View', async () => {
    // Those two and no other.
    await menuViews([
      ['Sage 50 View', '/view/sage50/dynamics'],
      ['Dynamics 365 View', '/crm-view/dynamics/sage50'],
    ]);
    await shot('00-menu');
  }, 60_000);

  it('customers: the start of an account reference and Find show only the matching accounts; ABS001, not yet in the CRM, is created as a Dynamics account', async () => {
    await page.goto(`${url}/view/sage50/dynamics`);
    await page.getByRole('heading', { level: 1, name: 'Sage 50 View' }).waitFor();
    expect(await page.getByLabel('Entity').locator('option').allTextContents()).toEqual([
      'Customers',
      'Products',
      'Invoices',
      'Invoice Items',
      'Transactions',
    ]);
    // Sage keeps references in capitals: "a" finds both of the manual's accounts, "AB" one of them.
    await find(page, 'A/C starts with', 'a', 'Found 2 customers whose A/C starts with “a”.');
    const header = await headerOf(page);
    const ac = header.indexOf('A/C');
    const name = header.indexOf('Name');
    expect([ac, name].every((i) => i > 0)).toBe(true);
    expect((await cellsOf(page, 'Found records')).map((c) => [c[ac], c[name]])).toEqual([
      ['A1D001', 'A1 Design'],
      ['ABS001', 'ABS Garag'],
    ]);
    await find(page, 'A/C starts with', 'A1', 'Found 1 customer whose A/C starts with “A1”.');
    expect((await cellsOf(page, 'Found records')).map((c) => [c[ac], c[name]])).toEqual([
      ['A1D001', 'A1 Design'],
    ]);
    await find(page, 'A/C starts with', 'AB', 'Found 1 customer whose A/C starts with “AB”.');
    expect((await cellsOf(page, 'Found records')).map((c) => [c[ac], c[name]])).toEqual([
      ['ABS001', 'ABS Garag'],
    ]);
    await shot('01-found-customers');

    // The CRM's seed has A1D001 (the orders' account) but not ABS001: uploading it creates it.
    expect(crm.find('accounts', 'accountnumber', 'A1D001')).toBeDefined();
    expect(crm.find('accounts', 'accountnumber', 'ABS001')).toBeUndefined();
    const accounts = crm.rows('accounts').length;
    await selectRow(page, 'ABS001').check();
    await page.getByRole('button', { name: 'Upload selected' }).click();
    await uploaded(1);
    await expect.poll(async () => (await outcomeOf('ABS001'))?.[1], { timeout: 15_000 }).toBe('created');
    await shot('02-uploaded-customer');
    const account = crm.find('accounts', 'accountnumber', 'ABS001');
    expect(account?.name).toBe('ABS Garag');
    expect(account?.address1_postalcode).toBe('NE31 1VB');
    expect(String(account?.creditlimit)).toBe('4000');
    expect(crm.rows('accounts').length).toBe(accounts + 1);
  }, 120_000);

  it('products are searched by their product code (S1 is a line kind, not a product) and invoices by their account reference', async () => {
    await page.goto(`${url}/view/sage50/dynamics`);
    await page.getByLabel('Entity').selectOption({ label: 'Products' });
    const codes = async () => {
      const i = (await headerOf(page)).indexOf('Product code');
      expect(i).toBeGreaterThan(0);
      return (await cellsOf(page, 'Found records')).map((c) => c[i]);
    };
    await find(
      page,
      'Product code starts with',
      'ta',
      'Found 1 product whose Product code starts with “ta”.',
    );
    expect(await codes()).toEqual(['TAPE002']);
    await find(
      page,
      'Product code starts with',
      'VID',
      'Found 1 product whose Product code starts with “VID”.',
    );
    expect(await codes()).toEqual(['VID003']);
    await find(page, 'Product code starts with', 'M', 'Found 1 product whose Product code starts with “M”.');
    expect(await codes()).toEqual(['MISC']);
    // S1 is in STOCK, but a service line code: not a product to find or upload.
    await find(page, 'Product code starts with', 'S', 'Found 0 products whose Product code starts with “S”.');
    await page.getByText('No products found.').waitFor();
    await shot('03-found-products');

    await page.getByLabel('Entity').selectOption({ label: 'Invoices' });
    await find(page, 'A/C starts with', 'A1', 'Found 1 invoice whose A/C starts with “A1”.');
    const header = await headerOf(page);
    const no = header.indexOf('No.');
    const ac = header.indexOf('A/C');
    expect([no, ac].every((i) => i > 0)).toBe(true);
    // A1D001's posted invoice 1, its customer column showing the account reference searched by.
    expect((await cellsOf(page, 'Found records')).map((c) => [c[no], c[ac]])).toEqual([['1', 'A1D001']]);
    await find(page, 'A/C starts with', 'ABS', 'Found 0 invoices whose A/C starts with “ABS”.');
    await page.getByText('No invoices found.').waitFor();
    await shot('04-found-invoices');
  }, 90_000);

  it('invoice items (view-only, as the manual says) and transactions are searched by account reference; a selected invoice transaction uploads its invoice with its customer and products', async () => {
    // A receipt on ABS001 beside A1D001's invoice on the audit trail.
    await addAuditTransaction(sage.db, {
      tran: 2,
      type: 'SR',
      account: 'ABS001',
      invRef: '',
      date: '2025-11-04',
      net: '-30',
      tax: '0',
      gross: '-30',
      splits: [{ tran: 3, net: '-30', tax: '0', gross: '-30', details: 'Receipt' }],
    });
    await page.goto(`${url}/view/sage50/dynamics`);
    await page.getByLabel('Entity').selectOption({ label: 'Invoice Items' });
    await page
      .getByRole('note')
      .getByText(/Invoice items are view-only/)
      .waitFor();
    const uploadSelected = page.getByRole('button', { name: 'Upload selected' });
    expect(await uploadSelected.isDisabled()).toBe(true);
    expect(await uploadSelected.getAttribute('title')).toMatch(/view-only/);
    await find(page, 'A/C starts with', 'a1', 'Found 3 invoice items whose A/C starts with “a1”.');
    const header = await headerOf(page);
    const pick = (names: string[]) => names.map((n) => header.indexOf(n));
    const cols = pick([
      'Inv. No.',
      'A/C',
      'Product code',
      'Description',
      'Quantity',
      'Price',
      'Net',
      'T/C',
      'V.A.T.',
    ]);
    expect(cols.every((i) => i >= 0)).toBe(true);
    // The manual's invoice 1: VID003, the S1 service line, the M message line, to the penny.
    expect((await cellsOf(page, 'Found records')).map((c) => cols.map((i) => c[i]))).toEqual([
      ['1', 'A1D001', 'VID003', '32mb PCI Video Card', '2', '55.00 GBP', '110.00 GBP', 'T1', '19.25 GBP'],
      ['1', 'A1D001', 'S1', 'Installation', '1', '40.00 GBP', '40.00 GBP', 'T1', '7.00 GBP'],
      ['1', 'A1D001', 'M', 'Thank you for your order', '0', '0.00 GBP', '0.00 GBP', 'T1', '0.00 GBP'],
    ]);
    // View-only: no row can be selected.
    expect(await page.getByRole('table', { name: 'Found records' }).getByRole('checkbox').count()).toBe(0);
    await find(page, 'A/C starts with', 'ABS', 'Found 0 invoice items whose A/C starts with “ABS”.');
    await shot('04a-found-invoice-items');

    await page.getByLabel('Entity').selectOption({ label: 'Transactions' });
    await find(page, 'A/C starts with', 'a', 'Found 2 transactions whose A/C starts with “a”.');
    const th = await headerOf(page);
    const tc = ['No.', 'Type', 'A/C', 'Date', 'Ref', 'Net', 'Tax', 'Gross', 'Uploading would send'].map((n) =>
      th.indexOf(n),
    );
    expect(tc.every((i) => i >= 0)).toBe(true);
    expect((await cellsOf(page, 'Found records')).map((c) => tc.map((i) => c[i]))).toEqual([
      [
        '1',
        'SI',
        'A1D001',
        '2025-11-03',
        '1',
        '150.00 GBP',
        '26.25 GBP',
        '176.25 GBP',
        'customer A1D001 · invoice 1',
      ],
      ['2', 'SR', 'ABS001', '2025-11-04', '—', '-30.00 GBP', '0.00 GBP', '-30.00 GBP', 'customer ABS001'],
    ]);
    await find(page, 'A/C starts with', 'A1D', 'Found 1 transaction whose A/C starts with “A1D”.');
    expect(crm.find('invoices', 'invoicenumber', 'A1D001-1')).toBeUndefined();
    await selectRow(page, 'SI').check();
    await uploadSelected.click();
    // The invoice brings its customer and products first: one run, of the invoices flow.
    await page.getByText('Uploading invoices 1 to Dynamics 365; what they need goes first.').waitFor();
    await uploaded(1);
    await expect.poll(async () => (await outcomeOf('1'))?.[1], { timeout: 15_000 }).toBe('created');
    await shot('04b-uploaded-transaction');
    const inv = crm.find('invoices', 'invoicenumber', 'A1D001-1');
    expect(new Decimal(String(inv?.totalamount)).equals('176.25')).toBe(true);
    expect(crm.find('products', 'productnumber', 'VID003')).toBeDefined();
  }, 120_000);

  it('the CRM view: Scan lists the orders and lines the ready orders need, writing nothing in Sage 50, ORD-1002 not uploadable naming its account; Upload makes ORD-1001-1KWBHX a product invoice to the penny, marked uploaded', async () => {
    for (const number of MANUAL_ORDERS)
      expect(crm.find('salesorders', 'ordernumber', number)?.statuscode, number).toBe(READY);
    const before = { invoices: await count('INVOICE'), items: await count('INVOICE_ITEM') };
    expect(before.invoices).toBe(1);

    await page.goto(`${url}/crm-view/dynamics/sage50`);
    await page.getByRole('heading', { level: 1, name: 'Dynamics 365 View' }).waitFor();
    const upload = page.getByRole('button', { name: 'Upload', exact: true });
    expect(await upload.isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Scan', exact: true }).click();
    // ORD-1002's account XXX001 and product XXXTEST01 are not in Sage 50, and Sage 50 takes none
    // from the CRM: the Scan says so instead of planning an upload that Sage would refuse.
    await page.getByText('1 order ready to upload; nothing was written.').waitFor({ timeout: 30_000 });
    expect(await page.getByRole('tab').allTextContents()).toEqual([
      'Customers (1)',
      'Products (2)',
      'Orders (2)',
      'Order items (3)',
    ]);
    const tab = (name: RegExp) => page.getByRole('tab', { name });
    await tab(/^Customers/).click();
    await page
      .getByRole('tabpanel')
      .getByText(/it has them \(A1D001\)/)
      .waitFor();
    await tab(/^Orders/).click();
    expect(await planOf('ORD-1001-1KWBHX')).toBe('upload');
    expect(await planOf('ORD-1002')).toMatch(
      /^not uploadable sales order ORD-1002: customer XXX001 is not in Sage 50, and no flow brings customers from Dynamics 365: create it in Sage 50 .*product XXXTEST01 is not in Sage 50/,
    );
    expect(await tabRows()).toHaveLength(2);
    await shot('05-scan-orders');
    await tab(/^Order items/).click();
    const lines = await cellsOf(page, 'Items');
    // The lines of the order that would be uploaded (the manual's first three).
    expect(lines).toHaveLength(3);
    for (const item of MANUAL_ORDER_ITEMS.filter((i) => i[1] === 'ORD-1001-1KWBHX'))
      expect(lines).toContainEqual(item);
    await shot('06-scan-items');
    // The Scan wrote nothing in Sage 50 (and Dynamics' orders are still ready).
    expect({ invoices: await count('INVOICE'), items: await count('INVOICE_ITEM') }).toEqual(before);
    for (const number of MANUAL_ORDERS)
      expect(crm.find('salesorders', 'ordernumber', number)?.statuscode, number).toBe(READY);

    expect(await upload.isDisabled()).toBe(false);
    await upload.click();
    // Only the uploadable order is sent.
    await uploaded(1);
    await expect
      .poll(async () => (await outcomeOf('ORD-1001-1KWBHX'))?.[1], { timeout: 15_000 })
      .toBe('created');
    expect(await outcomeOf('ORD-1002')).toBeUndefined();
    await shot('07-uploaded-orders');

    // ORD-1001-1KWBHX is a Sage 50 product invoice, every figure the manual's.
    const [head] = await q(
      `SELECT CAST(INVOICE_NUMBER AS VARCHAR(16)) AS n, ACCOUNT_REF AS a, INVOICE_TYPE AS t,
       CAST(INVOICE_NET AS VARCHAR(32)) AS net, CAST(INVOICE_TAX AS VARCHAR(32)) AS tax,
       CAST(INVOICE_GROSS AS VARCHAR(32)) AS gross FROM INVOICE WHERE CUST_ORDER_NUMBER = 'ORD-1001-1KWBHX'`,
    );
    expect(head).toMatchObject({ a: 'A1D001', t: 'Product Invoice' });
    expect([head?.net, head?.tax, head?.gross].map((v) => new Decimal(String(v)).toFixed(2))).toEqual([
      '325.60',
      '56.99',
      '382.59',
    ]);
    const ord1 = crm.find('salesorders', 'ordernumber', 'ORD-1001-1KWBHX');
    expect(ord1?.statuscode).toBe(UPLOADED);
    expect(ord1?.new_invoicenumber).toBe(String(head?.n));
    expect((await outcomeOf('ORD-1001-1KWBHX'))?.[2]).toBe(String(head?.n));
    // ORD-1002 wrote nothing and is still ready in the CRM.
    expect(await q("SELECT INVOICE_NUMBER AS n FROM INVOICE WHERE CUST_ORDER_NUMBER = 'ORD-1002'")).toEqual(
      [],
    );
    expect(crm.find('salesorders', 'ordernumber', 'ORD-1002')?.statuscode).toBe(READY);
    expect(await count('INVOICE')).toBe(before.invoices + 1);

    // Scanned again after the upload: ORD-1001-1KWBHX is no longer ready (uploaded, skipped for it).
    // ORD-1002 is still ready in the CRM and its account still missing in Sage 50: still not uploadable.
    await page.getByText('0 orders ready to upload; nothing was written.').waitFor({ timeout: 30_000 });
    await tab(/^Orders/).click();
    const orders = await tabRows();
    const ord1Row = orders.find((r) => r[0] === 'ORD-1001-1KWBHX');
    expect(ord1Row?.[1]).toBe('uploaded');
    expect(ord1Row?.at(-1)).toMatch(/^skip .*its status reason is uploaded/);
    expect(orders.find((r) => r[0] === 'ORD-1002')?.at(-1)).toMatch(/^not uploadable .*XXX001/);
    expect(await upload.isDisabled()).toBe(true);
    expect(await count('INVOICE')).toBe(before.invoices + 1);
    await shot('08-scan-again');
  }, 180_000);

  it('a viewer may Find and Scan, but both upload buttons are disabled for them', async () => {
    // A new order for A1D001 marked ready in the CRM, so the CRM view has something a viewer could upload.
    const account = crm.find('accounts', 'accountnumber', 'A1D001')!;
    const product = crm.find('products', 'productnumber', 'TAPE002')!;
    const bind = (set: string, id: unknown) => `/${set}(${String(id)})`;
    crm.create('salesorders', {
      ordernumber: 'ORD-1003',
      name: 'ORD-1003',
      statuscode: READY,
      'customerid_account@odata.bind': bind('accounts', account.accountid),
      'pricelevelid@odata.bind': bind('pricelevels', crm.seeded.priceListId),
      'transactioncurrencyid@odata.bind': bind('transactioncurrencies', crm.seeded.currencies.GBP),
      order_details: [
        {
          'productid@odata.bind': bind('products', product.productid),
          'uomid@odata.bind': bind('uoms', crm.seeded.units['Primary Unit']),
          ispriceoverridden: true,
          quantity: 5,
          priceperunit: 2.8,
          tax: 0,
          sequencenumber: 1,
        },
      ],
    });
    const before = { invoices: await count('INVOICE'), items: await count('INVOICE_ITEM') };
    const accounts = crm.rows('accounts').length;
    const products = crm.rows('products').length;
    const viewer = await browser!.newPage({ viewport: { width: 1400, height: 1000 } });
    try {
      await login(viewer, 'vera');
      await viewer.goto(`${url}/view/sage50/dynamics`);
      await viewer.getByLabel('Entity').selectOption({ label: 'Products' });
      await find(
        viewer,
        'Product code starts with',
        'V',
        'Found 1 product whose Product code starts with “V”.',
      );
      await selectRow(viewer, 'VID003').check();
      const uploadSelected = viewer.getByRole('button', { name: 'Upload selected' });
      expect(await uploadSelected.isDisabled()).toBe(true);
      expect(await uploadSelected.getAttribute('title')).toMatch(/viewer/);

      await viewer.goto(`${url}/crm-view/dynamics/sage50`);
      await viewer.getByRole('button', { name: 'Scan', exact: true }).click();
      // ORD-1003 is ready (ORD-1002 not uploadable): the button is disabled for the role.
      await viewer.getByText('1 order ready to upload; nothing was written.').waitFor({ timeout: 30_000 });
      await viewer.getByRole('tab', { name: /^Orders/ }).click();
      await viewer.getByRole('tabpanel').getByText('ORD-1003', { exact: true }).waitFor();
      const orders = await cellsOf(viewer, 'Orders');
      expect(orders.find((r) => r[0] === 'ORD-1003')?.at(-1)).toBe('upload');
      const upload = viewer.getByRole('button', { name: 'Upload', exact: true });
      expect(await upload.isDisabled()).toBe(true);
      expect(await upload.getAttribute('title')).toMatch(/viewer/);
      await shot('09-viewer', viewer);
    } finally {
      await viewer.close();
    }
    // The viewer's Find and Scan wrote nothing anywhere: ORD-1003 is still ready, and not in Sage 50.
    expect({ invoices: await count('INVOICE'), items: await count('INVOICE_ITEM') }).toEqual(before);
    expect(await q("SELECT INVOICE_NUMBER AS n FROM INVOICE WHERE CUST_ORDER_NUMBER = 'ORD-1003'")).toEqual(
      [],
    );
    expect(crm.find('salesorders', 'ordernumber', 'ORD-1003')?.statuscode).toBe(READY);
    expect([crm.rows('accounts').length, crm.rows('products').length]).toEqual([accounts, products]);
  }, 90_000);
});
