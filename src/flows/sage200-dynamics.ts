import type { CatalogFlow } from './flow-definition.js';
import {
  type AccountingCrmPair,
  accountingToCrmFlows,
  crmToAccountingFlows,
} from './rules/accounting-crm.js';

/**
 * Sage 200 (and Sage MMS where its REST API is present) and Dynamics 365 (seed 004, the SYNC
 * Uploader): customers, products and invoices from the accounts to the CRM, one-way as in the manual;
 * and, beyond it, the CRM's ready orders to Sage 200 as SOP sales orders with the order number
 * written back. Sage 200 takes no customers or products from the CRM (its ledger accounts are the
 * accounts'): the order flow has no customer or product flow to wait on, so it waits on nothing, and
 * the Sage 200 connector finds the account and products by reference and code itself; an order whose
 * account or product Sage does not have fails, naming it, and the batch goes on.
 */
const pair: AccountingCrmPair = {
  accounting: 'sage200',
  accountingTitle: 'Sage 200',
  crm: 'dynamics',
  crmTitle: 'Dynamics 365',
};

const toCrm = crmToAccountingFlows(pair);
const orders = toCrm['dynamics-sage200.orders']!;

export const sage200DynamicsFlows: Readonly<Record<string, CatalogFlow>> = {
  ...accountingToCrmFlows(pair),
  'dynamics-sage200.orders': {
    ...orders,
    dependencies: [],
    description: `${pair.crmTitle} sales orders whose status reason is "ready" to ${pair.accountingTitle} SOP sales orders at the order's prices, the CRM order number as the customer document number; the order is then marked uploaded and gets the SOP order number`,
  },
};
