import type { Dependency } from '../../engine/flow.js';

// Rules every pair that moves sales documents shares.

/** The codes of a sales document that differ between systems. */
export const ORDER_MAPS = {
  shipVia: 'shippingMethod',
  paymentMethod: 'paymentMethod',
  'taxLines.code': 'taxClass',
} as const;

/** An order waits for its customer (guests have none) and its products. */
export const ORDER_DEPENDENCIES: readonly Omit<Dependency, 'flow'>[] = [
  { entity: 'customer', ids: 'guest ? [] : customerNumber' },
  { entity: 'product', ids: 'lines.sku' },
];
