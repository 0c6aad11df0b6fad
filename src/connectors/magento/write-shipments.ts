import type { Shipment } from '../../model/index.js';
import type { References } from '../sdk/contract.js';
import { shippingMethodOf } from './mappers/sales-order.js';
import { type DocumentLine, documentComment, documentKey } from './order-documents.js';
import type { MagentoOrder, MagentoTrackRequest } from './sales-types.js';
import type { DocumentSpec } from './write-documents.js';

export const SHIPMENTS_PATH = 'V1/shipments';

/** Magento's carrier code for a track whose carrier it has no module for ("Custom Value"). */
const CUSTOM_CARRIER = 'custom';

/** The orders a shipment is recorded on: each order it has lines for (all of them, for one order). */
function shipmentOrders(s: Shipment): string[] {
  if (s.orderNumbers.length === 1) return s.orderNumbers;
  return s.orderNumbers.filter((n) => s.lines.some((l) => l.orderNumber === n));
}

/** `<Magento order id>:<ERP shipment number>`; undefined until the order is in Magento. */
export function shipmentKey(data: unknown, refs?: References): string | undefined {
  const s = (data ?? {}) as Partial<Shipment>;
  if (!Array.isArray(s.orderNumbers) || !Array.isArray(s.lines) || typeof s.number !== 'string')
    return undefined;
  return documentKey(shipmentOrders(s as Shipment), s.number, refs);
}

/**
 * The tracks of a shipment: one per tracking number. The carrier code is the carrier part of the
 * Magento shipping method the shipment's shipVia names ("fedex" of "fedex_FEDEX_2_DAY"); the title
 * is what the shopper saw at checkout (the order's shipping description).
 */
export function tracksOf(s: Shipment, order: MagentoOrder): MagentoTrackRequest[] {
  const method = s.shipVia ?? shippingMethodOf(order);
  const carrier = method?.split('_')[0] || s.carrier?.toLowerCase() || CUSTOM_CARRIER;
  const title = order.shipping_description || method || s.carrier || carrier;
  return s.trackingNumbers.map((t) => ({ track_number: t, title, carrier_code: carrier }));
}

/**
 * ERP shipments → Magento shipments (POST /V1/order/{id}/ship): the lines matched to the order's
 * items by SKU, the tracking numbers as tracks, and a comment naming the ERP shipment, not sent to
 * the shopper. A partial shipment ships part; the next ships what it names of the rest.
 */
export const shipmentSpec: DocumentSpec<Shipment> = {
  kind: 'shipment',
  listPath: SHIPMENTS_PATH,
  onePath: (id) => `V1/shipment/${id}`,
  createPath: (orderId) => `V1/order/${orderId}/ship`,
  what: (s) => `shipment ${s.number}`,
  number: (s) => s.number,
  orderNumbers: shipmentOrders,
  linesFor: (s, orderNumber) =>
    s.lines
      .map((l, i): DocumentLine & { order: string } => ({
        order: l.orderNumber,
        lineNumber: i + 1,
        sku: l.sku,
        quantity: l.quantity,
        orderLineNumber: l.orderLineNumber,
      }))
      .filter((l) => s.orderNumbers.length === 1 || l.order === orderNumber),
  body: (s, order, items) => ({
    items,
    notify: false,
    appendComment: false,
    comment: { comment: documentComment('shipment', s.number), is_visible_on_front: 0 },
    tracks: tracksOf(s, order),
  }),
};
