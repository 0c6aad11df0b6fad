import { Decimal } from 'decimal.js';
import type { FastifyInstance } from 'fastify';
import type { MagentoDocumentItemRequest, MagentoShipment, MagentoTrackRequest } from '../sales-types.js';
import { authorised, type SandboxAuth } from './auth.js';
import { creationComments, documentReadRoutes, requestedLines } from './document-lines.js';
import { documentInvalid, NO_SUCH_ENTITY } from './errors.js';
import { canShip, num, orderLines, qtyToShip, settleState } from './order-state.js';
import { Refusal } from './orders.js';
import { SandboxStore } from './store.js';

const SHIP = 'Magento_Sales::ship';
const READ = 'Magento_Sales::shipment';

/** The body of POST /V1/order/{orderId}/ship. */
export interface ShipRequest {
  items?: MagentoDocumentItemRequest[];
  notify?: boolean;
  appendComment?: boolean;
  comment?: { comment: string; is_visible_on_front: number };
  tracks?: MagentoTrackRequest[];
}

/**
 * ShipOrder: one shipment of the items asked (everything left to ship when none are named), with
 * its tracks and comment. The order's shipped quantities and state move, and the order is saved.
 */
export function shipOrder(store: SandboxStore, orderId: number, req: ShipRequest): MagentoShipment | Refusal {
  const current = store.orders.get(orderId);
  if (!current) return new Refusal(404, NO_SUCH_ENTITY);
  if (!canShip(current))
    return new Refusal(
      400,
      documentInvalid('Shipment', [
        `A shipment cannot be created when an order has a status of ${current.status}`,
      ]),
    );
  const order = structuredClone(current);
  const { picked, problems } = requestedLines(orderLines(order), req.items, qtyToShip, {
    unknown: (id) => `The shipment contains order item ${id} that is not part of the original order.`,
    tooMuch: (sku) =>
      `The quantity to ship must not be greater than the unshipped quantity for product SKU "${sku}".`,
    empty: "You can't create a shipment without products.",
  });
  if (problems.length) return new Refusal(400, documentInvalid('Shipment', problems));

  const id = store.nextId('shipment');
  const t = store.now();
  const total = picked.reduce((s, p) => s.plus(p.qty), new Decimal(0));
  for (const { item, qty } of picked) item.qty_shipped = num(qty.plus(item.qty_shipped ?? 0));
  const shipment: MagentoShipment = {
    entity_id: id,
    increment_id: SandboxStore.incrementId(id),
    order_id: orderId,
    store_id: order.store_id ?? 1,
    ...(order.customer_id !== undefined ? { customer_id: order.customer_id } : {}),
    total_qty: num(total),
    created_at: t,
    updated_at: t,
    items: picked.map(({ item, qty }) => ({
      entity_id: store.nextId('shipmentItem'),
      parent_id: id,
      order_item_id: item.item_id!,
      qty: num(qty),
      sku: item.sku,
      ...(item.name ? { name: item.name } : {}),
      ...(item.price !== undefined ? { price: item.price } : {}),
      ...(item.product_id !== undefined ? { product_id: item.product_id } : {}),
    })),
    // Magento leaves weight, qty and description of an API track empty; the spec wants values.
    tracks: (req.tracks ?? []).map((tr) => ({
      entity_id: store.nextId('track'),
      parent_id: id,
      order_id: orderId,
      track_number: tr.track_number,
      title: tr.title,
      carrier_code: tr.carrier_code,
      weight: 0,
      qty: num(total),
      description: '',
      created_at: t,
    })),
    comments: creationComments(store, id, req, t),
  };
  store.shipments.set(id, shipment);
  settleState(order);
  store.saveOrder(order);
  return shipment;
}

/** Shipping an order, and reading shipments. */
export function shipmentRoutes(
  app: FastifyInstance,
  prefix: string,
  store: SandboxStore,
  auth: SandboxAuth,
): void {
  app.post<{ Params: { orderId: string } }>(`${prefix}/V1/order/:orderId/ship`, async (req, reply) => {
    if (!(await authorised(auth, req, reply, SHIP))) return reply;
    const r = shipOrder(store, Number(req.params.orderId), (req.body ?? {}) as ShipRequest);
    if (r instanceof Refusal) return reply.code(r.status).send(r.body);
    // Magento answers the new shipment's id.
    return reply.type('application/json').send(JSON.stringify(r.entity_id));
  });

  documentReadRoutes(app, {
    prefix,
    store,
    auth,
    resource: READ,
    list: '/V1/shipments',
    one: '/V1/shipment',
    table: store.shipments,
  });
}
