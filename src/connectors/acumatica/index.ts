import { defineConnector } from '../sdk/contract.js';
import { createAcumaticaConnector } from './connector.js';
import { acumaticaManifest } from './manifest.js';

export { AcumaticaConnector } from './connector.js';
export { acumaticaManifest } from './manifest.js';

export const acumaticaConnector = defineConnector({
  manifest: acumaticaManifest,
  create: createAcumaticaConnector,
});
