import { defineConnector } from '../sdk/contract.js';
import { createMagentoConnector } from './connector.js';
import { magentoManifest } from './manifest.js';

export { MagentoConnector } from './connector.js';
export { magentoManifest } from './manifest.js';

/**
 * Magento 2 (Open Source / Adobe Commerce) over its admin REST API: customers, products and sales
 * orders both ways; the ERP's shipments, invoices and payments onto orders; Adobe Commerce webhooks.
 */
export const magentoConnector = defineConnector({
  manifest: magentoManifest,
  create: createMagentoConnector,
});
