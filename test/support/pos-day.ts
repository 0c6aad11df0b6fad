import { Decimal } from 'decimal.js';
import type { AccurateSandbox } from '../../src/connectors/accurate/sandbox/index.js';
import type { IsellerSandbox } from '../../src/connectors/iseller/sandbox/index.js';
import { sandboxRegistry } from '../../src/connectors/sandboxes.js';

/** Stock per item and outlet as the day began (the iSeller sandbox's shop, before its sales). */
export const OPENING: Record<string, Record<string, number>> = {
  'KOPI-250': { KMG: 40, SNY: 25, BSD: 30, GDG: 200 },
  'TEH-100': { KMG: 50, SNY: 40, BSD: 35, GDG: 300 },
  'GULA-1KG': { KMG: 60, SNY: 45, BSD: 20, GDG: 500 },
  'MUG-01': { KMG: 12, SNY: 10, BSD: 8, GDG: 80 },
};

/** iSeller's outlet codes and Accurate's warehouses (the Accurate sandbox's warehouseMap). */
export const WAREHOUSE: Record<string, string> = {
  KMG: 'Outlet Kemang',
  SNY: 'Outlet Senayan',
  BSD: 'Outlet BSD',
  GDG: 'Gudang Utama',
};

/** The books as the shop opened on the day: the till's items, with the till's stock per outlet. */
export function openBooks(books: AccurateSandbox): void {
  books.store.insert('item', {
    no: 'MUG-01',
    name: 'Mug Keramik',
    unitPrice: 45000,
    cost: 20000,
    itemType: 'INVENTORY',
    unit1Name: 'PCS',
    suspended: false,
  });
  for (const [sku, per] of Object.entries(OPENING))
    for (const [outlet, qty] of Object.entries(per))
      books.store.moveStock(sku, WAREHOUSE[outlet]!, qty - books.store.stockOf(sku, WAREHOUSE[outlet]!));
}

/** Each system's stock of every item both carry, per outlet: "<sku>@<outlet>" → [iSeller, Accurate]. */
export function stockSides(pos: IsellerSandbox, books: AccurateSandbox): Record<string, [number, number]> {
  const out: Record<string, [number, number]> = {};
  for (const p of pos.data.products.values()) {
    if (!p.sku || !books.store.find('item', 'no', p.sku)) continue;
    for (const [code, name] of Object.entries(WAREHOUSE))
      out[`${p.sku}@${code}`] = [p.stock.get(code) ?? 0, books.store.stockOf(p.sku, name)];
  }
  return out;
}

/** Sales as each system states them, to the rupiah: paid orders less refunds; invoices less returns. */
export function salesSides(pos: IsellerSandbox, books: AccurateSandbox): [string, string] {
  let till = new Decimal(0);
  for (const o of pos.data.orders.values()) {
    if (!['paid', 'refunded', 'partially_refunded'].includes(o.payment_status) || o.status === 'void')
      continue;
    till = till.plus(o.total_amount);
    for (const r of o.refunds) till = till.minus(r.refund_amount);
  }
  let kept = new Decimal(0);
  for (const i of books.store.tables['sales-invoice'].values()) kept = kept.plus(String(i.totalAmount));
  for (const r of books.store.tables['sales-return'].values()) kept = kept.minus(String(r.totalAmount));
  return [till.toFixed(), kept.toFixed()];
}

/** The connections every iSeller ↔ Accurate test writes: the till (walk-ins booked to C-00001) and the books. */
export function posBooksConnections(pos: IsellerSandbox, books: AccurateSandbox) {
  return {
    iseller: {
      connector: 'iseller',
      settings: { ...sandboxRegistry.iseller!.settings(pos as never), walkInCustomer: 'C-00001' },
    },
    accurate: { connector: 'accurate', settings: sandboxRegistry.accurate!.settings(books as never) },
  };
}
