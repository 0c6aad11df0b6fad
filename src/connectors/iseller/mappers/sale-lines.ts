import { Decimal } from 'decimal.js';
import type { Invoice } from '../../../model/index.js';
import type { IsOrderDetail } from '../types.js';
import { cash, dec } from './amounts.js';

export type InvoiceLine = Invoice['lines'][number];

/** A line and the figures the totals are checked with. */
export interface MappedLine {
  line: InvoiceLine;
  net: Decimal;
  tax: Decimal;
  discount: Decimal;
  rate: Decimal;
}

/**
 * One order (or refund) line: quantity × base_price − discount_amount is the line before tax; with
 * `tax_inclusive` the price carries the tax, which is then taken out (PA v2 p.19–21; the detail ⚠).
 * Amounts stay as iSeller sent them: nothing is rounded here, the totals are compared to the rupiah.
 */
export function lineFrom(d: IsOrderDetail, n: number, currency: string, taxInclusive: boolean): MappedLine {
  const what = `line ${n}${d.sku ? ` (${d.sku})` : ''}`;
  const qty = dec(d.quantity, `${what}: quantity`);
  const price = dec(d.base_price, `${what}: base_price`);
  const discount = dec(d.discount_amount, `${what}: discount_amount`);
  const tax = dec(d.tax_amount, `${what}: tax_amount`);
  const rate = dec(d.tax_percentage, `${what}: tax_percentage`);
  const gross = qty.times(price).minus(discount);
  const net = taxInclusive ? gross.minus(tax) : gross;
  const line: InvoiceLine = {
    lineNumber: n,
    ...(d.sku ? { sku: d.sku } : {}),
    ...(d.product_name ? { description: d.product_name } : {}),
    quantity: qty.toFixed(),
    ...(d.unit_of_measurement ? { unit: d.unit_of_measurement } : {}),
    unitPrice: cash(price, currency),
    ...(rate.isZero() ? {} : { taxCode: taxCodeOf(rate) }),
    tax: cash(tax, currency),
    total: cash(net, currency),
    ...(discount.isZero() ? {} : { discount: cash(discount, currency) }),
  };
  return { line, net, tax, discount, rate };
}

/** The tax code a value map turns into the target's: the rate, as iSeller names no tax codes (⚠). */
export const taxCodeOf = (rate: Decimal): string => `${rate.toFixed()}%`;

/** The taxes of the lines, one per rate: what it was charged on and how much, as iSeller computed it. */
export function taxLinesOf(lines: readonly MappedLine[], currency: string): Invoice['taxLines'] {
  const byRate = new Map<string, { rate: Decimal; taxable: Decimal; tax: Decimal }>();
  for (const l of lines) {
    if (l.rate.isZero()) continue;
    const k = l.rate.toFixed();
    const t = byRate.get(k) ?? { rate: l.rate, taxable: new Decimal(0), tax: new Decimal(0) };
    t.taxable = t.taxable.plus(l.net);
    t.tax = t.tax.plus(l.tax);
    byRate.set(k, t);
  }
  return [...byRate.values()].map((t) => ({
    code: taxCodeOf(t.rate),
    rate: t.rate.toFixed(),
    taxable: cash(t.taxable, currency),
    tax: cash(t.tax, currency),
  }));
}
