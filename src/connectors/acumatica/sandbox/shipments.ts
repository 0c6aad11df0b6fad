import { randomUUID } from 'node:crypto';
import type { Decimal } from 'decimal.js';
import {
  type RawPackage,
  type RawShipment,
  type RawShipmentLine,
  type RawShipmentOrder,
  str,
  val,
} from '../types.js';
import { findOrder, shippedByLine, touchOrders } from './orders.js';
import { ActionFailed, empty, notFound, Problems } from './problems.js';
import type { PushRow } from './push.js';
import { ORDER_TYPES, SHIP_VIAS } from './reference.js';
import { mergeFields, mergeRows, type SalesStore } from './store.js';
import { dec, sum, toNumber } from './totals.js';

const v = <T>(value: T) => ({ value });

const DERIVED = new Set([
  'ShipmentNbr',
  'Type',
  'Operation',
  'Status',
  'ShippedQty',
  'PackageCount',
  'Orders',
  'Details',
  'Packages',
  'LastModifiedDateTime',
]);

/** Statuses after confirmation: the goods have left, the lines can no longer change. */
export const SHIPPED = ['Confirmed', 'Invoiced', 'Completed'];

export const shipmentRow = (s: RawShipment): PushRow => ({
  ShipmentNbr: str(s.ShipmentNbr) ?? null,
  Status: str(s.Status) ?? null,
});

const lineKey = (r: { LineNbr?: { value?: number | null } }) => {
  const n = val(r.LineNbr);
  return n === undefined ? undefined : String(n);
};

/** The orders a shipment's lines come from, as "type/number". */
const ordersOf = (s: RawShipment | undefined): string[] =>
  (s?.Details ?? []).map((d) => `${str(d.OrderType)}/${str(d.OrderNbr)}`);

/**
 * Creates or updates a shipment from what a PUT sent. Lines name the order line they ship and may
 * ship part of it: never more than the line has open after its other shipments. Throws SaveRefused.
 */
export function saveShipment(store: SalesStore, body: RawShipment): RawShipment {
  const sent = str(body.ShipmentNbr);
  const existing = sent && sent !== '<NEW>' ? store.shipments.get(sent) : undefined;
  let next: RawShipment = existing
    ? structuredClone(existing)
    : { id: randomUUID(), Type: v('Shipment'), Operation: v('Issue') };
  next = mergeFields(next, body, DERIVED);
  const p = new Problems();
  const status = str(existing?.Status) ?? '';
  if (body.Details?.length && SHIPPED.includes(status))
    p.add(['Details'], `The shipment lines cannot be changed because the shipment is ${status}.`);
  next.Details = mergeRows(next.Details, body.Details, lineKey);
  next.Packages = mergeRows(next.Packages, body.Packages, lineKey);

  if (!existing) {
    const first = next.Details[0];
    const order = first
      ? findOrder(store, str(first.OrderType) ?? 'SO', str(first.OrderNbr) ?? '')
      : undefined;
    next.ShipmentDate ??= v(store.today());
    next.Hold ??= v(false);
    next.WarehouseID ??= v('MAIN');
    if (order && !str(next.CustomerID)) next.CustomerID = v(str(order.CustomerID)!);
    if (order && !str(next.ShipVia) && str(order.ShipVia)) next.ShipVia = v(str(order.ShipVia)!);
  }
  validateShipment(store, next, p);
  p.throwIfAny('Shipment', next);

  if (!existing) next.ShipmentNbr = v(store.nextNumber('shipment', ''));
  computeShipment(store, next);
  next.LastModifiedDateTime = v(store.ctx.now());
  store.shipments.set(str(next.ShipmentNbr)!, next);
  store.ctx.push.changed('Shipment', existing ? shipmentRow(existing) : undefined, shipmentRow(next));
  touchOrders(store, [...ordersOf(existing), ...ordersOf(next)]);
  return next;
}

function validateShipment(store: SalesStore, s: RawShipment, p: Problems): void {
  const customer = str(s.CustomerID);
  if (!customer) p.add(['CustomerID'], empty('Customer'));
  else if (!store.ctx.customers.has(customer)) p.add(['CustomerID'], notFound('Customer'));
  const shipVia = str(s.ShipVia);
  if (shipVia && !SHIP_VIAS[shipVia]) p.add(['ShipVia'], notFound('Ship Via'));
  if ((s.Details ?? []).length === 0) p.add(['Details'], 'The shipment has no lines.');
  /** Quantity of each order line on this shipment's earlier lines. */
  const here = new Map<string, Decimal>();
  for (const [i, d] of (s.Details ?? []).entries()) {
    const at = (f: string) => ['Details', i, f];
    const type = str(d.OrderType) ?? 'SO';
    const nbr = str(d.OrderNbr);
    if (!nbr) {
      p.add(at('OrderNbr'), empty('Order Nbr.'));
      continue;
    }
    const order = findOrder(store, type, nbr);
    if (!order) {
      p.add(at('OrderNbr'), notFound('Order Nbr.'));
      continue;
    }
    if (!ORDER_TYPES[type]?.ships) {
      p.add(at('OrderType'), `Orders of the ${type} type cannot be shipped.`);
      continue;
    }
    if (val(order.Hold) === true) {
      p.add(at('OrderNbr'), `The order ${nbr} is on hold and cannot be shipped.`);
      continue;
    }
    if (customer && str(order.CustomerID) !== customer) {
      p.add(at('OrderNbr'), `The order ${nbr} belongs to another customer.`);
      continue;
    }
    const lineNbr = val(d.OrderLineNbr);
    const line = (order.Details ?? []).find((l) => val(l.LineNbr) === lineNbr);
    if (!line) {
      p.add(at('OrderLineNbr'), notFound('Order Line Nbr.'));
      continue;
    }
    const sku = str(d.InventoryID);
    if (sku && sku !== str(line.InventoryID)) {
      p.add(at('InventoryID'), `The item ${sku} is not on line ${lineNbr} of the order ${nbr}.`);
      continue;
    }
    const qty = val(d.ShippedQty);
    if (typeof qty !== 'number' || qty <= 0) {
      p.add(at('ShippedQty'), "'Shipped Qty.' must be greater than 0.");
      continue;
    }
    const key = `${type}/${nbr}/${lineNbr}`;
    const elsewhere = otherShipments(store, s, type, nbr, lineNbr!);
    const before = here.get(key) ?? dec(0);
    const open = dec(val(line.OrderQty)).minus(elsewhere).minus(before);
    here.set(key, before.plus(qty));
    if (dec(qty).greaterThan(open))
      p.add(
        at('ShippedQty'),
        `The shipped quantity (${qty}) exceeds the quantity open on line ${lineNbr} of the order ${nbr} (${open.toFixed()}).`,
      );
  }
}

/** Quantity of an order line on shipments other than this one. */
function otherShipments(store: SalesStore, s: RawShipment, type: string, nbr: string, line: number): Decimal {
  let total = dec(0);
  for (const other of store.shipments.values()) {
    if (str(other.ShipmentNbr) === str(s.ShipmentNbr)) continue;
    for (const d of other.Details ?? [])
      if (str(d.OrderType) === type && str(d.OrderNbr) === nbr && val(d.OrderLineNbr) === line)
        total = total.plus(dec(val(d.ShippedQty)));
  }
  return total;
}

function computeShipment(store: SalesStore, s: RawShipment): void {
  let n = Math.max(0, ...(s.Details ?? []).map((d) => val(d.LineNbr) ?? 0));
  for (const d of s.Details ?? []) fillLine(store, d, () => ++n);
  let pk = Math.max(0, ...(s.Packages ?? []).map((x) => val(x.LineNbr) ?? 0));
  for (const x of s.Packages ?? []) {
    if (val(x.LineNbr) === undefined) x.LineNbr = v(++pk);
    x.Confirmed ??= v(SHIPPED.includes(str(s.Status) ?? ''));
  }
  const orders = new Map<string, RawShipmentOrder>();
  for (const d of s.Details ?? []) {
    const key = `${str(d.OrderType)}/${str(d.OrderNbr)}`;
    const prev = (s.Orders ?? []).find((o) => `${str(o.OrderType)}/${str(o.OrderNbr)}` === key);
    const row: RawShipmentOrder = orders.get(key) ?? {
      id: prev?.id ?? randomUUID(),
      OrderType: v(str(d.OrderType)!),
      OrderNbr: v(str(d.OrderNbr)!),
      ShipmentType: v('Shipment'),
      ShippedQty: v(0),
      ...(prev?.InvoiceNbr ? { InvoiceType: v('Invoice'), InvoiceNbr: prev.InvoiceNbr } : {}),
    };
    row.ShipmentNbr = v(str(s.ShipmentNbr)!);
    row.ShippedQty = v(toNumber(dec(val(row.ShippedQty)).plus(dec(val(d.ShippedQty)))));
    orders.set(key, row);
  }
  s.Orders = [...orders.values()];
  s.ShippedQty = v(toNumber(sum((s.Details ?? []).map((d) => val(d.ShippedQty)))));
  s.PackageCount = v((s.Packages ?? []).length);
  const status = str(s.Status);
  if (!status || !SHIPPED.includes(status)) s.Status = v(val(s.Hold) === true ? 'On Hold' : 'Open');
}

function fillLine(store: SalesStore, d: RawShipmentLine, next: () => number): void {
  if (val(d.LineNbr) === undefined) d.LineNbr = v(next());
  d.OrderType ??= v('SO');
  const order = findOrder(store, str(d.OrderType)!, str(d.OrderNbr) ?? '');
  const line = (order?.Details ?? []).find((l) => val(l.LineNbr) === val(d.OrderLineNbr));
  if (!line) return;
  d.InventoryID ??= v(str(line.InventoryID)!);
  d.UOM ??= v(str(line.UOM) ?? 'EA');
  d.Description ??= v(str(line.LineDescription) ?? '');
  d.WarehouseID ??= v(str(line.WarehouseID) ?? 'MAIN');
  d.OrderedQty = v(val(line.OrderQty) ?? 0);
}

/** The Confirm Shipment action: the goods have left; the orders' shipped quantities move. */
export function confirmShipment(store: SalesStore, nbr: string): RawShipment {
  const s = store.shipments.get(nbr);
  if (!s) throw new ActionFailed(`The shipment ${nbr} cannot be found in the system.`);
  const status = str(s.Status);
  if (status === 'On Hold') throw new ActionFailed(`The shipment ${nbr} is on hold and cannot be confirmed.`);
  if (status !== 'Open') throw new ActionFailed(`The shipment ${nbr} has already been confirmed.`);
  const before = shipmentRow(s);
  s.Status = v('Confirmed');
  for (const x of s.Packages ?? []) x.Confirmed = v(true);
  s.LastModifiedDateTime = v(store.ctx.now());
  store.ctx.push.changed('Shipment', before, shipmentRow(s));
  touchOrders(store, ordersOf(s));
  return s;
}

export interface ShipOptions {
  /** Partial quantities by order line; every open line in full when omitted. */
  lines?: ReadonlyArray<{ lineNbr: number; qty: number | string }>;
  trackingNumbers?: readonly string[];
  shipVia?: string;
  shipmentDate?: string;
}

/**
 * What the Create Shipment action of an order and a person on the Shipments screen do: a shipment
 * of the order's open quantities (or the ones given), with a package per tracking number.
 */
export function shipOrder(store: SalesStore, type: string, nbr: string, o: ShipOptions = {}): RawShipment {
  const order = findOrder(store, type, nbr);
  if (!order) throw new ActionFailed(`The order ${type} ${nbr} cannot be found in the system.`);
  const status = str(order.Status);
  if (status === 'On Hold' || status === 'Canceled')
    throw new ActionFailed(`The ${type} ${nbr} sales order cannot be shipped in the ${status} status.`);
  const onShipments = shippedByLine(store, order);
  const wanted =
    o.lines ??
    (order.Details ?? []).map((l) => ({
      lineNbr: val(l.LineNbr)!,
      qty: toNumber(dec(val(l.OrderQty)).minus(onShipments.get(val(l.LineNbr)!) ?? dec(0))),
    }));
  const details: RawShipmentLine[] = wanted
    .filter((w) => dec(w.qty).greaterThan(0))
    .map((w) => ({
      OrderType: v(type),
      OrderNbr: v(nbr),
      OrderLineNbr: v(w.lineNbr),
      ShippedQty: v(toNumber(dec(w.qty))),
    }));
  if (details.length === 0) throw new ActionFailed(`The order ${nbr} has no quantities left to ship.`);
  const packages: RawPackage[] = (o.trackingNumbers ?? []).map((t) => ({
    BoxID: v('LARGE'),
    TrackingNbr: v(t),
    Weight: v(1),
  }));
  const body: RawShipment = { CustomerID: v(str(order.CustomerID)!), Details: details, Packages: packages };
  if (o.shipVia) body.ShipVia = v(o.shipVia);
  if (o.shipmentDate) body.ShipmentDate = v(o.shipmentDate);
  return saveShipment(store, body);
}
