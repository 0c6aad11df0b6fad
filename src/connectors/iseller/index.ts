import { defineConnector } from '../sdk/contract.js';
import { createIsellerConnector } from './connector.js';
import { isellerManifest } from './manifest.js';

export { IsellerConnector } from './connector.js';
export { isellerManifest } from './manifest.js';
export type { ClosedShift } from './shifts.js';

/**
 * iSeller point of sale (Public API v2, ERP API, Webhook Notification): sales, payments, transfers
 * and stock takes read; products, customers and goods received written; register shifts announced.
 */
export const isellerConnector = defineConnector({
  manifest: isellerManifest,
  create: createIsellerConnector,
});
