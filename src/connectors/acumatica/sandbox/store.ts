import { randomUUID } from 'node:crypto';
import type { Decimal } from 'decimal.js';
import type {
  RawCustomer,
  RawEntity,
  RawPayment,
  RawSalesInvoice,
  RawSalesOrder,
  RawShipment,
  RawStockItem,
} from '../types.js';
import type { PushNotifier } from './push.js';

/** An invoice's part of an order's document-level amounts. */
export interface OrderShare {
  discount: Decimal;
  freight: Decimal;
  taxes: Map<string, { taxable: Decimal; tax: Decimal }>;
}

export interface SalesContext {
  customers: Map<string, RawCustomer>;
  items: Map<string, RawStockItem>;
  /** The tenant's clock: strictly increasing, so two saves never share a stamp by accident. */
  now: () => string;
  push: PushNotifier;
}

/**
 * The sales documents of the sandbox tenant. Each map is keyed by the document's number: numbering
 * sequences differ per order type (SO…, QT…), so an order number names one order, as do shipment,
 * invoice (AR…) and payment numbers.
 */
export class SalesStore {
  readonly orders = new Map<string, RawSalesOrder>();
  readonly shipments = new Map<string, RawShipment>();
  readonly invoices = new Map<string, RawSalesInvoice>();
  readonly payments = new Map<string, RawPayment>();
  /** What each released invoice took from the payments applied to its orders: invoice → order → amount. */
  readonly orderCredit = new Map<string, Map<string, Decimal>>();
  /** The part of each order's discount, taxes and freight each invoice carries: invoice → order → share. */
  readonly orderShares = new Map<string, Map<string, OrderShare>>();
  /** Orders cancelled by Cancel Order (and not reopened since), by "type/number". */
  readonly canceledOrders = new Set<string>();
  /** The last number of each numbering sequence. */
  readonly sequences = new Map<string, number>();

  constructor(readonly ctx: SalesContext) {}

  /** The next number of a numbering sequence: prefix and six digits. */
  nextNumber(sequence: string, prefix: string): string {
    const n = (this.sequences.get(sequence) ?? 0) + 1;
    this.sequences.set(sequence, n);
    return `${prefix}${String(n).padStart(6, '0')}`;
  }

  /** Today as Acumatica writes a date: midnight, with the zone. */
  today(): string {
    return `${new Date().toISOString().slice(0, 10)}T00:00:00+00:00`;
  }
}

/** Merges rows sent for a detail collection into the stored ones, the way the contract-based API does:
 * a row with an `id` or the same key updates that row, `delete: true` removes it, any other row is added. */
export function mergeRows<T extends RawEntity>(
  current: readonly T[] | undefined,
  incoming: readonly T[] | undefined,
  key: (r: T) => string | undefined,
): T[] {
  const rows = (current ?? []).map((r) => structuredClone(r));
  for (const sent of incoming ?? []) {
    const k = key(sent);
    const at = rows.findIndex((r) => (sent.id && r.id === sent.id) || (k !== undefined && key(r) === k));
    if ((sent as { delete?: unknown }).delete === true) {
      if (at >= 0) rows.splice(at, 1);
      continue;
    }
    const { delete: _drop, ...fields } = sent as T & { delete?: unknown };
    if (at >= 0) rows[at] = mergeFields(rows[at]!, fields as T);
    else rows.push({ ...structuredClone(fields), id: sent.id ?? randomUUID() } as T);
  }
  return rows;
}

/** Shallow merge of fields; a linked entity (an address) merges one level down. */
export function mergeFields<T extends RawEntity>(
  target: T,
  patch: Partial<T>,
  skip?: ReadonlySet<string>,
): T {
  const out = { ...target } as Record<string, unknown>;
  for (const [k, v] of Object.entries(patch)) {
    if (skip?.has(k) || v === undefined) continue;
    const cur = out[k];
    if (v && typeof v === 'object' && !Array.isArray(v) && !('value' in v) && cur && typeof cur === 'object')
      out[k] = { ...(cur as object), ...structuredClone(v) };
    else out[k] = structuredClone(v);
  }
  return out as T;
}
