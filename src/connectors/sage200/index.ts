import { defineConnector } from '../sdk/contract.js';
import { createSage200Connector } from './connector.js';
import { sage200Manifest } from './manifest.js';

export { Sage200Connector } from './connector.js';
export { sage200Manifest } from './manifest.js';

/**
 * Sage 200 Professional / Extra (REST API v1; Sage MMS where that API is present): customers,
 * products and posted invoices read from the accounts; CRM orders written to it as SOP orders.
 */
export const sage200Connector = defineConnector({
  manifest: sage200Manifest,
  create: createSage200Connector,
});
