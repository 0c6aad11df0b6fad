import { acumaticaB2bFlows } from './acumatica-b2b.js';
import { acumaticaMagentoFlows } from './acumatica-magento.js';
import { acumaticaSellercloudFlows } from './acumatica-sellercloud.js';
import type { CatalogFlow } from './flow-definition.js';
import { isellerAccurateFlows } from './iseller-accurate.js';
import { quickbooksDesktopDynamicsFlows } from './quickbooks-desktop-dynamics.js';
import { quickbooksDynamicsFlows } from './quickbooks-dynamics.js';
import { sage50DynamicsFlows } from './sage50-dynamics.js';
import { sage200DynamicsFlows } from './sage200-dynamics.js';
import { trytonVendureFlows } from './tryton-vendure.js';

export type { CatalogFlow } from './flow-definition.js';

/**
 * The flows Ledgerlink knows by name: one file per pair of systems (both directions), rules shared
 * by several pairs in `rules/`. A configuration names a flow and overrides what it needs.
 */
export const flowCatalog: Readonly<Record<string, CatalogFlow>> = {
  ...acumaticaMagentoFlows,
  ...acumaticaSellercloudFlows,
  ...acumaticaB2bFlows,
  ...trytonVendureFlows,
  ...quickbooksDynamicsFlows,
  ...quickbooksDesktopDynamicsFlows,
  ...sage200DynamicsFlows,
  ...sage50DynamicsFlows,
  ...isellerAccurateFlows,
};
