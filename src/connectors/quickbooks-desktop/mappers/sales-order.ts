import { Decimal } from 'decimal.js';
import type { SalesOrder } from '../../../model/index.js';
import type { References } from '../../sdk/contract.js';
import { ordered } from '../qbxml.js';
import type { Settings } from '../settings.js';
import { looksLikeQbId, unwritable, within } from './common.js';

/** PONumber is where an invoice keeps the customer's order number (25 characters). */
export const PO_NUMBER_MAX = 25;

/** A reference by ListID when the link table holds one, else by FullName (products are linked by it). */
const refTo = (id: string): { ListID: string } | { FullName: string } =>
  looksLikeQbId(id) ? { ListID: id } : { FullName: id };

/**
 * A CRM order → InvoiceAdd (the manual's §7.3): the order's own prices and quantities, tax left to
 * QuickBooks (it applies the items' and customer's tax codes); the order number as PONumber, the
 * contact, telephone and owner ("taken by") in the Memo. A line without a product is booked on the
 * default product with its description (§7: sage.defaultproduct).
 */
export function invoiceAdd(
  o: SalesOrder,
  refs: References | undefined,
  s: Settings,
): Record<string, unknown> {
  const who = `order ${o.number}`;
  const customer = refs?.customer?.[o.customerNumber];
  if (!customer)
    throw unwritable(
      `${who}: customer ${o.customerNumber} is not in QuickBooks yet (sync it first)`,
      'waiting_dependency',
    );
  const po = within(o.number, PO_NUMBER_MAX, `${who}: the order number (QuickBooks' PONumber)`);
  const memo = [
    `Order ${o.number}`,
    o.contactName ? `Contact ${o.contactName}` : undefined,
    o.contactPhone ? `Tel ${o.contactPhone}` : undefined,
    o.takenBy ? `Taken by ${o.takenBy}` : undefined,
  ]
    .filter(Boolean)
    .join(' · ');
  const lines = o.lines.map((l) => {
    const at = `${who} line ${l.lineNumber}`;
    if (new Decimal(l.quantity).isNegative())
      throw unwritable(
        `${at}: quantity ${l.quantity} is negative; an invoice line needs a positive quantity (a return is a credit memo)`,
      );
    let item: { ListID: string } | { FullName: string };
    if (l.writeIn) item = { FullName: s.defaultProduct };
    else {
      const id = refs?.product?.[l.sku];
      if (!id)
        throw unwritable(
          `${at}: product ${l.sku} is not in QuickBooks yet (sync it first)`,
          'waiting_dependency',
        );
      item = refTo(id);
    }
    return ordered([
      ['ItemRef', item],
      ['Desc', within(l.description, 4095, `${at}: the description`)],
      ['Quantity', new Decimal(l.quantity).toFixed()],
      ['Rate', new Decimal(l.unitPrice.amount).toFixed()],
    ]);
  });
  return {
    InvoiceAdd: ordered([
      ['CustomerRef', refTo(customer)],
      ['TxnDate', o.orderDate],
      ['PONumber', po],
      ['Memo', within(memo, 4095, `${who}: the memo`)],
      ['InvoiceLineAdd', lines],
    ]),
  };
}
