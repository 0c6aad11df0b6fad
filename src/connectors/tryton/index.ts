import { defineConnector } from '../sdk/contract.js';
import { createTrytonConnector } from './connector.js';
import { trytonManifest } from './manifest.js';

export { TrytonConnector } from './connector.js';
export { trytonManifest } from './manifest.js';

export const trytonConnector = defineConnector({
  manifest: trytonManifest,
  create: createTrytonConnector,
});
