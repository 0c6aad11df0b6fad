import { Decimal } from 'decimal.js';
import type { Invoice, Payment } from '../../../model/index.js';
import { rejected } from '../../sdk/errors.js';
import type { IsOrder, IsRefund, IsTransaction } from '../types.js';
import { cash, dec, sameToUnit, show, sum } from './amounts.js';
import { lineFrom, type MappedLine, taxLinesOf } from './sale-lines.js';
import { dateOf, fromLocal } from './time.js';

const ZERO = new Decimal(0);

export interface OrderContext {
  timeZone: number;
  currency: string;
  walkInCustomer: string;
  /** outlet_id → outlet_code, for an order whose answer leaves outlet_code out. */
  outletCodes: ReadonlyMap<string, string>;
}

/** Orders that are sales to book: paid, or paid and since refunded (the refund is its own credit note). */
const BOOKED = new Set(['paid', 'refunded', 'partially_refunded']);
export const isBooked = (o: IsOrder): boolean => BOOKED.has(o.payment_status) && o.status !== 'void';

/** The source ids: an order's invoice is its order_id; its refunds and payments hang below it. */
export const refundId = (orderId: string, n: number) => `${orderId}/R${n}`;
export const paymentId = (orderId: string, kind: 'P' | 'RP', method: string) =>
  `${orderId}/${kind}/${method}`;
export const orderIdOf = (sourceId: string): string => sourceId.split('/')[0] ?? sourceId;

/**
 * The customer of a sale: iSeller's own customer id — the id the customers flow reads that customer
 * by, so the sale waits for it and the target's number for it is found through the link — else, a
 * walk-in sale, the walkInCustomer setting (the target's own walk-in customer), flagged walkIn.
 */
export function customerNumberOf(
  o: Pick<IsOrder, 'customer_id'>,
  walkIn: string,
): { customerNumber: string; walkIn?: true } {
  const id = o.customer_id?.trim();
  return id ? { customerNumber: id } : { customerNumber: walkIn, walkIn: true };
}

function outletOf(o: IsOrder, ctx: OrderContext): string {
  const code = o.outlet_code?.trim() || (o.outlet_id ? ctx.outletCodes.get(o.outlet_id) : undefined);
  if (!code)
    throw rejected(
      'missing_field',
      `order ${o.order_reference}: its outlet ${o.outlet_name ?? o.outlet_id ?? '(none)'} has no outlet_code in iSeller; give the outlet a code`,
    );
  return code;
}

/**
 * Checks that the lines, tax and rounding make the stated total to the currency's unit (the rupiah),
 * and names every figure when they do not: the record fails with them rather than being adjusted.
 */
function checkTotals(
  doc: string,
  lines: readonly MappedLine[],
  stated: { tax?: Decimal; rounding: Decimal; total: Decimal },
  currency: string,
): { net: Decimal; tax: Decimal } {
  const net = sum(lines.map((l) => l.net));
  const lineTax = sum(lines.map((l) => l.tax));
  const problems: string[] = [];
  if (stated.tax && !sameToUnit(lineTax, stated.tax, currency))
    problems.push(
      `its lines' tax comes to ${show(lineTax, currency)} but total_tax_amount is ${show(stated.tax, currency)}`,
    );
  const made = net.plus(lineTax).plus(stated.rounding);
  if (!sameToUnit(made, stated.total, currency))
    problems.push(
      `net ${show(net, currency)} + tax ${show(lineTax, currency)} + rounding ${show(stated.rounding, currency)} = ${show(made, currency)}, but its total is ${show(stated.total, currency)} (a difference of ${show(stated.total.minus(made), currency)} ${currency})`,
    );
  if (problems.length) throw rejected('invalid_data', `${doc}: ${problems.join('; ')}`);
  return { net, tax: lineTax };
}

/**
 * A paid order as an invoice. Line discounts stay on their lines; the order's own discount (what
 * total_discount_amount + total_promotion_amount hold beyond the line discounts, ⚠ FACTS.md) is a
 * line of its own without SKU or tax, so that no amount is re-spread and every figure stays as
 * iSeller computed it. rounding_amount is the invoice's `rounding`.
 */
export function invoiceFrom(o: IsOrder, ctx: OrderContext): Invoice {
  const currency = o.currency || ctx.currency;
  const doc = `order ${o.order_reference}`;
  const details = o.order_details ?? [];
  if (!details.length) throw rejected('missing_field', `${doc} has no lines (order_details)`);
  const lines = details.map((d, i) => lineFrom(d, i + 1, currency, o.tax_inclusive === true));
  const lineDiscounts = sum(lines.map((l) => l.discount));
  const orderDiscount = dec(o.total_discount_amount).plus(dec(o.total_promotion_amount)).minus(lineDiscounts);
  if (orderDiscount.isNegative())
    throw rejected(
      'invalid_data',
      `${doc}: its lines' discounts (${show(lineDiscounts, currency)}) exceed total_discount_amount + total_promotion_amount (${show(lineDiscounts.plus(orderDiscount), currency)})`,
    );
  if (!orderDiscount.isZero()) {
    const minus = orderDiscount.negated();
    lines.push({
      line: {
        lineNumber: lines.length + 1,
        description: 'Order discount',
        quantity: '1',
        unitPrice: cash(minus, currency),
        tax: cash(ZERO, currency),
        total: cash(minus, currency),
      },
      net: minus,
      tax: ZERO,
      discount: ZERO,
      rate: ZERO,
    });
  }
  const rounding = dec(o.rounding_amount);
  const total = dec(o.total_amount);
  const { net, tax } = checkTotals(
    doc,
    lines,
    { ...(o.total_tax_amount !== undefined ? { tax: dec(o.total_tax_amount) } : {}), rounding, total },
    currency,
  );
  const occurredAt = fromLocal(o.order_date, ctx.timeZone);
  const customerName = [o.customer_first_name, o.customer_last_name].filter(Boolean).join(' ');
  return {
    number: o.order_reference,
    type: 'invoice',
    documentType: `POS sale (${o.channel ?? 'pos'})`,
    status: o.payment_status,
    invoiceDate: dateOf(occurredAt),
    occurredAt,
    warehouse: outletOf(o, ctx),
    ...customerNumberOf(o, ctx.walkInCustomer),
    ...(customerName ? { customerName } : {}),
    orderNumbers: [o.order_reference],
    currency,
    lines: lines.map((l) => l.line),
    taxLines: taxLinesOf(lines, currency),
    netTotal: cash(net, currency),
    taxTotal: cash(tax, currency),
    total: cash(total, currency),
    ...(rounding.isZero() ? {} : { rounding: cash(rounding, currency) }),
    balance: cash(ZERO, currency),
    updatedAt: fromLocal(o.modified_date ?? o.order_date, ctx.timeZone),
  };
}

/** A refund's number: its own reference, else the order's with -R (-R2, … for later refunds). */
export const refundNumber = (o: IsOrder, r: IsRefund, n: number): string =>
  r.refund_reference?.trim() || `${o.order_reference}-R${n > 1 ? n : ''}`;

/** A refund of an order as a credit note: the refunded lines, their tax and rounding, refund_amount as total. */
export function creditNoteFrom(o: IsOrder, r: IsRefund, n: number, ctx: OrderContext): Invoice {
  const currency = o.currency || ctx.currency;
  const number = refundNumber(o, r, n);
  const doc = `refund ${number} of order ${o.order_reference}`;
  const details = r.refund_details ?? [];
  if (!details.length) throw rejected('missing_field', `${doc} has no refunded lines (refund_details)`);
  const lines = details.map((d, i) => lineFrom(d, i + 1, currency, o.tax_inclusive === true));
  const rounding = dec(r.rounding_amount);
  const total = dec(r.refund_amount);
  const { net, tax } = checkTotals(doc, lines, { rounding, total }, currency);
  const occurredAt = fromLocal(r.refund_date, ctx.timeZone);
  return {
    number,
    type: 'credit_note',
    documentType: 'POS refund',
    status: 'refunded',
    invoiceDate: dateOf(occurredAt),
    occurredAt,
    warehouse: outletOf(o, ctx),
    ...customerNumberOf(o, ctx.walkInCustomer),
    orderNumbers: [o.order_reference],
    currency,
    lines: lines.map((l) => l.line),
    taxLines: taxLinesOf(lines, currency),
    netTotal: cash(net, currency),
    taxTotal: cash(tax, currency),
    total: cash(total, currency),
    ...(rounding.isZero() ? {} : { rounding: cash(rounding, currency) }),
    updatedAt: fromLocal(o.modified_date ?? r.refund_date, ctx.timeZone),
  };
}

/** What a transaction's payment method is called: the payment type's name, else its gateway. */
export const methodOf = (t: IsTransaction): string =>
  t.payment_type_name?.trim() || t.gateway?.trim() || 'payment';

/**
 * The order's successful transactions as payments, one per payment method and kind (a sale's
 * payments applied to the invoice; a refund's given back against the first credit note). Two
 * transactions of one method are one payment of their sum.
 */
export function paymentsFrom(
  o: IsOrder,
  ctx: OrderContext,
  refunds: readonly string[],
): Array<{ id: string; data: Payment }> {
  const currency = o.currency || ctx.currency;
  const groups = new Map<string, { kind: 'P' | 'RP'; method: string; txs: IsTransaction[] }>();
  for (const t of o.transactions ?? []) {
    if (t.status !== 'success' || (t.type !== 'sale' && t.type !== 'refund')) continue;
    const kind = t.type === 'sale' ? 'P' : 'RP';
    const method = methodOf(t);
    const key = `${kind}/${method}`;
    const g = groups.get(key) ?? { kind, method, txs: [] };
    g.txs.push(t);
    groups.set(key, g);
  }
  const warehouse = outletOf(o, ctx);
  const out: Array<{ id: string; data: Payment }> = [];
  for (const g of groups.values()) {
    const isRefund = g.kind === 'RP';
    const against = isRefund ? refunds[0] : o.order_reference;
    if (!against) continue; // a refund's money without a refund record: nothing to apply it to
    const amount = sum(
      g.txs.map((t) => dec(t.amount, `transaction ${t.transaction_id}: amount`)).map((d) => d.abs()),
    );
    const first = [...g.txs].sort((a, b) => a.transaction_date.localeCompare(b.transaction_date))[0]!;
    const occurredAt = fromLocal(first.transaction_date, ctx.timeZone);
    out.push({
      id: paymentId(o.order_id, g.kind, g.method),
      data: {
        number: `${against}-${g.method}`,
        type: isRefund ? 'refund' : 'payment',
        status: 'success',
        ...customerNumberOf(o, ctx.walkInCustomer),
        paymentDate: dateOf(occurredAt),
        occurredAt,
        warehouse,
        paymentMethod: g.method,
        reference: g.txs.map((t) => t.transaction_id).join(','),
        amount: cash(amount, currency),
        applications: [{ documentType: 'invoice', documentNumber: against, amount: cash(amount, currency) }],
        updatedAt: fromLocal(o.modified_date ?? first.transaction_date, ctx.timeZone),
      },
    });
  }
  return out;
}
