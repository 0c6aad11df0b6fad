import type { CatalogFlow } from './flow-definition.js';
import {
  type AccountingCrmPair,
  accountingToCrmFlows,
  crmToAccountingFlows,
} from './rules/accounting-crm.js';

/**
 * Sage 50 Accounts (UK) / Sage Instant Accounts and Dynamics 365 (seed 004, the SYNC Uploader):
 * customers, products and posted invoices from the accounts to the CRM, and the CRM's ready orders to
 * Sage 50 as product invoices, the invoice number written back — the accounting ↔ CRM rules, as for
 * QuickBooks. Sage 50's own: a write-in line is booked on the default product (sage.defaultproduct);
 * S1/S2/S3 and M lines come to the CRM as write-ins; the invoice carries the CRM order number, contact,
 * telephone and owner. Sage 50 takes no customers or products from the CRM here (its ledger accounts
 * and stock records are the accounts'), so the order flow waits on no customer or product flow: it
 * asks Sage 50 for the order's account and stock codes, and an order naming one Sage lacks fails.
 */
const pair: AccountingCrmPair = {
  accounting: 'sage50',
  accountingTitle: 'Sage 50',
  crm: 'dynamics',
  crmTitle: 'Dynamics 365',
};

const orders = crmToAccountingFlows(pair)['dynamics-sage50.orders']!;

export const sage50DynamicsFlows: Readonly<Record<string, CatalogFlow>> = {
  ...accountingToCrmFlows(pair),
  'dynamics-sage50.orders': {
    ...orders,
    // Sage 50 takes no customers or products from the CRM: the order's account and stock codes must
    // be Sage's already. Sage is asked for them (they are its keys too), and an order naming one it
    // lacks fails saying which, in the Scan as in a run, instead of being written and refused.
    dependencies: [
      { entity: 'customer', ids: 'customerNumber', targetKeys: true },
      { entity: 'product', ids: 'lines[$not(writeIn = true)].sku', targetKeys: true },
    ],
    description: `${pair.crmTitle} sales orders whose status reason is "ready" to ${pair.accountingTitle} product invoices at the order's prices (VAT per line by Sage), the CRM order number, contact, telephone and owner on the invoice; the order is then marked uploaded and gets the invoice number`,
  },
};
