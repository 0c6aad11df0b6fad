import type { CatalogFlow } from './flow-definition.js';
import {
  type AccountingCrmPair,
  accountingToCrmFlows,
  crmToAccountingFlows,
} from './rules/accounting-crm.js';

/**
 * QuickBooks Desktop (through the Web Connector) and Dynamics 365 (seed 004, the SYNC Uploader's own
 * users: "QuickBooks needs to be running on the machine"): the same accounting ↔ CRM rules.
 */
const pair: AccountingCrmPair = {
  accounting: 'quickbooks-desktop',
  accountingTitle: 'QuickBooks Desktop',
  crm: 'dynamics',
  crmTitle: 'Dynamics 365',
};

export const quickbooksDesktopDynamicsFlows: Readonly<Record<string, CatalogFlow>> = {
  ...accountingToCrmFlows(pair),
  ...crmToAccountingFlows(pair),
};
