import type { Invoice } from '../../model/index.js';
import type { References } from '../sdk/contract.js';
import { type DocumentLine, documentComment, documentKey } from './order-documents.js';
import type { DocumentSpec } from './write-documents.js';

export const INVOICES_PATH = 'V1/invoices';

/** Lines Magento can invoice: those of an order item. Freight and other charges have no SKU. */
const itemLines = (inv: Invoice) => inv.lines.filter((l) => l.sku);

/** The orders an invoice is recorded on: those it names (or its lines name) and has item lines for. */
function invoiceOrders(inv: Invoice): string[] {
  const named = inv.orderNumbers.length
    ? inv.orderNumbers
    : [...new Set(itemLines(inv).flatMap((l) => (l.orderNumber ? [l.orderNumber] : [])))];
  if (named.length === 1) return named;
  return named.filter((n) => itemLines(inv).some((l) => l.orderNumber === n));
}

/** `<Magento order id>:<ERP invoice number>`; undefined until the order is in Magento. */
export function invoiceKey(data: unknown, refs?: References): string | undefined {
  const inv = (data ?? {}) as Partial<Invoice>;
  if (!Array.isArray(inv.lines) || typeof inv.number !== 'string') return undefined;
  return documentKey(invoiceOrders({ orderNumbers: [], ...inv } as Invoice), inv.number, refs);
}

/**
 * ERP invoices → Magento invoices (POST /V1/order/{id}/invoice) of the order items the lines name,
 * with capture off — the money was taken in the ERP; Magento records the invoice as paid offline —
 * and a comment naming the ERP invoice. Magento's own rules then move the order to processing or
 * complete, and put the shipping on the order's first invoice.
 */
export const invoiceSpec: DocumentSpec<Invoice> = {
  kind: 'invoice',
  listPath: INVOICES_PATH,
  onePath: (id) => `${INVOICES_PATH}/${id}`,
  createPath: (orderId) => `V1/order/${orderId}/invoice`,
  what: (inv) => `invoice ${inv.number}`,
  number: (inv) => inv.number,
  orderNumbers: invoiceOrders,
  linesFor: (inv, orderNumber) => {
    const single = invoiceOrders(inv).length === 1;
    return itemLines(inv)
      .filter((l) => single || l.orderNumber === orderNumber)
      .map(
        (l): DocumentLine => ({
          lineNumber: l.lineNumber,
          sku: l.sku!,
          quantity: l.quantity,
          ...(l.orderLineNumber ? { orderLineNumber: l.orderLineNumber } : {}),
        }),
      );
  },
  body: (inv, _order, items) => ({
    capture: false,
    items,
    notify: false,
    appendComment: false,
    comment: { comment: documentComment('invoice', inv.number), is_visible_on_front: 0 },
  }),
  refusal: (inv) =>
    inv.type === 'credit_note'
      ? `invoice ${inv.number} is a credit note; Magento records refunds as credit memos, which Ledgerlink does not write`
      : itemLines(inv).length === 0
        ? `invoice ${inv.number} has no line with a SKU; Magento invoices order items`
        : undefined,
};
