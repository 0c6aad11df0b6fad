import type { Shipment } from '../../model/index.js';
import type { References, TargetRecord, WriteItem, WriteResult } from '../sdk/contract.js';
import { LedgerlinkError, rejected, toErrorData } from '../sdk/errors.js';
import type { HttpExchange } from '../sdk/http.js';
import type { VendureClient } from './client.js';
import { ADD_FULFILLMENT_TO_ORDER, TRANSITION_FULFILLMENT } from './documents.js';
import { unwrap } from './errors.js';
import { fulfillmentLines } from './mappers/fulfillment-lines.js';
import { documentKey, ordersById, parseDocumentKey, requireOrders } from './order-refs.js';
import type { VendureErrorResult, VendureFulfillment, VendureOrder } from './types.js';

/** Vendure's built-in handler for fulfillments entered by hand: it takes a method and a tracking code. */
export const MANUAL_HANDLER = 'manual-fulfillment';

/**
 * Vendure has no field for another system's shipment number; the fulfillment's method carries it
 * ("UPS (ERP shipment 000123)"), shown to the merchant and found again by lookup.
 */
export function fulfillmentMethod(s: Shipment): string {
  const base = `ERP shipment ${s.number}`;
  const via = s.carrier || s.shipVia;
  return via ? `${via} (${base})` : base;
}

export function namesShipment(method: string, number: string): boolean {
  const base = `ERP shipment ${number}`;
  return method === base || method.endsWith(`(${base})`);
}

/** The orders a shipment is recorded on: each order it has lines for (all of them, for one order). */
function shipmentOrders(s: Shipment): string[] {
  if (s.orderNumbers.length === 1) return s.orderNumbers;
  return s.orderNumbers.filter((n) => s.lines.some((l) => l.orderNumber === n));
}

/** `<Vendure order id>:<ERP shipment number>`; undefined until the order is linked to Vendure. */
export function shipmentKey(data: unknown, refs?: References): string | undefined {
  const s = (data ?? {}) as Partial<Shipment>;
  if (!Array.isArray(s.orderNumbers) || !Array.isArray(s.lines) || typeof s.number !== 'string')
    return undefined;
  return documentKey(shipmentOrders(s as Shipment), s.number, refs);
}

/** The fulfillment of an order that carries a shipment, unless it was cancelled. */
const carrying = (o: VendureOrder | undefined, number: string): VendureFulfillment | undefined =>
  (o?.fulfillments ?? []).find((f) => f.state !== 'Cancelled' && namesShipment(f.method, number));

/**
 * Fulfillments by their order and ERP number. One still Pending is not reported: a write that
 * stopped between creating it and shipping it is completed by writing the shipment again.
 */
export async function lookupShipments(
  client: VendureClient,
  keys: readonly string[],
): Promise<Map<string, TargetRecord>> {
  const parsed = keys.map((key) => ({ key, ...parseDocumentKey(key) }));
  const orders = await ordersById(
    client,
    parsed.map((p) => p.orderIds[0]!),
  );
  const out = new Map<string, TargetRecord>();
  for (const p of parsed) {
    const f = carrying(orders.get(p.orderIds[0]!), p.number);
    if (f && f.state !== 'Pending') out.set(p.key, { id: f.id, snapshot: f });
  }
  return out;
}

/** States Vendure's default order process ships from (an order already shipped refuses in its own words). */
const SHIPPABLE = new Set([
  'PaymentAuthorized',
  'PaymentSettled',
  'PartiallyShipped',
  'PartiallyDelivered',
  'Shipped',
  'Delivered',
]);
/** States an order leaves on its own once it is paid (or its modification is): the shipment waits. */
const NOT_YET = new Set(['ArrangingPayment', 'ArrangingAdditionalPayment', 'Modifying']);

function shippable(what: string, o: VendureOrder): void {
  if (SHIPPABLE.has(o.state)) return;
  if (NOT_YET.has(o.state))
    throw new LedgerlinkError({
      code: 'waiting_dependency',
      category: 'transient',
      message: `${what}: Vendure order ${o.code} is ${o.state}; Vendure fulfills an order once its payment is authorized or settled, so the shipment waits for the payment`,
    });
  throw rejected(
    'conflict',
    `${what}: Vendure order ${o.code} is ${o.state}; Vendure fulfills placed, paid orders only`,
  );
}

const delivered = (s: Shipment) => /deliver/i.test(s.status);

type Transition = { transitionFulfillmentToState: VendureFulfillment | VendureErrorResult };

/** Moves a fulfillment on to Shipped, and to Delivered when the shipment says it arrived; the order follows. */
async function advance(
  client: VendureClient,
  s: Shipment,
  f: VendureFulfillment,
  exchanges: HttpExchange[],
): Promise<void> {
  const steps = [
    ...(f.state === 'Pending' ? ['Shipped'] : []),
    ...(delivered(s) && f.state !== 'Delivered' ? ['Delivered'] : []),
  ];
  for (const state of steps) {
    const what = `shipment ${s.number}: fulfillment ${f.id} is in Vendure, but moving it to ${state}`;
    const res = await client.request<Transition>(
      TRANSITION_FULFILLMENT,
      { id: f.id, state },
      { what, record: exchanges, idempotent: true },
    );
    unwrap(res.transitionFulfillmentToState, what);
  }
}

async function writeOne(
  client: VendureClient,
  item: WriteItem,
  exchanges: HttpExchange[],
): Promise<WriteResult> {
  const s = item.data as Shipment;
  const what = `shipment ${s.number}`;
  if (item.action === 'update') {
    const id = item.targetId ?? item.existing?.id;
    if (!id) throw rejected('invalid_data', `${what}: an update needs its Vendure fulfillment id`);
    return { ref: item.ref, ok: true, targetId: id, action: 'updated', exchanges };
  }
  const covered = requireOrders(what, shipmentOrders(s), item.refs);
  const orders = await ordersById(
    client,
    covered.map((c) => c.id),
    exchanges,
  );
  const found = covered.map((c) => {
    const order = orders.get(c.id);
    if (!order) throw rejected('not_found', `${what}: Vendure has no order ${c.id} (order ${c.number})`);
    return { number: c.number, order };
  });
  // A fulfillment left Pending by an earlier attempt is completed, not made twice.
  const earlier = carrying(found[0]!.order, s.number);
  if (earlier) {
    await advance(client, s, earlier, exchanges);
    return { ref: item.ref, ok: true, targetId: earlier.id, action: 'created', exchanges };
  }
  for (const f of found) shippable(what, f.order);
  const lines = fulfillmentLines(s, found);
  const args = [
    { name: 'method', value: fulfillmentMethod(s) },
    { name: 'trackingCode', value: s.trackingNumbers.join(', ') },
  ];
  const res = await client.request<{ addFulfillmentToOrder: VendureFulfillment | VendureErrorResult }>(
    ADD_FULFILLMENT_TO_ORDER,
    { input: { lines, handler: { code: MANUAL_HANDLER, arguments: args } } },
    { what: `${what}: add the fulfillment`, record: exchanges },
  );
  const created = unwrap(res.addFulfillmentToOrder, `${what} on Vendure order ${found[0]!.order.code}`);
  await advance(client, s, created, exchanges);
  return { ref: item.ref, ok: true, targetId: created.id, action: 'created', exchanges };
}

/**
 * ERP shipments → Vendure fulfillments (addFulfillmentToOrder with the manual handler): the lines
 * matched to the order's lines by SKU, the tracking numbers as the tracking code, the ERP number in
 * the method; then Shipped (and Delivered when the shipment says so), which moves the order to
 * PartiallyShipped or Shipped. A shipment covering several orders becomes one fulfillment of them
 * all. Created once: an update has nothing to change.
 */
export async function writeShipments(
  client: VendureClient,
  items: readonly WriteItem[],
): Promise<WriteResult[]> {
  return Promise.all(
    items.map(async (item): Promise<WriteResult> => {
      const exchanges: HttpExchange[] = [];
      try {
        return await writeOne(client, item, exchanges);
      } catch (e) {
        const error = toErrorData(e);
        if (error.category === 'config') throw e;
        return { ref: item.ref, ok: false, error, exchanges };
      }
    }),
  );
}
