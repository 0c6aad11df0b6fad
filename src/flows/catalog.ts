import type { Condition } from '../engine/flow.js';
import type { EntityName } from '../model/index.js';

/**
 * The flows Ledgerlink knows by name, with the defaults the seeds describe. A configuration names a
 * flow and overrides what it needs; a flow not in this list must state entity, source and target.
 */
export interface CatalogFlow {
  description: string;
  entity: EntityName;
  /** Connector types (and default connection names) on each side. */
  sourceConnector: string;
  targetConnector: string;
  /** Fields the flow changes on records that already exist (the SYNC Uploader's "minimal updates"). */
  ownedFields: readonly string[];
  conditions?: readonly Condition[];
  neverOverwrite?: boolean;
  /** Default schedule (croner syntax). */
  schedule?: string;
}

export const flowCatalog: Readonly<Record<string, CatalogFlow>> = {
  'acumatica-magento.customers': {
    description: 'Acumatica customers to Magento customers, matched by e-mail and website',
    entity: 'customer',
    sourceConnector: 'acumatica',
    targetConnector: 'magento',
    // The seed's minimal update: credit limit and on-hold status; names and addresses are set on create only.
    ownedFields: ['creditLimit', 'onHold'],
    schedule: '*/15 * * * *',
  },
  'acumatica-magento.products': {
    description: 'Acumatica stock items to Magento products (price, cost, stock), matched by SKU',
    entity: 'product',
    sourceConnector: 'acumatica',
    targetConnector: 'magento',
    ownedFields: ['listPrice', 'standardCost', 'stock'],
    schedule: '*/15 * * * *',
  },
};
