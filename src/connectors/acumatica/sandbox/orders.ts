import { randomUUID } from 'node:crypto';
import {
  type RawAddress,
  type RawCustomer,
  type RawDocContact,
  type RawOrderPayment,
  type RawOrderShipment,
  type RawSalesOrder,
  type RawSalesOrderLine,
  str,
  val,
} from '../types.js';
import { orderApplicationsHeld } from './applications.js';
import { WAREHOUSES } from './data.js';
import { ActionFailed, empty, notFound, Problems } from './problems.js';
import type { PushRow } from './push.js';
import { CURRENCIES, DISCOUNT_CODES, ORDER_TYPES, PAYMENT_METHODS, SHIP_VIAS, TAXES } from './reference.js';
import { mergeFields, mergeRows, type SalesStore } from './store.js';
import {
  dec,
  documentTotal,
  extendedPrice,
  lineAmount,
  percentDiscount,
  round2,
  sum,
  taxOn,
  toNumber,
} from './totals.js';

const v = <T>(value: T) => ({ value });

/** Fields Acumatica computes; a value sent for them is ignored. */
const DERIVED = new Set([
  'OrderNbr',
  'Status',
  'OrderTotal',
  'TaxTotal',
  'OrderedQty',
  'Payments',
  'Shipments',
  'LastModified',
  'CreatedDate',
  'Details',
  'TaxDetails',
  'DiscountDetails',
  'Totals',
]);

export const orderKey = (o: RawSalesOrder): string => `${str(o.OrderType)}/${str(o.OrderNbr)}`;

/** The row of the LL-SalesOrders generic inquiry. */
export const orderRow = (o: RawSalesOrder): PushRow => ({
  OrderType: str(o.OrderType) ?? null,
  OrderNbr: str(o.OrderNbr) ?? null,
  Status: str(o.Status) ?? null,
  LastModifiedDateTime: str(o.LastModified) ?? null,
});

export const isCanceled = (store: SalesStore, o: RawSalesOrder): boolean =>
  store.canceledOrders.has(orderKey(o));

export function findOrder(store: SalesStore, type: string, nbr: string): RawSalesOrder | undefined {
  const o = store.orders.get(nbr);
  return o && str(o.OrderType) === type ? o : undefined;
}

/** Where the customer's documents go unless the order overrides it: the billing, else main, contact. */
function customerAddress(c: RawCustomer, kind: 'BillingContact' | 'ShippingContact'): RawAddress | undefined {
  const a = c[kind]?.Address ?? c.MainContact?.Address;
  return a ? structuredClone({ ...a, id: randomUUID() }) : undefined;
}

function customerContact(c: RawCustomer): RawDocContact {
  const m = c.MainContact;
  const out: RawDocContact = { id: randomUUID(), BusinessName: v(str(c.CustomerName) ?? '') };
  const name = [str(m?.FirstName), str(m?.LastName)].filter(Boolean).join(' ');
  if (name) out.Attention = v(name);
  const email = str(m?.Email) ?? str(c.Email);
  if (email) out.Email = v(email);
  if (str(m?.Phone1)) out.Phone1 = v(str(m?.Phone1)!);
  return out;
}

/**
 * Creates or updates an order from what a PUT sent: merges it into the stored order, applies the
 * defaults Acumatica fills in, validates, and computes lines, taxes and totals. Throws SaveRefused.
 */
export function saveOrder(store: SalesStore, body: RawSalesOrder): RawSalesOrder {
  const type = str(body.OrderType) ?? 'SO';
  const sentNbr = str(body.OrderNbr);
  const existing = sentNbr && sentNbr !== '<NEW>' ? findOrder(store, type, sentNbr) : undefined;
  let next: RawSalesOrder = existing ? structuredClone(existing) : { id: randomUUID(), OrderType: v(type) };
  next = mergeFields(next, body, DERIVED);
  next.Details = mergeRows(next.Details, body.Details, (r) => {
    const n = val(r.LineNbr);
    return n === undefined ? undefined : String(n);
  });
  next.TaxDetails = mergeRows(next.TaxDetails, body.TaxDetails, (r) => str(r.TaxID));
  next.DiscountDetails = mergeRows(next.DiscountDetails, body.DiscountDetails, (r) => str(r.DiscountCode));
  if (body.Totals) {
    next.Totals = { ...(next.Totals ?? {}) };
    if (body.Totals.Freight !== undefined) next.Totals.Freight = body.Totals.Freight;
    if (body.Totals.OverrideFreightAmount !== undefined)
      next.Totals.OverrideFreightAmount = body.Totals.OverrideFreightAmount;
  }

  const customer = store.ctx.customers.get(str(next.CustomerID) ?? '');
  if (!existing) applyDefaults(store, next, customer);
  const problems = validateOrder(store, next, existing, customer);
  // Hold is the order's own check box: it can be set while nothing of the order has left the warehouse.
  const status = str(existing?.Status);
  if (existing && val(body.Hold) === true && val(existing.Hold) !== true && !HOLDABLE.includes(status ?? ''))
    problems.add(['Hold'], `The sales order cannot be put on hold in the ${status} status.`);
  problems.throwIfAny('SalesOrder', next);

  if (!existing) {
    next.OrderNbr = v(store.nextNumber(`order:${type}`, ORDER_TYPES[type]!.prefix));
    next.CreatedDate = v(store.ctx.now());
  }
  computeOrder(store, next);
  next.LastModified = v(store.ctx.now());
  store.orders.set(str(next.OrderNbr)!, next);
  store.ctx.push.changed('SalesOrder', existing ? orderRow(existing) : undefined, orderRow(next));
  return next;
}

function applyDefaults(store: SalesStore, o: RawSalesOrder, customer: RawCustomer | undefined): void {
  o.Date ??= v(store.today());
  o.Hold ??= v(false);
  o.DisableAutomaticTaxCalculation ??= v(false);
  if (customer) {
    o.CurrencyID ??= v(str(customer.CurrencyID) ?? 'USD');
    const contact = customerContact(customer);
    if (val(o.BillToAddressOverride) !== true) {
      const a = customerAddress(customer, 'BillingContact');
      if (a) o.BillToAddress = a;
    }
    if (val(o.ShipToAddressOverride) !== true) {
      const a = customerAddress(customer, 'ShippingContact');
      if (a) o.ShipToAddress = a;
    }
    if (val(o.BillToContactOverride) !== true) o.BillToContact = contact;
    if (val(o.ShipToContactOverride) !== true) o.ShipToContact = structuredClone(contact);
  }
  o.BillToAddressOverride ??= v(false);
  o.ShipToAddressOverride ??= v(false);
  o.BillToContactOverride ??= v(false);
  o.ShipToContactOverride ??= v(false);
}

function validateOrder(
  store: SalesStore,
  o: RawSalesOrder,
  existing: RawSalesOrder | undefined,
  customer: RawCustomer | undefined,
): Problems {
  const p = new Problems();
  if (!ORDER_TYPES[str(o.OrderType) ?? '']) p.add(['OrderType'], notFound('Order Type'));
  if (!str(o.CustomerID)) p.add(['CustomerID'], empty('Customer'));
  else if (!customer) p.add(['CustomerID'], notFound('Customer'));
  const cur = str(o.CurrencyID);
  if (cur && !CURRENCIES[cur]) p.add(['CurrencyID'], notFound('Currency'));
  const shipVia = str(o.ShipVia);
  if (shipVia && !SHIP_VIAS[shipVia]) p.add(['ShipVia'], notFound('Ship Via'));
  const method = str(o.PaymentMethod);
  if (method && !PAYMENT_METHODS[method]) p.add(['PaymentMethod'], notFound('Payment Method'));
  const shipped = existing ? shippedByLine(store, existing) : new Map<number, ReturnType<typeof dec>>();
  (o.Details ?? []).forEach((line, i) => {
    const at = (f: string) => ['Details', i, f];
    const sku = str(line.InventoryID);
    if (!sku) p.add(at('InventoryID'), empty('Inventory ID'));
    else if (!store.ctx.items.has(sku)) p.add(at('InventoryID'), notFound('Inventory ID'));
    const qty = val(line.OrderQty);
    if (typeof qty !== 'number' || qty <= 0) p.add(at('OrderQty'), "'Quantity' must be greater than 0.");
    const onShipments = shipped.get(val(line.LineNbr) ?? -1);
    if (typeof qty === 'number' && onShipments && dec(qty).lessThan(onShipments))
      p.add(at('OrderQty'), `'Quantity' cannot be less than the quantity on shipments (${onShipments}).`);
    const price = val(line.UnitPrice);
    if (typeof price === 'number' && price < 0) p.add(at('UnitPrice'), "'Unit Price' may not be negative.");
    const disc = val(line.DiscountAmount);
    if (typeof disc === 'number' && disc < 0)
      p.add(at('DiscountAmount'), "'Discount Amount' may not be negative.");
    const wh = str(line.WarehouseID);
    if (wh && !WAREHOUSES.includes(wh)) p.add(at('WarehouseID'), notFound('Warehouse'));
  });
  (o.TaxDetails ?? []).forEach((t, i) => {
    const id = str(t.TaxID);
    if (!id) p.add(['TaxDetails', i, 'TaxID'], empty('Tax ID'));
    else if (!TAXES[id]) p.add(['TaxDetails', i, 'TaxID'], notFound('Tax ID'));
  });
  (o.DiscountDetails ?? []).forEach((d, i) => {
    if (!DISCOUNT_CODES[str(d.DiscountCode) ?? ''])
      p.add(['DiscountDetails', i, 'DiscountCode'], notFound('Discount Code'));
  });
  return p;
}

/** Quantity of each order line on shipments of any status. */
export function shippedByLine(store: SalesStore, o: RawSalesOrder, confirmedOnly = false) {
  const out = new Map<number, ReturnType<typeof dec>>();
  for (const s of store.shipments.values()) {
    if (confirmedOnly && !['Confirmed', 'Invoiced', 'Completed'].includes(str(s.Status) ?? '')) continue;
    for (const d of s.Details ?? []) {
      if (str(d.OrderType) !== str(o.OrderType) || str(d.OrderNbr) !== str(o.OrderNbr)) continue;
      const line = val(d.OrderLineNbr) ?? -1;
      out.set(line, (out.get(line) ?? dec(0)).plus(dec(val(d.ShippedQty))));
    }
  }
  return out;
}

/** Fills the lines' defaults and amounts, the taxes, the totals, the tabs other documents feed, and the status. */
export function computeOrder(store: SalesStore, o: RawSalesOrder): void {
  let lineNbr = Math.max(0, ...(o.Details ?? []).map((l) => val(l.LineNbr) ?? 0));
  for (const l of o.Details ?? []) computeLine(store, l, () => ++lineNbr);

  const onShipments = shippedByLine(store, o);
  const confirmed = shippedByLine(store, o, true);
  for (const l of o.Details ?? []) {
    const n = val(l.LineNbr)!;
    const done = confirmed.get(n) ?? dec(0);
    l.QtyOnShipments = v(toNumber(onShipments.get(n) ?? dec(0)));
    l.OpenQty = v(toNumber(dec(val(l.OrderQty)).minus(done)));
    l.Completed = v(done.greaterThanOrEqualTo(dec(val(l.OrderQty))));
  }

  const lineTotal = sum((o.Details ?? []).map((l) => val(l.Amount)));
  const discountTotal = round2(sum((o.DiscountDetails ?? []).map((d) => val(d.DiscountAmount))));
  const manualTax = val(o.DisableAutomaticTaxCalculation) === true;
  for (const t of o.TaxDetails ?? []) {
    const rate = TAXES[str(t.TaxID)!]!.rate;
    if (!manualTax || val(t.TaxRate) === undefined) t.TaxRate = v(Number(rate));
    if (!manualTax || val(t.TaxableAmount) === undefined)
      t.TaxableAmount = v(toNumber(round2(lineTotal.minus(discountTotal))));
    if (!manualTax || val(t.TaxAmount) === undefined)
      t.TaxAmount = v(toNumber(taxOn(val(t.TaxableAmount), val(t.TaxRate))));
    t.OrderType = v(str(o.OrderType)!);
    if (str(o.OrderNbr)) t.OrderNbr = v(str(o.OrderNbr)!);
  }
  const taxTotal = sum((o.TaxDetails ?? []).map((t) => val(t.TaxAmount)));
  const totals = o.Totals ?? {};
  const override = val(totals.OverrideFreightAmount) === true;
  const freight = override
    ? round2(val(totals.Freight))
    : dec(SHIP_VIAS[str(o.ShipVia) ?? '']?.freight ?? '0');
  const orderTotal = documentTotal({ lineTotal, discountTotal, freight, taxTotal });

  o.Payments = orderPayments(store, o);
  const applied = sum(o.Payments.filter((p) => str(p.Status) !== 'Voided').map((p) => val(p.AppliedToOrder)));
  o.Shipments = orderShipments(store, o);
  o.Totals = {
    ...(totals.id ? { id: totals.id } : { id: randomUUID() }),
    LineTotalAmount: v(toNumber(lineTotal)),
    DiscountTotal: v(toNumber(discountTotal)),
    Freight: v(toNumber(freight)),
    OverrideFreightAmount: v(override),
    TaxTotal: v(toNumber(taxTotal)),
    UnpaidBalance: v(toNumber(orderTotal.minus(applied))),
  };
  o.TaxTotal = v(toNumber(taxTotal));
  o.OrderTotal = v(toNumber(orderTotal));
  o.OrderedQty = v(toNumber(sum((o.Details ?? []).map((l) => val(l.OrderQty)))));
  o.Status = v(orderStatus(o, isCanceled(store, o)));
}

function computeLine(store: SalesStore, l: RawSalesOrderLine, nextNbr: () => number): void {
  if (val(l.LineNbr) === undefined) l.LineNbr = v(nextNbr());
  const item = store.ctx.items.get(str(l.InventoryID) ?? '');
  l.UOM ??= v(str(item?.BaseUOM) ?? 'EA');
  l.LineDescription ??= v(str(item?.Description) ?? '');
  l.WarehouseID ??= v('MAIN');
  // A price typed on the line stays; otherwise the item's default price applies.
  if (val(l.UnitPrice) === undefined) l.UnitPrice = v(val(item?.DefaultPrice) ?? 0);
  l.ManualPrice ??= v(false);
  if (val(l.DiscountAmount) === undefined && val(l.DiscountPercent) !== undefined)
    l.DiscountAmount = v(
      toNumber(percentDiscount(val(l.OrderQty), val(l.UnitPrice), val(l.DiscountPercent))),
    );
  l.DiscountAmount ??= v(0);
  l.ManualDiscount ??= v(false);
  l.ExtendedPrice = v(toNumber(extendedPrice(val(l.OrderQty), val(l.UnitPrice))));
  l.Amount = v(toNumber(lineAmount(val(l.OrderQty), val(l.UnitPrice), val(l.DiscountAmount))));
}

/** The Payments tab: each payment or prepayment applied, with what it still holds once refunds took their part. */
function orderPayments(store: SalesStore, o: RawSalesOrder): RawOrderPayment[] {
  const out: RawOrderPayment[] = [];
  const key = orderKey(o);
  for (const p of store.payments.values()) {
    const held = orderApplicationsHeld(store, p);
    (p.OrdersToApply ?? []).forEach((a, i) => {
      if (str(a.OrderType) !== str(o.OrderType) || str(a.OrderNbr) !== str(o.OrderNbr)) return;
      out.push({
        id: a.id ?? randomUUID(),
        DocType: v(str(p.Type) ?? 'Payment'),
        ReferenceNbr: v(str(p.ReferenceNbr)!),
        AppliedToOrder: v(held[i]?.key === key ? toNumber(held[i]!.applied) : (val(a.AppliedToOrder) ?? 0)),
        PaymentAmount: v(val(p.PaymentAmount) ?? 0),
        Status: v(str(p.Status) ?? 'Balanced'),
        ...(str(p.PaymentRef) ? { PaymentRef: v(str(p.PaymentRef)!) } : {}),
      });
    });
  }
  return out;
}

function orderShipments(store: SalesStore, o: RawSalesOrder): RawOrderShipment[] {
  const out: RawOrderShipment[] = [];
  for (const s of store.shipments.values()) {
    const mine = (s.Details ?? []).filter(
      (d) => str(d.OrderType) === str(o.OrderType) && str(d.OrderNbr) === str(o.OrderNbr),
    );
    if (mine.length === 0) continue;
    const link = (s.Orders ?? []).find((x) => str(x.OrderNbr) === str(o.OrderNbr));
    const row: RawOrderShipment = {
      id: randomUUID(),
      ShipmentNbr: v(str(s.ShipmentNbr)!),
      ShipmentType: v('Shipment'),
      Status: v(str(s.Status) ?? 'Open'),
      ShipmentDate: v(str(s.ShipmentDate) ?? store.today()),
      ShippedQty: v(toNumber(sum(mine.map((d) => val(d.ShippedQty))))),
    };
    if (str(link?.InvoiceNbr)) {
      row.InvoiceType = v('Invoice');
      row.InvoiceNbr = v(str(link?.InvoiceNbr)!);
    }
    out.push(row);
  }
  return out;
}

/**
 * Canceled once Cancel Order ran; On Hold while held; Open until a shipment exists, then Shipping;
 * Completed when confirmed shipments cover every line and every shipment has been invoiced.
 */
function orderStatus(o: RawSalesOrder, canceled: boolean): string {
  if (canceled) return 'Canceled';
  if (val(o.Hold) === true) return 'On Hold';
  const shipments = o.Shipments ?? [];
  if (shipments.length === 0) return 'Open';
  const shippedAll =
    (o.Details ?? []).length > 0 && (o.Details ?? []).every((l) => val(l.Completed) === true);
  const invoicedAll = shipments.every((s) => str(s.InvoiceNbr) !== undefined);
  return shippedAll && invoicedAll ? 'Completed' : 'Shipping';
}

/**
 * Another document changed what an order shows (a shipment, a payment, an invoice): the order is
 * recomputed and saved, so its LastModified moves and a push names it.
 */
export function touchOrders(store: SalesStore, keys: Iterable<string>): void {
  for (const key of new Set(keys)) {
    const [type, nbr] = key.split('/') as [string, string];
    const o = findOrder(store, type, nbr);
    if (!o) continue;
    const before = orderRow(o);
    computeOrder(store, o);
    o.LastModified = v(store.ctx.now());
    store.ctx.push.changed('SalesOrder', before, orderRow(o));
  }
}

/** Statuses in which the Hold check box may be set (the sandbox's statuses; see FACTS.md). */
const HOLDABLE = ['Open', 'On Hold', 'Credit Hold', 'Awaiting Payment', 'Back Order'];

/** Statuses Cancel Order is available in (User Guide, Sales Order Cancellation: General Information). */
const CANCELLABLE = ['On Hold', 'Open', 'Awaiting Payment', 'Credit Hold'];

/**
 * The Cancel Order action (CancelSalesOrder). Refused, with the reason the operation ends with, when
 * the order has a shipment (Acumatica's own SO error OrderCantBeCancelled), is in a status the
 * action is not available in, or still holds money of a payment or prepayment applied to it; else
 * the order is Canceled and its lines completed. The payments stay applied (refund them first).
 */
export function cancelOrder(store: SalesStore, type: string, nbr: string): RawSalesOrder {
  const o = findOrder(store, type, nbr);
  if (!o) throw new ActionFailed(`The sales order ${type} ${nbr} cannot be found in the system.`);
  const shipment = (o.Shipments ?? [])[0];
  if (shipment)
    throw new ActionFailed(
      `The ${type} ${nbr} sales order cannot be cancelled because it already has the open ${str(shipment.ShipmentNbr)} shipment.`,
    );
  const status = str(o.Status) ?? '';
  if (!CANCELLABLE.includes(status))
    throw new ActionFailed(
      `The Cancel Order action is not available for a sales order with the ${status} status.`,
    );
  const paying = (o.Payments ?? []).find(
    (p) => (val(p.AppliedToOrder) ?? 0) > 0 && str(p.Status) !== 'Voided',
  );
  if (paying)
    throw new ActionFailed(
      `The ${type} ${nbr} sales order cannot be cancelled because the ${str(paying.DocType)} ${str(paying.ReferenceNbr)} is applied to it. Refund the payment or remove its application first.`,
    );
  const before = orderRow(o);
  store.canceledOrders.add(orderKey(o));
  for (const l of o.Details ?? []) l.Completed = v(true);
  computeOrder(store, o);
  for (const l of o.Details ?? []) l.Completed = v(true);
  o.LastModified = v(store.ctx.now());
  store.ctx.push.changed('SalesOrder', before, orderRow(o));
  return o;
}

/** The Reopen Order action (ReopenSalesOrder): a Canceled order goes back to its workflow's status. */
export function reopenOrder(store: SalesStore, type: string, nbr: string): RawSalesOrder {
  const o = findOrder(store, type, nbr);
  if (!o) throw new ActionFailed(`The sales order ${type} ${nbr} cannot be found in the system.`);
  if (!isCanceled(store, o))
    throw new ActionFailed(
      `The Reopen Order action is not available for a sales order with the ${str(o.Status)} status.`,
    );
  const before = orderRow(o);
  store.canceledOrders.delete(orderKey(o));
  computeOrder(store, o);
  o.LastModified = v(store.ctx.now());
  store.ctx.push.changed('SalesOrder', before, orderRow(o));
  return o;
}
