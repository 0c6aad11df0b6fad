import { Decimal } from 'decimal.js';
import { rejected } from '../../sdk/errors.js';
import { type RawPayment, str } from '../types.js';
import { type DocumentContext, datePart, decimal, requiredMoney, stampOf } from './document.js';

/** $expand the mapper needs: what the payment is applied to. */
export const PAYMENT_EXPAND = 'OrdersToApply,DocumentsToApply';

const TYPES: Record<string, string> = {
  Payment: 'payment',
  Prepayment: 'prepayment',
  Refund: 'refund',
  'Customer Refund': 'refund',
};

/**
 * Acumatica Payment → canonical payment (not yet validated). Applications name an order by its
 * OrderNbr and an invoice by its ReferenceNbr, the ids those records are read under; applications
 * of nothing, and to other kinds of documents (credit memos), are left out.
 */
export function paymentFromAcumatica(raw: RawPayment, ctx: DocumentContext): Record<string, unknown> {
  const number = str(raw.ReferenceNbr);
  if (!number) throw rejected('missing_field', 'an Acumatica payment without a ReferenceNbr was returned');
  const what = `payment ${number}`;
  const currency = str(raw.CurrencyID) ?? ctx.baseCurrency;
  const positive = (s: string | undefined): s is string => s !== undefined && new Decimal(s).greaterThan(0);
  const applications: Array<Record<string, unknown>> = [];
  for (const a of raw.OrdersToApply ?? []) {
    const amount = decimal(a.AppliedToOrder);
    if (str(a.OrderNbr) && positive(amount))
      applications.push({
        documentType: 'order',
        documentNumber: str(a.OrderNbr),
        amount: { amount, currency },
      });
  }
  for (const a of raw.DocumentsToApply ?? []) {
    const amount = decimal(a.AmountPaid);
    if (str(a.DocType) === 'Invoice' && str(a.ReferenceNbr) && positive(amount))
      applications.push({
        documentType: 'invoice',
        documentNumber: str(a.ReferenceNbr),
        amount: { amount, currency },
      });
  }
  const out: Record<string, unknown> = {
    number,
    type: TYPES[str(raw.Type) ?? 'Payment'] ?? str(raw.Type),
    status: str(raw.Status),
    customerNumber: str(raw.CustomerID),
    paymentDate: datePart(raw.ApplicationDate),
    amount: requiredMoney(raw.PaymentAmount, currency, `${what}: PaymentAmount`),
    applications,
    updatedAt: stampOf(raw.LastModifiedDateTime),
  };
  const method = str(raw.PaymentMethod);
  if (method) out.paymentMethod = method;
  const ref = str(raw.PaymentRef);
  if (ref) out.reference = ref;
  return out;
}
