import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type DynamicsSandbox, startDynamicsSandbox } from '../../src/connectors/dynamics/sandbox/index.js';
import {
  type QuickBooksSandbox,
  startQuickBooksSandbox,
} from '../../src/connectors/quickbooks/sandbox/index.js';
import type { SavedChange } from '../../src/connectors/quickbooks/sandbox/store.js';
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
 * manual was written for: QuickBooks Online plays the accounts, Dynamics 365 the CRM, both sandboxes
 * over loopback with the manual's own records. The accounting view finds QuickBooks customers and
 * products by the start of their reference and uploads a selection into Dynamics; the CRM view's Scan
 * lists what the manual's two ready orders need before anything is written in QuickBooks, and Upload
 * makes them QuickBooks invoices and marks them uploaded. No schedules and no webhooks: only what the
 * screens do reaches the systems. Each step leaves a screenshot in test-artifacts/dashboard/.
 */
const PASSWORD = 'views-qb-test-password-1';
/** The status reasons the Dynamics connection reads as "ready" and writes as "uploaded" (its defaults). */
const READY = 200000;
const UPLOADED = 200001;
const MANUAL_ORDERS = ['ORD-1001-1KWBHX', 'ORD-1002'] as const;
const FLOWS = [
  'quickbooks-dynamics.customers',
  'quickbooks-dynamics.products',
  'quickbooks-dynamics.invoices',
  'dynamics-quickbooks.customers',
  'dynamics-quickbooks.products',
  'dynamics-quickbooks.orders',
] as const;

type Row = Record<string, unknown>;

describe('the accounting view and the CRM view between QuickBooks Online and Dynamics 365 in a real browser', () => {
  let qbo: QuickBooksSandbox;
  let crm: DynamicsSandbox;
  let db: TestDatabase;
  let ctx: Context;
  let svc: Service;
  let browser: Browser | undefined;
  let page: Page;
  let url: string;
  /** Every record QuickBooks saved (created or changed), whoever asked. */
  const qboSaves: SavedChange[] = [];

  const { shot, login, uploaded, cellsOf, selectRow, outcomeOf, planOf, tabRows, menuViews } = viewsPage({
    page: () => page,
    url: () => url,
    password: PASSWORD,
    prefix: 'qb',
  });
  const qboRows = (entity: 'Customer' | 'Item' | 'Invoice'): Row[] =>
    [...qbo.store.tables[entity].values()] as Row[];
  const qboCustomer = (name: string) => qboRows('Customer').find((c) => c.DisplayName === name);

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
    mkdirSync(ARTIFACTS, { recursive: true });
    // The manual's records, and twelve generated customers and products (CUST0001…, ITEM0001…).
    qbo = await startQuickBooksSandbox({ customers: 12, products: 12, conformance: true });
    crm = await startDynamicsSandbox({});
    const saved = qbo.store.onSave;
    qbo.store.onSave = (c) => {
      qboSaves.push(c);
      saved?.(c);
    };
    db = await createTestDatabase('sqlite');
    const dir = mkdtempSync(join(tmpdir(), 'ledgerlink-views-qb-'));
    const configPath = join(dir, 'ledgerlink.yaml');
    const fast = { retryBaseSeconds: 0.05, retryCapSeconds: 0.5, schedule: null };
    writeFileSync(
      configPath,
      stringify({
        database: db.url,
        server: { host: '127.0.0.1', port: 0 },
        connections: {
          quickbooks: {
            connector: 'quickbooks',
            settings: { ...qbo.settings(), timeoutMs: 5000, throttleWaitSeconds: 0 },
          },
          dynamics: {
            connector: 'dynamics',
            // QuickBooks' references are full names: the account number column is widened for them.
            settings: {
              ...sandboxRegistry.dynamics!.settings(crm),
              timeoutMs: 5000,
              accountNumberLength: 100,
            },
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
    await Promise.all([qbo?.close(), crm?.close()]);
    await db?.drop();
    // Nothing Ledgerlink sent QuickBooks departs from its published data model.
    expect(qbo?.kit.violations ?? []).toEqual([]);
  }, 60_000);

  it('the menu offers both views, titled from the connectors: QuickBooks Online View and Dynamics 365 View', async () => {
    // Those two and no other: Dynamics' records can be searched too, but it is the CRM, with one view.
    await menuViews([
      ['QuickBooks Online View', '/view/quickbooks/dynamics'],
      ['Dynamics 365 View', '/crm-view/dynamics/quickbooks'],
    ]);
    await shot('00-menu');
  }, 60_000);

  it('customers: a few letters and Find show only those whose Customer starts with them; two selected are created as Dynamics accounts', async () => {
    await page.goto(`${url}/view/quickbooks/dynamics`);
    await page.getByRole('heading', { level: 1, name: 'QuickBooks Online View' }).waitFor();
    expect(await page.getByLabel('Entity').locator('option').allTextContents()).toEqual([
      'Customers',
      'Products',
      'Invoices',
    ]);
    // The manual's two customers: A1D001 and ABS001 are the only references starting with "a".
    await page.getByLabel('Customer starts with').fill('a');
    await page.getByRole('button', { name: 'Find', exact: true }).click();
    await page.getByText('Found 2 customers whose Customer starts with “a”.').waitFor();
    const manual = await cellsOf(page, 'Found records');
    expect(manual.map((c) => c.slice(1, 4))).toEqual([
      [qboCustomer('A1D001')!.Id, 'A1D001', 'A1 Design'],
      [qboCustomer('ABS001')!.Id, 'ABS001', 'ABS Garag'],
    ]);

    await page.getByLabel('Customer starts with').fill('CUST001');
    await page.getByRole('button', { name: 'Find', exact: true }).click();
    await page.getByText('Found 3 customers whose Customer starts with “CUST001”.').waitFor();
    const found = await cellsOf(page, 'Found records');
    expect(found.map((c) => c[2])).toEqual(['CUST0010', 'CUST0011', 'CUST0012']);
    await shot('01-found-customers');

    const picked = ['CUST0011', 'CUST0012'];
    for (const name of picked) expect(crm.find('accounts', 'accountnumber', name), name).toBeUndefined();
    const accounts = crm.rows('accounts').length;
    for (const name of picked) await selectRow(page, name).check();
    await page.getByRole('button', { name: 'Upload selected' }).click();
    await uploaded(2);
    for (const name of picked) {
      const id = String(qboCustomer(name)!.Id);
      await expect
        .poll(async () => (await outcomeOf(id))?.[1], { timeout: 15_000, message: name })
        .toBe('created');
    }
    await shot('02-uploaded-customers');
    // Both are Dynamics accounts now, of the customer relationship type, and only they were made.
    for (const name of picked) {
      const account = crm.find('accounts', 'accountnumber', name);
      expect(account, name).toBeDefined();
      expect(account?.customertypecode).toBe(3);
      expect(account?.name).toBe(qboCustomer(name)!.CompanyName);
    }
    expect(crm.find('accounts', 'accountnumber', 'CUST0010')).toBeUndefined();
    expect(crm.rows('accounts').length).toBe(accounts + 2);
  }, 120_000);

  it('products are searched by their Product/Service and invoices by their customer', async () => {
    await page.goto(`${url}/view/quickbooks/dynamics`);
    await page.getByLabel('Entity').selectOption({ label: 'Products' });
    await page.getByLabel('Product/Service starts with').fill('ITEM000');
    await page.getByRole('button', { name: 'Find', exact: true }).click();
    await page.getByText('Found 9 products whose Product/Service starts with “ITEM000”.').waitFor();
    const skus = (await cellsOf(page, 'Found records')).map((c) => c[1]);
    expect(skus).toEqual(Array.from({ length: 9 }, (_, i) => `ITEM000${i + 1}`));

    await page.getByLabel('Product/Service starts with').fill('xxx');
    await page.getByRole('button', { name: 'Find', exact: true }).click();
    await page.getByText('Found 1 product whose Product/Service starts with “xxx”.').waitFor();
    expect((await cellsOf(page, 'Found records')).map((c) => c.slice(1, 3))).toEqual([
      ['XXXTEST01', 'Test product sold in a 25 Pack'],
    ]);
    await shot('03-found-products');

    await page.getByLabel('Entity').selectOption({ label: 'Invoices' });
    await page.getByLabel('Customer starts with').fill('A1D');
    await page.getByRole('button', { name: 'Find', exact: true }).click();
    await page.getByText('Found 1 invoice whose Customer starts with “A1D”.').waitFor();
    const a1 = qboCustomer('A1D001')!;
    const invoice = qboRows('Invoice').find((i) => (i.CustomerRef as Row).value === a1.Id)!;
    // The search finds A1D001's invoice, and only it; its Customer column shows the customer as
    // QuickBooks shows it (the name searched by), not QuickBooks' internal customer Id.
    expect((await cellsOf(page, 'Found records')).map((c) => c[1])).toEqual([invoice.DocNumber]);
    const header = await page
      .getByRole('table', { name: 'Found records' })
      .locator('thead th')
      .allTextContents();
    const customerColumn = header.map((h) => h.trim()).findIndex((h) => /^Customer/.test(h));
    expect(customerColumn).toBeGreaterThan(0);
    expect((await cellsOf(page, 'Found records'))[0]?.[customerColumn]).toBe('A1D001');
    await page.getByLabel('Customer starts with').fill('NOBODY');
    await page.getByRole('button', { name: 'Find', exact: true }).click();
    await page.getByText('No invoices found.').waitFor();
    await shot('04-products-and-invoices');
  }, 90_000);

  it('the CRM view: Scan lists the customers, products, orders and lines the ready orders need, writing nothing in QuickBooks; Upload makes them invoices and marks them uploaded', async () => {
    for (const number of MANUAL_ORDERS)
      expect(crm.find('salesorders', 'ordernumber', number)?.statuscode, number).toBe(READY);
    const writes = qbo.kit.writeCalls().length;
    const saves = qboSaves.length;
    const invoices = qboRows('Invoice').length;
    const customers = qboRows('Customer').length;
    expect(qboCustomer('XXX001')).toBeUndefined();

    await page.goto(`${url}/crm-view/dynamics/quickbooks`);
    await page.getByRole('heading', { level: 1, name: 'Dynamics 365 View' }).waitFor();
    const upload = page.getByRole('button', { name: 'Upload', exact: true });
    expect(await upload.isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Scan', exact: true }).click();
    await page.getByText('2 orders ready to upload; nothing was written.').waitFor({ timeout: 30_000 });
    expect(await page.getByRole('tab').allTextContents()).toEqual([
      'Customers (2)',
      'Products (3)',
      'Orders (2)',
      'Order items (4)',
    ]);
    const tab = (name: RegExp) => page.getByRole('tab', { name });
    /** The shown tab's rows, as the text of their cells. */
    // A1D001 is in both systems; XXX001 (ORD-1002's account) is in the CRM only.
    expect(await planOf('A1D001')).toBe('already there');
    expect(await planOf('XXX001')).toBe('create');
    expect(await tabRows()).toHaveLength(2);
    await shot('05-scan-customers');
    await tab(/^Products/).click();
    for (const sku of ['VID003', 'TAPE002', 'XXXTEST01'])
      expect(await planOf(sku), sku).toBe('already there');
    expect(await tabRows()).toHaveLength(3);
    await tab(/^Orders/).click();
    for (const number of MANUAL_ORDERS) expect(await planOf(number), number).toMatch(/^upload/);
    expect(await tabRows()).toHaveLength(2);
    await shot('06-scan-orders');
    await tab(/^Order items/).click();
    const lines = await cellsOf(page, 'Items');
    // Account, order, product, description, unit price, units, quantity, discount: as the manual's grid.
    expect(lines).toHaveLength(4);
    for (const item of MANUAL_ORDER_ITEMS) expect(lines).toContainEqual(item);
    await shot('07-scan-items');
    // The Scan wrote nothing in QuickBooks (and Dynamics' orders are still ready).
    expect(qbo.kit.writeCalls().length).toBe(writes);
    expect(qboSaves.length).toBe(saves);
    expect([qboRows('Invoice').length, qboRows('Customer').length]).toEqual([invoices, customers]);
    for (const number of MANUAL_ORDERS)
      expect(crm.find('salesorders', 'ordernumber', number)?.statuscode, number).toBe(READY);

    expect(await upload.isDisabled()).toBe(false);
    await upload.click();
    await uploaded(2);
    for (const number of MANUAL_ORDERS)
      await expect
        .poll(async () => (await outcomeOf(number))?.[1], { timeout: 15_000, message: number })
        .toBe('created');
    // Each order is a QuickBooks invoice now, noting the order; the order is "uploaded" with its number.
    for (const number of MANUAL_ORDERS) {
      const order = crm.find('salesorders', 'ordernumber', number);
      expect(order?.statuscode, number).toBe(UPLOADED);
      const invoice = qboRows('Invoice').find((i) => i.DocNumber === order?.new_invoicenumber);
      expect(invoice, `${number}'s invoice ${order?.new_invoicenumber}`).toBeDefined();
      expect(String(invoice?.PrivateNote)).toContain(number);
      expect((await outcomeOf(number))?.[2], number).toBe(order?.new_invoicenumber);
    }
    expect(qboRows('Invoice').length).toBe(invoices + 2);
    // ORD-1002's account went first: XXX001 is a QuickBooks customer, and its invoice is for it.
    const xxx = qboCustomer('XXX001');
    expect(xxx).toBeDefined();
    const ord2 = crm.find('salesorders', 'ordernumber', 'ORD-1002');
    const inv2 = qboRows('Invoice').find((i) => i.DocNumber === ord2?.new_invoicenumber);
    expect((inv2?.CustomerRef as Row | undefined)?.value).toBe(xxx?.Id);
    // Scanned again after the upload: nothing is waiting any more.
    await page.getByText('0 orders ready to upload; nothing was written.').waitFor({ timeout: 30_000 });
    // The orders are still listed, with the status reason Dynamics has now, and skipped for it.
    await tab(/^Orders/).click();
    for (const number of MANUAL_ORDERS) {
      const row = (await tabRows()).find((r) => r[0] === number);
      expect(row?.[1], number).toBe('uploaded');
      expect(row?.at(-1), number).toMatch(/^skip .*its status reason is uploaded/);
    }
    expect(await upload.isDisabled()).toBe(true);
    await shot('08-uploaded-orders');
  }, 180_000);

  it('a viewer may Find and Scan, but both upload buttons are disabled for them', async () => {
    // A new order marked ready in the CRM, so the CRM view has something a viewer could upload.
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
    const saves = qboSaves.length;
    const viewer = await browser!.newPage({ viewport: { width: 1400, height: 1000 } });
    try {
      await login(viewer, 'vera');
      await viewer.goto(`${url}/view/quickbooks/dynamics`);
      await viewer.getByLabel('Customer starts with').fill('CUST000');
      await viewer.getByRole('button', { name: 'Find', exact: true }).click();
      await viewer.getByText('Found 9 customers whose Customer starts with “CUST000”.').waitFor();
      await selectRow(viewer, 'CUST0005').check();
      const uploadSelected = viewer.getByRole('button', { name: 'Upload selected' });
      expect(await uploadSelected.isDisabled()).toBe(true);
      expect(await uploadSelected.getAttribute('title')).toMatch(/viewer/);

      await viewer.goto(`${url}/crm-view/dynamics/quickbooks`);
      await viewer.getByRole('button', { name: 'Scan', exact: true }).click();
      // Something is ready: the button is disabled for the role, not for want of orders.
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
    // The viewer's Find and Scan wrote nothing anywhere: ORD-1003 is still ready, and not in QuickBooks.
    expect(qboSaves.length).toBe(saves);
    expect(crm.find('salesorders', 'ordernumber', 'ORD-1003')?.statuscode).toBe(READY);
    expect(crm.find('accounts', 'accountnumber', 'CUST0005')).toBeUndefined();
  }, 90_000);
});
