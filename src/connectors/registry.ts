import { acumaticaConnector } from './acumatica/index.js';
import { magentoConnector } from './magento/index.js';
import type { ConnectorDefinition } from './sdk/contract.js';

/** Every connector this build ships, by the name a configuration uses. The one place that imports them all. */
export const connectorRegistry: Readonly<Record<string, ConnectorDefinition>> = {
  acumatica: acumaticaConnector,
  magento: magentoConnector,
};
