import { Decimal } from 'decimal.js';

/**
 * The arithmetic of Acumatica's sales documents, in decimals: every amount is rounded half away
 * from zero to the currency's two places as soon as it is computed (a line amount, a tax), and
 * totals add rounded amounts, so a document always equals the sum of what it shows.
 */

export type Amount = Decimal.Value | null | undefined;

export const dec = (v: Amount): Decimal => new Decimal(v ?? 0);

export const round2 = (v: Amount): Decimal => dec(v).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);

/** The JSON number a DecimalValue carries; exact, since a two-place decimal prints back as itself. */
export const toNumber = (d: Decimal): number => Number(d.toFixed());

export const sum = (values: readonly Amount[]): Decimal =>
  values.reduce<Decimal>((s, v) => s.plus(dec(v)), new Decimal(0));

/** Quantity × unit price, before discount (the line's Ext. Price). */
export const extendedPrice = (qty: Amount, unitPrice: Amount): Decimal =>
  round2(dec(qty).times(dec(unitPrice)));

/** A discount given as a percent of the extended price. */
export const percentDiscount = (qty: Amount, unitPrice: Amount, percent: Amount): Decimal =>
  round2(dec(qty).times(dec(unitPrice)).times(dec(percent)).dividedBy(100));

/** A line's Amount: quantity × unit price − discount amount. */
export const lineAmount = (qty: Amount, unitPrice: Amount, discount: Amount): Decimal =>
  round2(dec(qty).times(dec(unitPrice)).minus(dec(discount)));

/** Tax at a rate in percent on a taxable amount. */
export const taxOn = (taxable: Amount, ratePercent: Amount): Decimal =>
  round2(dec(taxable).times(dec(ratePercent)).dividedBy(100));

/** Order total: lines − document discount + freight + tax. */
export const documentTotal = (t: {
  lineTotal: Amount;
  discountTotal: Amount;
  freight: Amount;
  taxTotal: Amount;
}): Decimal => dec(t.lineTotal).minus(dec(t.discountTotal)).plus(dec(t.freight)).plus(dec(t.taxTotal));

/**
 * The share of `amount` that `part` of `whole` carries (an invoice's share of an order's tax).
 * The last share of a whole takes what is left instead, so the shares add up to the amount.
 */
export function share(amount: Amount, part: Amount, whole: Amount, taken: Amount, last: boolean): Decimal {
  if (last) return dec(amount).minus(dec(taken));
  if (dec(whole).isZero()) return new Decimal(0);
  return round2(dec(amount).times(dec(part)).dividedBy(dec(whole)));
}
