import { Decimal } from 'decimal.js';
import type { Money, SalesOrder } from '../../../model/index.js';
import { decimalsEqual, roundMoney } from '../../../model/index.js';
import { rejected } from '../../sdk/errors.js';
import { type RawSale, type RawSaleLine, type RawTax, text } from '../types.js';
import {
  addressFields,
  addressFromTryton,
  dayOf,
  decimal,
  lineTaxes,
  moneyOf,
  ratePercent,
  requiredMoney,
  stampOf,
} from './common.js';
import { isOrderLine, isShippingLine, lineNumbers } from './line-numbers.js';

/**
 * sale.sale → canonical sales order:
 *
 * | canonical         | Tryton                                                                   |
 * | ----------------- | ------------------------------------------------------------------------ |
 * | (source id)       | sale.id                                                                  |
 * | number            | sale.number (set when quoted; a draft has none and goes by its id)      |
 * | externalNumber    | sale.reference (the web shop's order number on sales Ledgerlink made)   |
 * | status            | sale.state (draft, quotation, confirmed, processing, done, cancelled)   |
 * | customerNumber    | sale.party (the party's id, the customer's source id)                   |
 * | customerName/Email| party.name, party.email                                                  |
 * | orderDate         | sale.sale_date (the creation day while it is empty)                     |
 * | currency          | sale.currency.code                                                       |
 * | lines             | sale.lines of type "line" but the shipping product's, numbered by place |
 * |   sku, quantity   | line.product.code, line.quantity                                         |
 * |   unit, unitPrice | line.unit.symbol, line.unit_price                                        |
 * |   total, tax      | line.amount; the sale's tax shared over the taxed lines                 |
 * | shippingTotal     | the amounts of the lines of the shipping product                         |
 * | taxLines          | per tax of the lines: name, rate, the taxed amounts, its share of tax   |
 * | taxTotal, orderTotal | sale.tax_amount, sale.total_amount                                   |
 * | billing/shipping  | sale.invoice_address, sale.shipment_address                              |
 * | updatedAt         | latest write/create stamp of the sale and its lines                     |
 */
export const SALE_FIELDS = [
  'number',
  'reference',
  'description',
  'state',
  'sale_date',
  'party',
  'party.name',
  'party.email',
  'currency.code',
  ...addressFields('invoice_address.'),
  ...addressFields('shipment_address.'),
  'untaxed_amount',
  'tax_amount',
  'total_amount',
  'create_date',
  'write_date',
  'lines.type',
  'lines.sequence',
  'lines.description',
  'lines.quantity',
  'lines.unit_price',
  'lines.amount',
  'lines.product.code',
  'lines.unit.symbol',
  'lines.taxes.name',
  'lines.taxes.type',
  'lines.taxes.rate',
  'lines.create_date',
  'lines.write_date',
];

export const SALE_STAMPS = ['lines.'];

/**
 * The document's tax per tax: what each tax was charged on (the amounts of the lines carrying it)
 * and its share of the tax total — the tax itself when there is one, else each tax's own figure
 * with the cents that rounding leaves on the largest.
 */
export function taxLinesOf(
  lines: ReadonlyArray<{ amount?: string | null; 'taxes.'?: RawTax[] }>,
  taxTotal: string,
  currency: string,
): Array<{ code: string; rate: string; taxable: Money; tax: Money }> {
  const byTax = new Map<number, { tax: RawTax; taxable: Decimal }>();
  for (const l of lines)
    for (const t of l['taxes.'] ?? []) {
      const entry = byTax.get(t.id) ?? { tax: t, taxable: new Decimal(0) };
      entry.taxable = entry.taxable.plus(decimal(l.amount) ?? '0');
      byTax.set(t.id, entry);
    }
  const entries = [...byTax.values()];
  const own = entries.map((e) =>
    entries.length === 1
      ? new Decimal(taxTotal)
      : new Decimal(roundMoney(e.taxable.times(ratePercent(e.tax)).dividedBy(100))),
  );
  const left = new Decimal(taxTotal).minus(own.reduce((s, v) => s.plus(v), new Decimal(0)));
  if (!left.isZero() && own.length) {
    const largest = own.reduce((best, v, i) => (v.abs().greaterThan(own[best]!.abs()) ? i : best), 0);
    own[largest] = own[largest]!.plus(left);
  }
  return entries.map((e, i) => ({
    code: text(e.tax.name) ?? String(e.tax.id),
    rate: ratePercent(e.tax),
    taxable: { amount: e.taxable.toFixed(2), currency },
    tax: { amount: own[i]!.toFixed(2), currency },
  }));
}

function lineFromTryton(
  l: RawSaleLine,
  n: number,
  tax: string,
  currency: string,
  what: string,
): Record<string, unknown> {
  const at = `${what} line ${n}`;
  const out: Record<string, unknown> = {
    lineNumber: n,
    sku: text(l['product.']?.code),
    quantity: decimal(l.quantity),
    unit: text(l['unit.']?.symbol),
    unitPrice: requiredMoney(l.unit_price, currency, `${at}: unit_price`),
    total: requiredMoney(l.amount, currency, `${at}: amount`),
    tax: { amount: tax, currency },
  };
  const taxes = l['taxes.'] ?? [];
  if (taxes.length === 1) out.taxRate = ratePercent(taxes[0]);
  const description = text(l.description);
  if (description) out.description = description;
  return out;
}

/** sale.sale → canonical sales order (not yet validated). */
export function salesOrderFromTryton(
  raw: RawSale,
  ctx: { currency: string; shippingProduct: string },
): Record<string, unknown> {
  const number = text(raw.number) ?? String(raw.id);
  const what = `sale ${number}`;
  const currency = text(raw['currency.']?.code) ?? ctx.currency;
  const all = raw['lines.'] ?? [];
  const numbers = lineNumbers(all, ctx.shippingProduct);
  const taxTotal = requiredMoney(raw.tax_amount, currency, `${what}: tax_amount`);
  const priced = all.filter((l) => (l.type ?? 'line') === 'line');
  const taxes = lineTaxes(
    priced.map((l) => ({ amount: l.amount ?? null, taxed: (l['taxes.'] ?? []).length > 0 })),
    taxTotal.amount,
  );
  const lines = priced
    .map((l, i) => ({ l, tax: taxes[i]! }))
    .filter(({ l }) => isOrderLine(l, ctx.shippingProduct))
    .map(({ l, tax }) => lineFromTryton(l, numbers.get(l.id)!, tax, currency, what));
  const shipping = priced.filter((l) => isShippingLine(l, ctx.shippingProduct));
  const out: Record<string, unknown> = {
    number,
    status: raw.state,
    customerNumber: raw.party === undefined ? undefined : String(raw.party),
    orderDate: raw.sale_date ?? dayOf(raw.create_date),
    currency,
    lines,
    taxLines: taxLinesOf(priced, taxTotal.amount, currency),
    taxTotal,
    orderTotal: requiredMoney(raw.total_amount, currency, `${what}: total_amount`),
    updatedAt: stampOf([raw, ...all]),
  };
  const opt: Record<string, unknown> = {
    externalNumber: text(raw.reference),
    customerName: text(raw['party.']?.name),
    customerEmail: text(raw['party.']?.email),
    billingAddress: addressFromTryton(raw['invoice_address.'], 'billing'),
    shippingAddress: addressFromTryton(raw['shipment_address.'], 'shipping'),
    shippingTotal: shipping.length
      ? moneyOf(
          shipping.reduce((s, l) => s.plus(decimal(l.amount) ?? '0'), new Decimal(0)).toFixed(2),
          currency,
        )
      : undefined,
  };
  for (const [k, v] of Object.entries(opt)) if (v !== undefined) out[k] = v;
  return out;
}

/** Tryton keeps unit prices to four decimals (the price_decimal default). */
const PRICE_DECIMALS = 4;

/**
 * The unit price a line is written with. Tryton's sale lines have no discount (sale_discount is not
 * part of this setup), so a discounted line is written at its net unit price when that price, to
 * four decimals, gives the line's total to the cent; else the line cannot be written faithfully.
 */
export function netUnitPrice(l: SalesOrder['lines'][number]): string | undefined {
  const discount = new Decimal(l.discount?.amount ?? 0);
  if (discount.isZero()) return l.unitPrice.amount;
  const qty = new Decimal(l.quantity);
  if (qty.isZero()) return undefined;
  const net = new Decimal(l.total.amount)
    .dividedBy(qty)
    .toDecimalPlaces(PRICE_DECIMALS, Decimal.ROUND_HALF_UP);
  return decimalsEqual(roundMoney(net.times(qty)), l.total.amount) ? net.toFixed() : undefined;
}

/**
 * Why the order cannot become a Tryton sale with the same totals, or undefined. Tryton computes a
 * line as quantity × unit price rounded to the cent and its taxes from the products' account
 * categories, so the figures a shop sends must add up on their own: amounts in the order's currency,
 * no document-level discount (it would need a discount product), each line's total equal to its
 * quantity × price − discount, and lines + shipping + tax equal to the order total. Whether Tryton's
 * taxes are the shop's is checked once the sale exists.
 */
export function orderProblem(o: SalesOrder): string | undefined {
  const c = o.currency;
  const amounts: Array<[string, Money | undefined]> = [
    ['taxTotal', o.taxTotal],
    ['orderTotal', o.orderTotal],
    ['shippingTotal', o.shippingTotal],
    ['discountTotal', o.discountTotal],
    ...o.lines.flatMap(
      (l): Array<[string, Money | undefined]> => [
        [`line ${l.lineNumber} unitPrice`, l.unitPrice],
        [`line ${l.lineNumber} discount`, l.discount],
        [`line ${l.lineNumber} total`, l.total],
      ],
    ),
  ];
  for (const [name, m] of amounts)
    if (m && m.currency !== c) return `${name} is in ${m.currency}, the order in ${c}`;
  if (o.discountTotal && !new Decimal(o.discountTotal.amount).isZero())
    return `the order has a document-level discount of ${o.discountTotal.amount} ${c}; Ledgerlink writes discounts into the lines' prices only`;
  for (const l of o.lines) {
    const expect = roundMoney(
      new Decimal(l.quantity).times(l.unitPrice.amount).minus(l.discount?.amount ?? 0),
    );
    if (!decimalsEqual(expect, l.total.amount))
      return `line ${l.lineNumber}: ${l.quantity} × ${l.unitPrice.amount} − ${l.discount?.amount ?? '0'} is ${expect}, but the line total is ${l.total.amount}`;
    if (netUnitPrice(l) === undefined)
      return `line ${l.lineNumber}: no unit price of at most ${PRICE_DECIMALS} decimals gives its total ${l.total.amount} after the discount of ${l.discount?.amount}`;
  }
  const total = o.lines
    .reduce((s, l) => s.plus(l.total.amount), new Decimal(0))
    .plus(o.shippingTotal?.amount ?? 0)
    .plus(o.taxTotal.amount);
  if (!total.equals(o.orderTotal.amount))
    return `lines + shipping + tax is ${total.toFixed()}, but the order total is ${o.orderTotal.amount}`;
  return undefined;
}

/** The figures of a sale Tryton computed that must equal the order's; the first that differs, or undefined. */
export function totalsDiffer(
  o: SalesOrder,
  sale: Pick<RawSale, 'untaxed_amount' | 'tax_amount' | 'total_amount'>,
): string | undefined {
  const untaxed = o.lines
    .reduce((s, l) => s.plus(l.total.amount), new Decimal(0))
    .plus(o.shippingTotal?.amount ?? 0)
    .toFixed(2);
  const pairs: Array<[string, string, unknown]> = [
    ['total', o.orderTotal.amount, sale.total_amount],
    ['tax', o.taxTotal.amount, sale.tax_amount],
    ['untaxed amount', untaxed, sale.untaxed_amount],
  ];
  for (const [name, want, got] of pairs) {
    const have = decimal(got);
    if (have === undefined) return `Tryton gave no ${name}`;
    if (!decimalsEqual(want, have)) return `its ${name} is ${have} ${o.currency}, the order's ${want}`;
  }
  return undefined;
}

/** A line's unit price, or the refusal a line that cannot be written earns. */
export function unitPriceOf(l: SalesOrder['lines'][number], order: string): string {
  const price = netUnitPrice(l);
  if (price === undefined)
    throw rejected(
      'invalid_data',
      `sales order ${order} line ${l.lineNumber}: its discount cannot be written as a unit price`,
    );
  return price;
}
