import { defineConnector } from '../sdk/contract.js';
import { createDynamicsConnector } from './connector.js';
import { dynamicsManifest } from './manifest.js';

export { DynamicsConnector } from './connector.js';
export { dynamicsManifest } from './manifest.js';

export const dynamicsConnector = defineConnector({
  manifest: dynamicsManifest,
  create: createDynamicsConnector,
});
