import { randomUUID } from 'node:crypto';
import { Decimal } from 'decimal.js';
import {
  type RawDocumentApplication,
  type RawOrderApplication,
  type RawPayment,
  str,
  val,
} from '../types.js';
import { claimedByRefunds, INCOMING, RELEASED, refundedFrom } from './applications.js';
import { touchInvoices } from './invoices.js';
import { findOrder, isCanceled, touchOrders } from './orders.js';
import { ActionFailed, empty, notFound, Problems } from './problems.js';
import type { PushRow } from './push.js';
import { CURRENCIES, PAYMENT_METHODS } from './reference.js';
import { mergeFields, mergeRows, type SalesStore } from './store.js';
import { dec, sum, toNumber } from './totals.js';

const v = <T>(value: T) => ({ value });

const DERIVED = new Set([
  'ReferenceNbr',
  'Status',
  'AppliedToOrders',
  'AppliedToDocuments',
  'AvailableBalance',
  'OrdersToApply',
  'DocumentsToApply',
  'LastModifiedDateTime',
]);

export const paymentRow = (p: RawPayment): PushRow => ({
  Type: str(p.Type) ?? null,
  ReferenceNbr: str(p.ReferenceNbr) ?? null,
  Status: str(p.Status) ?? null,
});

const orderKeyOf = (a: RawOrderApplication) => `${str(a.OrderType) ?? 'SO'}/${str(a.OrderNbr)}`;
const docKeyOf = (a: RawDocumentApplication) => `${str(a.DocType) ?? 'Invoice'}/${str(a.ReferenceNbr)}`;
const ordersOf = (p: RawPayment | undefined) => (p?.OrdersToApply ?? []).map(orderKeyOf);
const invoicesOf = (p: RawPayment | undefined) =>
  (p?.DocumentsToApply ?? []).filter((a) => str(a.DocType) === 'Invoice').map((a) => str(a.ReferenceNbr)!);
/** The payments and prepayments a refund gives money back from. */
const refundedBy = (store: SalesStore, r: RawPayment | undefined): RawPayment[] =>
  str(r?.Type) !== 'Refund'
    ? []
    : (r?.DocumentsToApply ?? [])
        .map((a) => store.payments.get(str(a.ReferenceNbr) ?? ''))
        .filter((x): x is RawPayment => x !== undefined);

/** Payment (money in, applied to orders and invoices), Prepayment (the same, taken before the invoice), Refund (money back out of one of them). */
const TYPES = ['Payment', 'Prepayment', 'Refund'];

/**
 * Creates or updates a payment, prepayment or refund from what a PUT sent. Applying a payment or a
 * prepayment to an order lowers the order's unpaid balance at once, released or not; applying it to
 * an invoice (a released one) lowers the invoice's balance when the payment is released. A refund
 * names the payments it gives money back from (Documents to Apply); once released, what they paid
 * on their orders shrinks by it. Throws SaveRefused.
 */
export function savePayment(store: SalesStore, body: RawPayment): RawPayment {
  const type = str(body.Type) ?? 'Payment';
  const sent = str(body.ReferenceNbr);
  const found = sent && sent !== '<NEW>' ? store.payments.get(sent) : undefined;
  const existing = found && str(found.Type) === type ? found : undefined;
  const p = new Problems();
  if (!TYPES.includes(type)) p.add(['Type'], notFound('Type'));
  const released = RELEASED.includes(str(existing?.Status) ?? '');
  if (
    released &&
    val(body.PaymentAmount) !== undefined &&
    val(body.PaymentAmount) !== val(existing?.PaymentAmount)
  )
    p.add(['PaymentAmount'], 'The payment has been released; its amount cannot be changed.');

  let next: RawPayment = existing ? structuredClone(existing) : { id: randomUUID(), Type: v(type) };
  next = mergeFields(next, body, DERIVED);
  next.OrdersToApply = mergeRows(next.OrdersToApply, body.OrdersToApply, (a) =>
    str(a.OrderNbr) ? orderKeyOf(a) : undefined,
  );
  next.DocumentsToApply = mergeRows(next.DocumentsToApply, body.DocumentsToApply, (a) =>
    str(a.ReferenceNbr) ? docKeyOf(a) : undefined,
  );
  const customer = store.ctx.customers.get(str(next.CustomerID) ?? '');
  if (!existing) {
    next.ApplicationDate ??= v(store.today());
    next.Hold ??= v(false);
    next.CurrencyID ??= v(str(customer?.CurrencyID) ?? 'USD');
  }
  if (type === 'Refund') validateRefund(store, next, existing, p);
  else validatePayment(store, next, existing, p);
  p.throwIfAny('Payment', next);

  if (!existing) next.ReferenceNbr = v(store.nextNumber('payment', ''));
  computePayment(store, next);
  next.LastModifiedDateTime = v(store.ctx.now());
  store.payments.set(str(next.ReferenceNbr)!, next);
  store.ctx.push.changed('Payment', existing ? paymentRow(existing) : undefined, paymentRow(next));
  touchOrders(store, [...ordersOf(existing), ...ordersOf(next)]);
  if (released) touchInvoices(store, [...invoicesOf(existing), ...invoicesOf(next)]);
  return next;
}

function validatePayment(store: SalesStore, pay: RawPayment, existing: RawPayment | undefined, p: Problems) {
  const customerId = str(pay.CustomerID);
  if (!customerId) p.add(['CustomerID'], empty('Customer'));
  else if (!store.ctx.customers.has(customerId)) p.add(['CustomerID'], notFound('Customer'));
  const method = str(pay.PaymentMethod);
  if (!method) p.add(['PaymentMethod'], empty('Payment Method'));
  else if (!PAYMENT_METHODS[method]) p.add(['PaymentMethod'], notFound('Payment Method'));
  const currency = str(pay.CurrencyID);
  if (!CURRENCIES[currency ?? '']) p.add(['CurrencyID'], notFound('Currency'));
  const amount = val(pay.PaymentAmount);
  if (typeof amount !== 'number' || amount <= 0)
    p.add(['PaymentAmount'], "'Payment Amount' must be greater than 0.");
  let left = dec(amount ?? 0);

  for (const [i, a] of (pay.OrdersToApply ?? []).entries()) {
    const at = (f: string) => ['OrdersToApply', i, f];
    a.OrderType ??= v('SO');
    const order = findOrder(store, str(a.OrderType)!, str(a.OrderNbr) ?? '');
    if (!order) {
      p.add(at('OrderNbr'), notFound('Order Nbr.'));
      continue;
    }
    if (str(order.CustomerID) !== customerId) {
      p.add(at('OrderNbr'), `The order ${str(a.OrderNbr)} belongs to another customer.`);
      continue;
    }
    if (str(order.CurrencyID) !== currency) {
      p.add(at('OrderNbr'), `The currency of the order ${str(a.OrderNbr)} differs from the payment's.`);
      continue;
    }
    if (isCanceled(store, order)) {
      // SO.Messages.DontApprovedDocumentsCannotBeSelected
      p.add(
        at('OrderNbr'),
        'No payment can be created for a sales order with any of the following statuses: Voided, Cancelled, or Pending approval.',
      );
      continue;
    }
    const mine = (existing?.OrdersToApply ?? []).find((x) => orderKeyOf(x) === orderKeyOf(a));
    const unpaid = dec(val(order.Totals?.UnpaidBalance)).plus(dec(val(mine?.AppliedToOrder)));
    // Left empty, the amount applied is what the order still owes, as far as the payment goes.
    if (val(a.AppliedToOrder) === undefined)
      a.AppliedToOrder = v(toNumber(Decimal.max(0, Decimal.min(unpaid, left))));
    const applied = dec(val(a.AppliedToOrder));
    if (applied.lessThan(0)) p.add(at('AppliedToOrder'), "'Applied to Order' may not be negative.");
    else if (applied.greaterThan(unpaid))
      p.add(
        at('AppliedToOrder'),
        `The amount applied exceeds the unpaid balance of the order (${unpaid.toFixed(2)}).`,
      );
    left = left.minus(applied);
  }

  for (const [i, a] of (pay.DocumentsToApply ?? []).entries()) {
    const at = (f: string) => ['DocumentsToApply', i, f];
    a.DocType ??= v('Invoice');
    if (str(a.DocType) !== 'Invoice') {
      p.add(at('DocType'), notFound('Doc. Type'));
      continue;
    }
    const inv = store.invoices.get(str(a.ReferenceNbr) ?? '');
    if (!inv) {
      p.add(at('ReferenceNbr'), notFound('Reference Nbr.'));
      continue;
    }
    if (!RELEASED.includes(str(inv.Status) ?? '')) {
      p.add(at('ReferenceNbr'), `The document ${str(a.ReferenceNbr)} has not been released.`);
      continue;
    }
    if (str(inv.CustomerID) !== customerId) {
      p.add(at('ReferenceNbr'), `The document ${str(a.ReferenceNbr)} belongs to another customer.`);
      continue;
    }
    const wasReleased = RELEASED.includes(str(existing?.Status) ?? '');
    const mine = (existing?.DocumentsToApply ?? []).find((x) => docKeyOf(x) === docKeyOf(a));
    const balance = dec(val(inv.Balance)).plus(wasReleased ? dec(val(mine?.AmountPaid)) : 0);
    if (val(a.AmountPaid) === undefined)
      a.AmountPaid = v(toNumber(Decimal.max(0, Decimal.min(balance, left))));
    const paid = dec(val(a.AmountPaid));
    if (paid.lessThan(0)) p.add(at('AmountPaid'), "'Amount Paid' may not be negative.");
    else if (paid.greaterThan(balance))
      p.add(at('AmountPaid'), `The amount paid exceeds the balance of the document (${balance.toFixed(2)}).`);
    left = left.minus(paid);
  }
  if (left.lessThan(0)) p.add(['PaymentAmount'], 'The total amount applied exceeds the payment amount.');
}

/**
 * A refund gives back what a released payment or prepayment of the same customer and currency still
 * holds (its amount, less what other refunds claim); it is applied to nothing else.
 */
function validateRefund(store: SalesStore, r: RawPayment, existing: RawPayment | undefined, p: Problems) {
  const customerId = str(r.CustomerID);
  if (!customerId) p.add(['CustomerID'], empty('Customer'));
  else if (!store.ctx.customers.has(customerId)) p.add(['CustomerID'], notFound('Customer'));
  const method = str(r.PaymentMethod);
  if (!method) p.add(['PaymentMethod'], empty('Payment Method'));
  else if (!PAYMENT_METHODS[method]) p.add(['PaymentMethod'], notFound('Payment Method'));
  if (!CURRENCIES[str(r.CurrencyID) ?? '']) p.add(['CurrencyID'], notFound('Currency'));
  const amount = val(r.PaymentAmount);
  if (typeof amount !== 'number' || amount <= 0)
    p.add(['PaymentAmount'], "'Payment Amount' must be greater than 0.");
  if ((r.OrdersToApply ?? []).length)
    p.add(['OrdersToApply'], 'A refund cannot be applied to a sales order.');
  let left = dec(amount ?? 0);
  for (const [i, a] of (r.DocumentsToApply ?? []).entries()) {
    const at = (f: string) => ['DocumentsToApply', i, f];
    a.DocType ??= v('Payment');
    if (!INCOMING.includes(str(a.DocType) ?? '')) {
      p.add(at('DocType'), notFound('Doc. Type'));
      continue;
    }
    const paid = store.payments.get(str(a.ReferenceNbr) ?? '');
    if (!paid || str(paid.Type) !== str(a.DocType)) {
      p.add(at('ReferenceNbr'), notFound('Reference Nbr.'));
      continue;
    }
    if (!RELEASED.includes(str(paid.Status) ?? '')) {
      p.add(at('ReferenceNbr'), `The document ${str(a.ReferenceNbr)} has not been released.`);
      continue;
    }
    if (str(paid.CustomerID) !== customerId || str(paid.CurrencyID) !== str(r.CurrencyID)) {
      p.add(
        at('ReferenceNbr'),
        `The document ${str(a.ReferenceNbr)} belongs to another customer or currency.`,
      );
      continue;
    }
    const holds = dec(val(paid.PaymentAmount)).minus(
      claimedByRefunds(store, paid, str(existing?.ReferenceNbr)),
    );
    if (val(a.AmountPaid) === undefined) a.AmountPaid = v(toNumber(Decimal.max(0, Decimal.min(holds, left))));
    const back = dec(val(a.AmountPaid));
    if (back.lessThanOrEqualTo(0)) p.add(at('AmountPaid'), "'Amount Paid' must be greater than 0.");
    else if (back.greaterThan(holds))
      p.add(at('AmountPaid'), `The amount exceeds the balance of the document (${holds.toFixed(2)}).`);
    left = left.minus(back);
  }
  if (left.lessThan(0)) p.add(['PaymentAmount'], 'The total amount applied exceeds the payment amount.');
}

function computePayment(store: SalesStore, pay: RawPayment): void {
  const toOrders = sum((pay.OrdersToApply ?? []).map((a) => val(a.AppliedToOrder)));
  const toDocs = sum((pay.DocumentsToApply ?? []).map((a) => val(a.AmountPaid)));
  const refunded = str(pay.Type) === 'Refund' ? new Decimal(0) : refundedFrom(store, pay);
  const available = dec(val(pay.PaymentAmount)).minus(toOrders).minus(toDocs).minus(refunded);
  pay.AppliedToOrders = v(toNumber(toOrders));
  pay.AppliedToDocuments = v(toNumber(toDocs));
  pay.AvailableBalance = v(toNumber(available));
  const status = str(pay.Status);
  if (status === 'Voided') return;
  if (RELEASED.includes(status ?? '')) pay.Status = v(available.lessThanOrEqualTo(0) ? 'Closed' : 'Open');
  else pay.Status = v(val(pay.Hold) === true ? 'On Hold' : 'Balanced');
}

/**
 * The Release action of a payment, prepayment or refund: Closed when fully applied, else Open with
 * the rest available. A released refund takes its amount from the payments it names, and the orders
 * they paid owe it again.
 */
export function releasePayment(store: SalesStore, ref: string): RawPayment {
  const pay = store.payments.get(ref);
  if (!pay) throw new ActionFailed(`The document ${ref} cannot be found in the system.`);
  const status = str(pay.Status);
  if (status === 'On Hold') throw new ActionFailed(`The document ${ref} is on hold and cannot be released.`);
  if (status !== 'Balanced') throw new ActionFailed(`The document ${ref} has already been released.`);
  const before = paymentRow(pay);
  pay.Status = v('Open');
  computePayment(store, pay);
  pay.LastModifiedDateTime = v(store.ctx.now());
  store.ctx.push.changed('Payment', before, paymentRow(pay));
  touchInvoices(store, invoicesOf(pay));
  const refunded = refundedBy(store, pay);
  for (const paid of refunded) {
    const was = paymentRow(paid);
    computePayment(store, paid);
    paid.LastModifiedDateTime = v(store.ctx.now());
    store.ctx.push.changed('Payment', was, paymentRow(paid));
  }
  touchOrders(store, [...ordersOf(pay), ...refunded.flatMap(ordersOf)]);
  return pay;
}
