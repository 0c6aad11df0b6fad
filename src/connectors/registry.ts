import { accurateConnector } from './accurate/index.js';
import { acumaticaConnector } from './acumatica/index.js';
import { dynamicsConnector } from './dynamics/index.js';
import { isellerConnector } from './iseller/index.js';
import { magentoConnector } from './magento/index.js';
import { quickbooksConnector } from './quickbooks/index.js';
import { quickbooksDesktopConnector } from './quickbooks-desktop/index.js';
import { sage50Connector } from './sage50/index.js';
import { sage200Connector } from './sage200/index.js';
import type { ConnectorDefinition } from './sdk/contract.js';
import { sellercloudConnector } from './sellercloud/index.js';
import { trytonConnector } from './tryton/index.js';
import { vendureConnector } from './vendure/index.js';

/** Every connector this build ships, by the name a configuration uses. The one place that imports them all. */
export const connectorRegistry: Readonly<Record<string, ConnectorDefinition>> = {
  accurate: accurateConnector,
  acumatica: acumaticaConnector,
  dynamics: dynamicsConnector,
  iseller: isellerConnector,
  magento: magentoConnector,
  quickbooks: quickbooksConnector,
  'quickbooks-desktop': quickbooksDesktopConnector,
  sage200: sage200Connector,
  sage50: sage50Connector,
  sellercloud: sellercloudConnector,
  tryton: trytonConnector,
  vendure: vendureConnector,
};
