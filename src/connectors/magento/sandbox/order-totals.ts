import { Decimal } from 'decimal.js';
import { roundMoney } from '../../../model/index.js';

/** A cart line as the shopper leaves it: quantity, unit price, the discount on the row, the tax rate. */
export interface CartLine {
  qty: Decimal.Value;
  price: Decimal.Value;
  /** Amount taken off the row by a cart price rule (positive). */
  discount?: Decimal.Value;
  /** Percent, e.g. 8.875. */
  taxPercent?: Decimal.Value;
}

export interface LineTotals {
  rowTotal: string;
  discount: string;
  taxPercent: string;
  tax: string;
  rowTotalInclTax: string;
  priceInclTax: string;
}

/** One rate of the order: what it was charged on and the tax, summed over the rows that carry it. */
export interface RateTotals {
  percent: string;
  taxable: string;
  tax: string;
}

export interface OrderTotals {
  lines: LineTotals[];
  subtotal: string;
  /** Positive here; Magento stores the order's discount_amount negated. */
  discount: string;
  shipping: string;
  tax: string;
  grandTotal: string;
  /** In the order the rates first appear on the lines; rates of 0 are left out, as Magento does. */
  rates: RateTotals[];
}

/**
 * Magento's sums for a row, with the default tax settings (catalog prices exclude tax, tax is
 * calculated per row after discount): row total = price × quantity; tax = (row total − discount) ×
 * rate, rounded half up to the cent, row by row.
 */
export function lineTotals(l: CartLine): LineTotals {
  const rowTotal = roundMoney(new Decimal(l.price).times(l.qty));
  const discount = roundMoney(l.discount ?? 0);
  if (new Decimal(discount).gt(rowTotal))
    throw new RangeError(`a discount of ${discount} is more than the row total ${rowTotal}`);
  const rate = new Decimal(l.taxPercent ?? 0);
  const tax = roundMoney(new Decimal(rowTotal).minus(discount).times(rate).div(100));
  const rowTotalInclTax = roundMoney(new Decimal(rowTotal).plus(tax));
  return {
    rowTotal,
    discount,
    taxPercent: rate.toFixed(),
    tax,
    rowTotalInclTax,
    priceInclTax: roundMoney(new Decimal(rowTotalInclTax).div(l.qty)),
  };
}

/**
 * The order's totals from its rows: grand total = subtotal − discount + shipping + tax. Shipping is
 * untaxed (the sandbox's tax rules do not apply to shipping, so no rate's tax depends on it).
 */
export function orderTotals(lines: readonly CartLine[], shipping: Decimal.Value = 0): OrderTotals {
  const rows = lines.map(lineTotals);
  const sum = (f: (r: LineTotals) => string, of = rows) =>
    of.reduce((s, r) => s.plus(f(r)), new Decimal(0)).toFixed(2);
  const rates: RateTotals[] = [];
  for (const percent of [...new Set(rows.map((r) => r.taxPercent))]) {
    if (new Decimal(percent).isZero()) continue;
    const at = rows.filter((r) => r.taxPercent === percent);
    rates.push({
      percent,
      taxable: at.reduce((s, r) => s.plus(r.rowTotal).minus(r.discount), new Decimal(0)).toFixed(2),
      tax: sum((r) => r.tax, at),
    });
  }
  const subtotal = sum((r) => r.rowTotal);
  const discount = sum((r) => r.discount);
  const tax = sum((r) => r.tax);
  const ship = roundMoney(shipping);
  return {
    lines: rows,
    subtotal,
    discount,
    shipping: ship,
    tax,
    grandTotal: new Decimal(subtotal).minus(discount).plus(ship).plus(tax).toFixed(2),
    rates,
  };
}

/**
 * The sandbox's tax rate codes, shaped like the rates a Magento store is set up with: in the US
 * "US-<region>-*-Rate <n>" (n counting the order's distinct rates, Magento's sample rates are
 * "US-CA-*-Rate 1" and "US-NY-*-Rate 1"), elsewhere "VAT<percent>" ("VAT20", "VAT5.5").
 */
export function taxCode(percent: string, index: number, country: string, regionCode?: string): string {
  if (country === 'US') return `US-${regionCode || '*'}-*-Rate ${index + 1}`;
  return `VAT${new Decimal(percent).toFixed()}`;
}
