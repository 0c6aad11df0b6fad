import { defineConnector } from '../sdk/contract.js';
import { createSellerCloudConnector } from './connector.js';
import { sellercloudManifest } from './manifest.js';

export { SellerCloudConnector } from './connector.js';
export { sellercloudManifest } from './manifest.js';

/**
 * SellerCloud (REST API): orders, customers and products with stock per warehouse read; customers
 * and orders written, shipments as tracking per package, payments as manual payments on an order.
 */
export const sellercloudConnector = defineConnector({
  manifest: sellercloudManifest,
  create: createSellerCloudConnector,
});
