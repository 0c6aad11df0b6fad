import type { ConnectionField } from '../sdk/manifest.js';
import { CANCELLATION_POLICIES } from './order-lifecycle.js';

/**
 * What the connection does with a web order's later life (order-lifecycle.ts), on the Connections
 * screen beside the other Acumatica settings: a cancellation's policy, and whether the money
 * documents it records are released.
 */
export const WEB_ORDER_FIELDS: readonly ConnectionField[] = [
  {
    name: 'webOrderCancellation',
    title: 'When a web order is cancelled',
    type: 'enum',
    options: CANCELLATION_POLICIES,
    default: 'cancel',
    description:
      'cancel: Cancel Order on its sales order; hold: put the sales order on hold for a person to decide; ignore: leave it, and log that it was ignored. An order refunded in full counts as cancelled. An order with a shipment cannot be cancelled or held: that is logged as failed, with the reason',
  },
  {
    name: 'releasePayments',
    title: 'Release the prepayments and refunds recorded for web orders',
    type: 'boolean',
    default: true,
    description:
      'the money a shop captured becomes a prepayment applied to the sales order, a refund of it a refund; released, they reach the customer balance and the general ledger at once',
  },
];
