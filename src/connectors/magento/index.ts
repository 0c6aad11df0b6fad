import { defineConnector } from '../sdk/contract.js';
import { createMagentoConnector } from './connector.js';
import { magentoManifest } from './manifest.js';

export { MagentoConnector } from './connector.js';
export { magentoManifest } from './manifest.js';

/** Magento 2 (Open Source / Adobe Commerce) over its admin REST API: customers and products. */
export const magentoConnector = defineConnector({
  manifest: magentoManifest,
  create: createMagentoConnector,
});
