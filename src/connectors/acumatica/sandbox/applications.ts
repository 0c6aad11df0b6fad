import { Decimal } from 'decimal.js';
import { type RawPayment, str, val } from '../types.js';
import type { SalesStore } from './store.js';
import { dec, sum } from './totals.js';

/** Statuses of a released AR document (invoice, payment, prepayment, refund). */
export const RELEASED = ['Open', 'Closed'];

/** Payment types that bring money in and may be applied to orders and invoices. */
export const INCOMING = ['Payment', 'Prepayment'];

const released = (p: RawPayment) => RELEASED.includes(str(p.Status) ?? '');

/** What released refunds have paid back out of a payment or prepayment (their Documents to Apply rows naming it). */
export function refundedFrom(store: SalesStore, pay: RawPayment, except?: string): Decimal {
  let out = new Decimal(0);
  for (const r of store.payments.values()) {
    if (str(r.Type) !== 'Refund' || !released(r) || str(r.ReferenceNbr) === except) continue;
    for (const a of r.DocumentsToApply ?? [])
      if (str(a.DocType) === str(pay.Type) && str(a.ReferenceNbr) === str(pay.ReferenceNbr))
        out = out.plus(dec(val(a.AmountPaid)));
  }
  return out;
}

/** What refunds, released or not, claim from a payment (so two refunds never give back the same money). */
export function claimedByRefunds(store: SalesStore, pay: RawPayment, except?: string): Decimal {
  let out = new Decimal(0);
  for (const r of store.payments.values()) {
    if (str(r.Type) !== 'Refund' || str(r.Status) === 'Voided' || str(r.ReferenceNbr) === except) continue;
    for (const a of r.DocumentsToApply ?? [])
      if (str(a.DocType) === str(pay.Type) && str(a.ReferenceNbr) === str(pay.ReferenceNbr))
        out = out.plus(dec(val(a.AmountPaid)));
  }
  return out;
}

/**
 * What each of a payment's applications to orders still holds once the released refunds of the
 * payment took their part. A refund takes what the payment left unapplied first, then the orders'
 * applications in turn, so an order paid by a prepayment that was refunded owes its amount again.
 */
export function orderApplicationsHeld(
  store: SalesStore,
  pay: RawPayment,
): Array<{ key: string; applied: Decimal }> {
  if (str(pay.Status) === 'Voided' || !INCOMING.includes(str(pay.Type) ?? '')) return [];
  const toOrders = sum((pay.OrdersToApply ?? []).map((a) => val(a.AppliedToOrder)));
  const toDocs = sum((pay.DocumentsToApply ?? []).map((a) => val(a.AmountPaid)));
  const free = Decimal.max(0, dec(val(pay.PaymentAmount)).minus(toOrders).minus(toDocs));
  let refunded = Decimal.max(0, refundedFrom(store, pay).minus(free));
  return (pay.OrdersToApply ?? []).map((a) => {
    const applied = dec(val(a.AppliedToOrder));
    const taken = Decimal.min(applied, refunded);
    refunded = refunded.minus(taken);
    return { key: `${str(a.OrderType) ?? 'SO'}/${str(a.OrderNbr)}`, applied: applied.minus(taken) };
  });
}
