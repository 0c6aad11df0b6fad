import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../src/server/auth/accounts.js';
import { type OrderEnvironment, startOrderEnvironment } from '../support/order-environment.js';
import { logIn } from '../support/views-browser.js';

/**
 * The SYNC Uploader's two views (seed 004 §6 and §7) in Debian's Chromium, over a running service
 * with the Acumatica and Magento sandboxes (Acumatica plays the accounting system): pick an entity,
 * type a few letters, Find shows only the records whose reference starts with them, two selected
 * are uploaded with the run's progress and each one's outcome; the order view's Scan lists the
 * customers, products, orders and lines the waiting orders need before anything is written, and
 * Upload lands them. No schedules and no webhooks: only what the screens do reaches the systems.
 * Each step leaves a screenshot in test-artifacts/dashboard/.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'dashboard');
const PASSWORD = 'views-test-password-1';

describe('the accounting view and the order view in a real browser', () => {
  let env: OrderEnvironment;
  let browser: Browser | undefined;
  let page: Page;
  let url: string;

  const shot = (name: string, p: Page = page) =>
    p.screenshot({ path: join(ARTIFACTS, `views-${name}.png`), fullPage: true });
  const login = (p: Page, username: string) => logIn(p, url, username, PASSWORD);
  /** Waits for the progress bar of a new run to reach its end with `count` records. */
  const uploaded = async (count: number) =>
    expect
      .poll(
        async () => {
          const bar = page.getByRole('progressbar');
          if (!(await bar.count())) return false;
          const now = Number(await bar.getAttribute('aria-valuenow'));
          const max = Number(await bar.getAttribute('aria-valuemax'));
          return max === count && now === max;
        },
        { timeout: 30_000, interval: 200 },
      )
      .toBe(true);
  /** Writes the Acumatica sandbox has answered (every call but reads and logins). */
  const acumaticaWrites = () =>
    env.acumatica.kit.calls.filter((c) => c.method !== 'GET' && !/\/auth\//.test(c.path)).length;
  const ids = async (table: string) =>
    (
      await page.getByRole('table', { name: table }).locator('tbody tr td:nth-child(2)').allTextContents()
    ).map((t) => t.trim());

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium)`);
    mkdirSync(ARTIFACTS, { recursive: true });
    env = await startOrderEnvironment({
      customers: 30,
      products: 10,
      magentoCustomers: 3,
      magentoProducts: 2,
      patch: { webhooks: false },
    });
    url = env.svc.url;
    for (const [username, role] of [
      ['ada', 'admin'],
      ['vera', 'viewer'],
    ] as const)
      await createUser(env.ctx.store, { username, role, password: PASSWORD, mustChangePassword: false });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await login(page, 'ada');
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => {});
    await env?.close();
  }, 60_000);

  it('the menu offers both views, titled from the connectors: Acumatica View and Magento View', async () => {
    await page.goto(url);
    const menu = page.getByRole('navigation', { name: 'Main' });
    await menu.getByRole('link', { name: 'Acumatica View' }).waitFor();
    expect(await menu.getByRole('link', { name: 'Acumatica View' }).getAttribute('href')).toBe(
      '/view/acumatica/magento',
    );
    expect(await menu.getByRole('link', { name: 'Magento View' }).getAttribute('href')).toBe(
      '/crm-view/magento/acumatica',
    );
  }, 60_000);

  it('customers: a few letters and Find show only those whose Customer ID starts with them; two selected are uploaded', async () => {
    await page.goto(`${url}/view/acumatica/magento`);
    await page.getByRole('heading', { level: 1, name: 'Acumatica View' }).waitFor();
    expect(await page.getByLabel('Entity').locator('option').allTextContents()).toEqual([
      'Customers',
      'Products',
      'Invoices',
    ]);
    await page.getByLabel('Customer ID starts with').fill('c00001');
    await page.getByRole('button', { name: 'Find', exact: true }).click();
    await page.getByText('Found 10 customers whose Customer ID starts with “c00001”.').waitFor();
    const found = await ids('Found records');
    expect(found).toEqual(Array.from({ length: 10 }, (_, i) => `C0000${10 + i}`));
    await shot('01-found-customers');

    const before = env.magento.customers.size;
    const picked = ['C000011', 'C000012'];
    for (const id of picked) await page.getByRole('checkbox', { name: `Select ${id}` }).check();
    await page.getByRole('button', { name: 'Upload selected' }).click();
    await uploaded(2);
    const outcome = page.getByRole('table', { name: 'Outcome of each record' });
    for (const id of picked)
      await expect
        .poll(async () => outcome.getByRole('row').filter({ hasText: id }).textContent(), { timeout: 10_000 })
        .toMatch(/created/i);
    await shot('02-uploaded-customers');
    // Both are in Magento now, and only they.
    expect(env.magento.customers.size).toBe(before + 2);
    const emails = new Set([...env.magento.customers.values()].map((c) => c.email.toLowerCase()));
    for (const id of picked) {
      const email = String(env.acumatica.customers.get(id)?.MainContact?.Email?.value ?? '');
      expect(emails.has(email.toLowerCase()), `${id} (${email}) in Magento`).toBe(true);
    }
  }, 90_000);

  it('products and invoices are searched by their own references', async () => {
    await page.goto(`${url}/view/acumatica/magento`);
    await page.getByLabel('Entity').selectOption({ label: 'Products' });
    await page.getByLabel('Inventory ID starts with').fill('ITEM0000');
    await page.getByRole('button', { name: 'Find', exact: true }).click();
    await page.getByText(/^Found \d+ products whose Inventory ID starts with/).waitFor();
    const skus = await ids('Found records');
    expect(skus.length).toBe([...env.acumatica.items.keys()].filter((k) => k.startsWith('ITEM0000')).length);
    expect(skus.every((s) => s.startsWith('ITEM0000'))).toBe(true);

    await page.getByLabel('Entity').selectOption({ label: 'Invoices' });
    await page.getByLabel('Customer starts with').fill('NOBODY');
    await page.getByRole('button', { name: 'Find', exact: true }).click();
    await page.getByText('No invoices found.').waitFor();
    await shot('03-products-and-invoices');
  }, 60_000);

  it('the order view: Scan lists customers, products, orders and lines before anything is written; Upload lands them', async () => {
    const [c1, c2] = [...env.magento.customers.keys()];
    const skus = [...env.magento.products.keys()].filter((s) => !env.acumatica.items.has(s));
    expect(skus.length).toBe(2);
    const o1 = env.magento.placeOrder({
      customerId: c1!,
      lines: [
        { sku: skus[0]!, qty: 3 },
        { sku: skus[1]!, qty: 22 },
      ],
    });
    const o2 = env.magento.placeOrder({ customerId: c2!, lines: [{ sku: skus[1]!, qty: 2 }] });
    const writes = acumaticaWrites();
    const [customers, items, orders] = [
      env.acumatica.customers.size,
      env.acumatica.items.size,
      env.acumatica.orders.size,
    ];

    await page.goto(`${url}/crm-view/magento/acumatica`);
    await page.getByRole('heading', { level: 1, name: 'Magento View' }).waitFor();
    expect(await page.getByRole('button', { name: 'Upload', exact: true }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Scan', exact: true }).click();
    await page.getByText(/2 orders ready to upload; nothing was written\./).waitFor();
    const tab = (name: RegExp) => page.getByRole('tab', { name });
    expect(await page.getByRole('tab').allTextContents()).toEqual([
      'Customers (2)',
      'Products (2)',
      'Orders (2)',
      'Order items (3)',
    ]);
    const panel = page.getByRole('tabpanel');
    /** The shown tab's rows, as the text of their cells. */
    const tabRows = async () =>
      Promise.all(
        (await panel.locator('tbody tr').all()).map(async (r) =>
          (await r.locator('td').allTextContents()).map((t) => t.trim()),
        ),
      );
    /** The row whose cells include the id, and what uploading would do to it (the last cell). */
    const planOf = async (id: string) => (await tabRows()).find((r) => r.includes(id))?.at(-1);
    for (const id of [c1, c2]) expect(await planOf(String(id)), `customer ${id}`).toBe('create');
    expect(await tabRows()).toHaveLength(2);
    await shot('04-scan-customers');
    await tab(/^Products/).click();
    for (const sku of skus) expect(await planOf(sku), sku).toBe('create');
    await tab(/^Orders/).click();
    for (const o of [o1, o2])
      expect(await planOf(String(o.increment_id)), `order ${o.increment_id}`).toMatch(/^upload/);
    await tab(/^Order items/).click();
    const lines = panel.getByRole('table', { name: 'Items' }).getByRole('row');
    expect(await lines.count()).toBe(4);
    const cells = await Promise.all(
      (await lines.all())
        .slice(1)
        .map(async (r) => (await r.locator('td').allTextContents()).map((t) => t.trim())),
    );
    // Account, order, product, description, unit price, units, quantity, discount: as the manual's grid.
    const m1 = env.magento.products.get(skus[1]!)!;
    expect(cells).toContainEqual([
      String(c1),
      String(o1.entity_id),
      skus[1],
      m1.name,
      expect.stringMatching(new RegExp(`${Number(m1.price).toFixed(2)}`)),
      expect.any(String),
      '22',
      expect.any(String),
    ]);
    expect(cells.filter((c) => c[1] === String(o2.entity_id))).toHaveLength(1);
    await shot('05-scan-items');
    // Nothing was written in Acumatica by the Scan.
    expect(acumaticaWrites()).toBe(writes);
    expect([env.acumatica.customers.size, env.acumatica.items.size, env.acumatica.orders.size]).toEqual([
      customers,
      items,
      orders,
    ]);

    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    await uploaded(2);
    const outcome = page.getByRole('table', { name: 'Outcome of each record' });
    for (const o of [o1, o2])
      await expect
        .poll(
          async () =>
            outcome
              .getByRole('row')
              .filter({ hasText: String(o.entity_id) })
              .textContent(),
          {
            timeout: 10_000,
          },
        )
        .toMatch(/created/i);
    // The customers and products went first, then the orders.
    expect([env.acumatica.customers.size, env.acumatica.items.size, env.acumatica.orders.size]).toEqual([
      customers + 2,
      items + 2,
      orders + 2,
    ]);
    // Scanned again after the upload: nothing is waiting any more.
    await page.getByText(/0 orders ready to upload/).waitFor({ timeout: 15_000 });
    await shot('06-uploaded-orders');
  }, 120_000);

  it('a viewer may Find and Scan, but not upload', async () => {
    const viewer = await browser!.newPage({ viewport: { width: 1400, height: 1000 } });
    const p = page;
    page = viewer;
    try {
      await login(viewer, 'vera');
      await viewer.goto(`${url}/view/acumatica/magento`);
      await viewer.getByLabel('Customer ID starts with').fill('C00002');
      await viewer.getByRole('button', { name: 'Find', exact: true }).click();
      await viewer.getByRole('checkbox', { name: 'Select C000021' }).check();
      const upload = viewer.getByRole('button', { name: 'Upload selected' });
      expect(await upload.isDisabled()).toBe(true);
      expect(await upload.getAttribute('title')).toMatch(/viewer/);
      await viewer.goto(`${url}/crm-view/magento/acumatica`);
      await viewer.getByRole('button', { name: 'Scan', exact: true }).click();
      await viewer.getByRole('tab', { name: /^Orders/ }).waitFor();
      expect(await viewer.getByRole('button', { name: 'Upload', exact: true }).isDisabled()).toBe(true);
      await shot('07-viewer', viewer);
    } finally {
      page = p;
      await viewer.close();
    }
  }, 60_000);
});
