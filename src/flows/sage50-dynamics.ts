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
 * and stock records are the accounts'), so the order flow waits on no customer or product flow.
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
    dependencies: [],
    description: `${pair.crmTitle} sales orders whose status reason is "ready" to ${pair.accountingTitle} product invoices at the order's prices (VAT per line by Sage), the CRM order number, contact, telephone and owner on the invoice; the order is then marked uploaded and gets the invoice number`,
  },
};
