import { defineConnector } from '../sdk/contract.js';
import { createAccurateConnector } from './connector.js';
import { accurateManifest } from './manifest.js';

export { AccurateConnector } from './connector.js';
export { accurateManifest } from './manifest.js';

/**
 * Accurate Online (public API v1): customers, items with stock per warehouse and stock moves read;
 * POS sales, refunds, payments, transfers and stock takes written in bulk (issue 17).
 */
export const accurateConnector = defineConnector({
  manifest: accurateManifest,
  create: createAccurateConnector,
});
