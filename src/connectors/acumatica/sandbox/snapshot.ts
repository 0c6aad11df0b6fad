import { Decimal } from 'decimal.js';
import type {
  RawCustomer,
  RawPayment,
  RawSalesInvoice,
  RawSalesOrder,
  RawShipment,
  RawStockItem,
} from '../types.js';
import type { OrderShare, SalesStore } from './store.js';

type Share = { discount: string; freight: string; taxes: Array<[string, { taxable: string; tax: string }]> };

/**
 * What the tenant holds, as JSON: its records and documents, what released invoices took from the
 * payments applied to their orders, and the numbering sequences — enough for a sandbox started
 * from it to go on where this one stopped (sessions and push destinations are not kept: a restart
 * ends them on a real site too).
 */
export interface AcumaticaSnapshot {
  system: 'acumatica';
  version: 1;
  customers: Array<[string, RawCustomer]>;
  items: Array<[string, RawStockItem]>;
  orders: Array<[string, RawSalesOrder]>;
  shipments: Array<[string, RawShipment]>;
  invoices: Array<[string, RawSalesInvoice]>;
  payments: Array<[string, RawPayment]>;
  orderCredit: Array<[string, Array<[string, string]>]>;
  orderShares: Array<[string, Array<[string, Share]>]>;
  sequences: Array<[string, number]>;
  /** Orders Cancel Order cancelled ("type/number"); absent in snapshots taken before it existed. */
  canceledOrders?: string[];
}

export function snapshotOf(
  customers: Map<string, RawCustomer>,
  items: Map<string, RawStockItem>,
  store: SalesStore,
): AcumaticaSnapshot {
  return {
    system: 'acumatica',
    version: 1,
    customers: [...customers],
    items: [...items],
    orders: [...store.orders],
    shipments: [...store.shipments],
    invoices: [...store.invoices],
    payments: [...store.payments],
    orderCredit: [...store.orderCredit].map(([inv, m]) => [inv, [...m].map(([o, d]) => [o, d.toString()])]),
    orderShares: [...store.orderShares].map(([inv, m]) => [
      inv,
      [...m].map(([o, s]) => [
        o,
        {
          discount: s.discount.toString(),
          freight: s.freight.toString(),
          taxes: [...s.taxes].map(([t, x]) => [t, { taxable: x.taxable.toString(), tax: x.tax.toString() }]),
        },
      ]),
    ]),
    sequences: [...store.sequences],
    canceledOrders: [...store.canceledOrders],
  };
}

/** Fills empty maps and store from a snapshot. */
export function restoreFrom(
  snap: AcumaticaSnapshot,
  customers: Map<string, RawCustomer>,
  items: Map<string, RawStockItem>,
  store: SalesStore,
): void {
  if (snap.system !== 'acumatica' || snap.version !== 1)
    throw new Error('not a snapshot of an Acumatica sandbox (version 1)');
  for (const [k, v] of snap.customers) customers.set(k, v);
  for (const [k, v] of snap.items) items.set(k, v);
  for (const [k, v] of snap.orders) store.orders.set(k, v);
  for (const [k, v] of snap.shipments) store.shipments.set(k, v);
  for (const [k, v] of snap.invoices) store.invoices.set(k, v);
  for (const [k, v] of snap.payments) store.payments.set(k, v);
  for (const [inv, m] of snap.orderCredit)
    store.orderCredit.set(inv, new Map(m.map(([o, d]) => [o, new Decimal(d)])));
  for (const [inv, m] of snap.orderShares)
    store.orderShares.set(
      inv,
      new Map(
        m.map(([o, s]): [string, OrderShare] => [
          o,
          {
            discount: new Decimal(s.discount),
            freight: new Decimal(s.freight),
            taxes: new Map(
              s.taxes.map(([t, x]) => [t, { taxable: new Decimal(x.taxable), tax: new Decimal(x.tax) }]),
            ),
          },
        ]),
      ),
    );
  for (const [k, v] of snap.sequences) store.sequences.set(k, v);
  for (const k of snap.canceledOrders ?? []) store.canceledOrders.add(k);
}
