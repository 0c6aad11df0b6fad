import type { Condition, Dependency } from '../../engine/flow.js';

// Rules every pair that sends an ERP's shipments and invoices to a system that sells shares
// (Acumatica → Magento, Acumatica → SellerCloud).

/** A shipment goes once it is confirmed (and stays eligible as it is invoiced and released). */
export const CONFIRMED_SHIPMENT: Condition = {
  name: 'confirmed',
  expression: 'status in ["Confirmed", "Completed", "Invoiced", "Released"]',
  explain: '"the shipment is " & status',
};

/**
 * An invoice goes once released. Every document type is read (the batch screen shows them all);
 * credit documents are refunds, which the shops record their own way, so they stay skipped.
 */
export const RELEASED_INVOICE: Condition = {
  name: 'released, and not a credit note',
  expression: 'status in ["Open", "Closed"] and type != "credit_note"',
  explain:
    'type = "credit_note" ? "it is a " & (documentType ? documentType : "credit note") & ", a credit note" : "the invoice is " & status',
};

/** A shipment or an invoice waits for the orders it names to be on the other side. */
export const BY_ORDERS: readonly Omit<Dependency, 'flow'>[] = [{ entity: 'salesOrder', ids: 'orderNumbers' }];

/**
 * The same where no flow takes orders to the shop because they come from it (SellerCloud): an order
 * the link table does not know is looked for on the shop by its reference, and one the shop does not
 * have fails, named — waiting would be for ever.
 */
export const BY_SHOP_ORDERS: readonly Omit<Dependency, 'flow'>[] = [
  { entity: 'salesOrder', ids: 'orderNumbers', targetKeys: true },
];
