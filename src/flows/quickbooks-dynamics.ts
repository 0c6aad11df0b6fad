import type { CatalogFlow } from './flow-definition.js';
import {
  type AccountingCrmPair,
  accountingToCrmFlows,
  crmToAccountingFlows,
} from './rules/accounting-crm.js';

/** QuickBooks Online and Dynamics 365 (seed 004, the SYNC Uploader): the accounting ↔ CRM rules. */
const pair: AccountingCrmPair = {
  accounting: 'quickbooks',
  accountingTitle: 'QuickBooks Online',
  crm: 'dynamics',
  crmTitle: 'Dynamics 365',
};

export const quickbooksDynamicsFlows: Readonly<Record<string, CatalogFlow>> = {
  ...accountingToCrmFlows(pair),
  ...crmToAccountingFlows(pair),
};
