import type { StockCount, StockTransfer } from '../../../model/index.js';
import { rejected } from '../../sdk/errors.js';
import type { IsAdjustment, IsTransfer } from '../types.js';
import { dec } from './amounts.js';
import { dateOf, fromLocal } from './time.js';

/** The seed's reason for a line iSeller cannot identify (seed 002, webhook log example). */
export const NO_SKU = 'the product does not have an SKU';

const skuOf = (doc: string, n: number, sku: string | null | undefined): string => {
  const s = sku?.trim();
  if (!s) throw rejected('missing_field', `${doc} line ${n}: ${NO_SKU}`);
  return s;
};

/**
 * A transfer as iSeller records it: the out of one outlet (to an outlet or a warehouse, or back to a
 * supplier: `vendor:`), and the in that receives it, which names its out (out_reference). Each is its
 * own record, out first, so a transfer-in waits for its transfer-out (issue 17).
 */
export function transferFrom(t: IsTransfer, timeZone: number): StockTransfer {
  const doc = `transfer ${t.reference}`;
  const from = t.from_outlet_code?.trim();
  const to = t.out_type === 'return_supplier' ? 'vendor:' : t.to_outlet_code?.trim();
  if (!from) throw rejected('missing_field', `${doc}: it names no outlet it leaves (from_outlet_code)`);
  if (!to) throw rejected('missing_field', `${doc}: it names no outlet it goes to (to_outlet_code)`);
  if (!t.items.length) throw rejected('missing_field', `${doc} has no items`);
  const occurredAt = fromLocal(t.transfer_date, timeZone);
  return {
    number: t.reference,
    date: dateOf(occurredAt),
    fromWarehouse: from,
    toWarehouse: to,
    status: `${t.type}:${t.status}`,
    lines: t.items.map((i, n) => ({
      sku: skuOf(doc, n + 1, i.sku),
      quantity: dec(i.quantity, `${doc} line ${n + 1}: quantity`).toFixed(),
      unit: i.unit_of_measurement || 'PCS',
    })),
    occurredAt,
    ...(t.type === 'in' && t.out_reference ? { outNumber: t.out_reference } : {}),
    updatedAt: fromLocal(t.modified_date ?? t.transfer_date, timeZone),
  };
}

/**
 * A stock take (opname) or adjustment: the counted quantity (actual_stock) replaces the book
 * (system_stock). A negative count is iSeller's to refuse; here it is a failed record with its line.
 */
export function stockCountFrom(a: IsAdjustment, timeZone: number): StockCount {
  const doc = `stock take ${a.reference}`;
  const outlet = a.outlet_code?.trim();
  if (!outlet) throw rejected('missing_field', `${doc}: it names no outlet (outlet_code)`);
  if (!a.items.length) throw rejected('missing_field', `${doc} has no items`);
  const occurredAt = fromLocal(a.adjustment_date, timeZone);
  return {
    number: a.reference,
    date: dateOf(occurredAt),
    warehouse: outlet,
    status: `${a.action}:${a.status}`,
    lines: a.items.map((i, n) => {
      const counted = dec(i.actual_stock, `${doc} line ${n + 1}: actual_stock`);
      if (counted.isNegative())
        throw rejected(
          'invalid_data',
          `${doc} line ${n + 1} (${i.sku ?? 'no SKU'}): a count of ${counted.toFixed()} is negative`,
        );
      return {
        sku: skuOf(doc, n + 1, i.sku),
        quantity: counted.toFixed(),
        unit: i.unit_of_measurement || 'PCS',
        ...(i.system_stock !== undefined ? { bookQuantity: dec(i.system_stock).toFixed() } : {}),
      };
    }),
    occurredAt,
    updatedAt: fromLocal(a.modified_date ?? a.adjustment_date, timeZone),
  };
}
