import { defineConnector } from '../sdk/contract.js';
import { createQuickBooksConnector } from './connector.js';
import { quickbooksManifest } from './manifest.js';

export { QuickBooksConnector } from './connector.js';
export { quickbooksManifest } from './manifest.js';

/**
 * QuickBooks Online (Accounting API v3): customers, items and invoices read from the accounts;
 * customers, items and invoices made from CRM orders written to them; Intuit webhooks.
 */
export const quickbooksConnector = defineConnector({
  manifest: quickbooksManifest,
  create: createQuickBooksConnector,
});
