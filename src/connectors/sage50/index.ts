import { defineConnector } from '../sdk/contract.js';
import { createSage50Connector } from './connector.js';
import { sage50Manifest } from './manifest.js';

export { Sage50Connector } from './connector.js';
export { sage50Manifest } from './manifest.js';

/**
 * Sage 50 Accounts (UK) and Sage Instant Accounts over ODBC: customers, products and posted invoices
 * read, incrementally from the audit trail; CRM orders written as product invoices.
 */
export const sage50Connector = defineConnector({
  manifest: sage50Manifest,
  create: createSage50Connector,
});
