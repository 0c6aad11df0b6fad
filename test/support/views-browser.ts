import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';

/**
 * What the browser tests of the SYNC Uploader's two views (the accounting view and the CRM view) do
 * with a page, whichever systems are behind them: log in, Find, read a table, select a found row,
 * wait for a run's progress bar, read the Scan's tabs, keep a screenshot of each step.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'dashboard');

export const launchChromium = (): Promise<Browser> =>
  chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });

/** Logs `username` in on the dashboard at `url` and waits until the dashboard shows them logged in. */
export async function logIn(p: Page, url: string, username: string, password: string): Promise<void> {
  await p.goto(`${url}/login`);
  await p.getByLabel('Username').fill(username);
  await p.getByLabel('Password').fill(password);
  await p.getByRole('button', { name: 'Log in' }).click();
  await p.getByRole('button', { name: 'Log out' }).waitFor();
}

/**
 * The Dynamics sandbox's ready orders of the manual (ORD-1001-1KWBHX, ORD-1002) as the Scan's "Order
 * items" tab shows them: account, order, product, description, unit price, units, quantity, discount.
 */
export const MANUAL_ORDER_ITEMS = [
  [
    'A1D001',
    'ORD-1001-1KWBHX',
    'VID003',
    '32mb PCI Video Card',
    '55.00 GBP',
    'Primary Unit',
    '3',
    expect.any(String),
  ],
  [
    'A1D001',
    'ORD-1001-1KWBHX',
    'TAPE002',
    'Adhesive Tape - Brown (50mm x 66m)',
    '2.80 GBP',
    'Primary Unit',
    '22',
    expect.any(String),
  ],
  [
    'A1D001',
    'ORD-1001-1KWBHX',
    'write-in',
    'test Product',
    '33.00 GBP',
    expect.any(String),
    '3',
    expect.any(String),
  ],
  ['XXX001', 'ORD-1002', 'XXXTEST01', 'Test Product', '299.00 GBP', '25 Pack', '2', expect.any(String)],
];

export function viewsPage(o: {
  /** The page the helpers act on unless given another (a test may swap it for a viewer's). */
  page: () => Page;
  url: () => string;
  password: string;
  /** Screenshots are named `views-<prefix>-<step>.png`. */
  prefix: string;
}) {
  /**
   * The cells of a table's body rows, as text, once its rows are in: a grid says how many records it
   * found before their page arrives, showing "Loading…" in their place meanwhile.
   */
  const cellsOf = async (p: Page, table: string) => {
    const grid = p.getByRole('table', { name: table });
    await expect
      .poll(() => grid.locator('td.empty-row', { hasText: 'Loading…' }).count(), { timeout: 30_000 })
      .toBe(0);
    return Promise.all(
      (await grid.locator('tbody tr').all()).map(async (r) =>
        (await r.locator('td').allTextContents()).map((t) => t.trim()),
      ),
    );
  };
  /** The shown Scan tab's rows, as the text of their cells. */
  const tabRows = async () =>
    Promise.all(
      (await o.page().getByRole('tabpanel').locator('tbody tr').all()).map(async (r) =>
        (await r.locator('td').allTextContents()).map((t) => t.trim()),
      ),
    );
  /**
   * The main menu offers exactly these views, as [title, address], the first two checked by role
   * (titled from the connectors); nothing else links to a view.
   */
  const menuViews = async (views: ReadonlyArray<readonly [string, string]>) => {
    const p = o.page();
    await p.goto(o.url());
    const menu = p.getByRole('navigation', { name: 'Main' });
    for (const [title, href] of views) {
      const link = menu.getByRole('link', { name: title, exact: true });
      await link.waitFor();
      expect(await link.getAttribute('href')).toBe(href);
    }
    const shown = await menu
      .locator('a[href^="/view/"], a[href^="/crm-view/"]')
      .evaluateAll((links) => links.map((a) => [a.textContent, a.getAttribute('href')]));
    expect(shown).toEqual(views.map(([t, h]) => [t, h]));
  };
  return {
    cellsOf,
    tabRows,
    menuViews,
    shot: (name: string, p: Page = o.page()) =>
      p.screenshot({ path: join(ARTIFACTS, `views-${o.prefix}-${name}.png`), fullPage: true }),
    login: (p: Page, username: string) => logIn(p, o.url(), username, o.password),
    /** Waits for the progress bar of a new run to reach its end with `count` records. */
    uploaded: (count: number, timeout = 60_000) =>
      expect
        .poll(
          async () => {
            const bar = o.page().getByRole('progressbar');
            if (!(await bar.count())) return false;
            const now = Number(await bar.getAttribute('aria-valuenow'));
            const max = Number(await bar.getAttribute('aria-valuemax'));
            return max === count && now === max;
          },
          { timeout, interval: 200 },
        )
        .toBe(true),
    /** A found row's checkbox, by the reference the person reads in the row (not the row's id). */
    selectRow: (p: Page, reference: string) =>
      p
        .getByRole('table', { name: 'Found records' })
        .locator('tbody tr')
        .filter({ has: p.getByText(reference, { exact: true }) })
        .getByRole('checkbox'),
    /** The outcome row of a record, by its source id in the first cell. */
    outcomeOf: async (sourceId: string) =>
      (await cellsOf(o.page(), 'Outcome of each record')).find((c) => c[0] === sourceId),
    /** The Scan's row whose cells include the id, and what uploading would do to it (the last cell). */
    planOf: async (id: string) => (await tabRows()).find((r) => r.includes(id))?.at(-1),
  };
}
