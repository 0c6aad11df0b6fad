import { defineConnector } from '../sdk/contract.js';
import { createVendureConnector } from './connector.js';
import { vendureManifest } from './manifest.js';

export { VendureConnector } from './connector.js';
export { vendureManifest } from './manifest.js';

/**
 * Vendure 3 over its Admin GraphQL API: customers and products both ways, web orders out (with the
 * ERP's number written back), and the ERP's shipments (fulfillments) and paid invoices (settled
 * manual payments) onto those orders.
 */
export const vendureConnector = defineConnector({
  manifest: vendureManifest,
  create: createVendureConnector,
});
