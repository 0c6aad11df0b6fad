import { Decimal } from 'decimal.js';
import type { SalesOrder } from '../../../model/index.js';
import type { References } from '../../sdk/contract.js';
import { rejected } from '../../sdk/errors.js';
import type { QboInvoice, QboLine } from '../types.js';
import { money2, num } from './values.js';

export interface OrderContext {
  defaultCurrency: string;
  defaultTaxCode: string;
  /** The Id of the default product's item (write-in lines are booked on it). */
  defaultItemId: string;
  orderNumberCustomField?: string;
}

/** What the private note says, first line first: the marker the lookup finds the invoice by. */
export function orderNote(o: SalesOrder): string {
  return [
    `CRM order: ${o.number}`,
    o.contactName ? `Contact: ${o.contactName}` : undefined,
    o.contactPhone ? `Telephone: ${o.contactPhone}` : undefined,
    o.takenBy ? `Taken by: ${o.takenBy}` : undefined,
  ]
    .filter(Boolean)
    .join('\n');
}

/**
 * A CRM order as a new QuickBooks invoice: the customer and items by the Ids the link table holds,
 * the order's quantities and prices (Amount = price × quantity), each line with the configured tax
 * code and no TxnTaxDetail, so QuickBooks computes the tax (the manual: tax is recalculated by the
 * accounting system). A write-in line is booked on the default product with its own description.
 * The order number, contact, telephone and owner go on the private note (internal; its first line
 * is the marker a retry finds the invoice by), the order number and contact also on the customer
 * memo (printed), and the order number on a custom field when one is configured. DocNumber is left
 * to QuickBooks' own sequence; it is the number written back to the CRM.
 */
export function orderToQbo(o: SalesOrder, refs: References | undefined, ctx: OrderContext): QboInvoice {
  const customerId = refs?.customer?.[o.customerNumber];
  if (!customerId)
    throw rejected(
      'missing_field',
      `order ${o.number}: customer ${o.customerNumber} has no QuickBooks customer linked yet`,
    );
  const lines: QboLine[] = o.lines.map((l) => {
    const qty = new Decimal(l.quantity);
    if (qty.isNegative())
      throw rejected(
        'invalid_data',
        `order ${o.number} line ${l.lineNumber}: quantity ${l.quantity} is negative; QuickBooks invoices take returns as credit memos`,
      );
    const itemId = l.writeIn ? ctx.defaultItemId : refs?.product?.[l.sku];
    if (!itemId)
      throw rejected(
        'missing_field',
        `order ${o.number} line ${l.lineNumber}: product ${l.sku} has no QuickBooks item linked yet`,
      );
    const description = l.writeIn ? (l.description ?? l.sku) : l.description;
    return {
      // No LineNum: the XSD documents it for QuickBooks Desktop only; lines keep the order's order.
      DetailType: 'SalesItemLineDetail',
      ...(description ? { Description: description } : {}),
      Amount: money2(qty.times(l.unitPrice.amount)),
      SalesItemLineDetail: {
        ItemRef: { value: itemId },
        Qty: num(l.quantity),
        UnitPrice: num(l.unitPrice.amount),
        TaxCodeRef: { value: ctx.defaultTaxCode },
      },
    };
  });
  const memo = [`Your order ${o.number}`, o.contactName, o.contactPhone].filter(Boolean).join(', ');
  return {
    CustomerRef: { value: customerId },
    TxnDate: o.orderDate,
    ...(o.currency !== ctx.defaultCurrency ? { CurrencyRef: { value: o.currency } } : {}),
    PrivateNote: orderNote(o),
    CustomerMemo: { value: memo },
    ...(ctx.orderNumberCustomField
      ? {
          CustomField: [
            { DefinitionId: ctx.orderNumberCustomField, Type: 'StringType' as const, StringValue: o.number },
          ],
        }
      : {}),
    Line: lines,
  };
}
