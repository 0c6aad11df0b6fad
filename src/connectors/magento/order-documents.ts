import { Decimal } from 'decimal.js';
import type { References, TargetRecord } from '../sdk/contract.js';
import { LedgerlinkError, rejected } from '../sdk/errors.js';
import type { HttpExchange } from '../sdk/http.js';
import type { MagentoClient } from './client.js';
import { topLevelItems } from './mappers/sales-order.js';
import { apiNumber } from './mappers/values.js';
import { chunks, KEYS_PER_SEARCH, searchAll } from './paging.js';
import type {
  MagentoDocumentComment,
  MagentoDocumentItemRequest,
  MagentoOrder,
  MagentoOrderItem,
} from './sales-types.js';
import { anyOf } from './search-criteria.js';

/**
 * What shipments and invoices from the ERP have in common: each is recorded on the Magento orders
 * it covers (one Magento document per order), carries the ERP's number in its comment ("ERP
 * shipment 000123"), and is found again by that comment — Magento has no field for another
 * system's document number.
 */
export type DocumentKind = 'shipment' | 'invoice';

export const documentComment = (kind: DocumentKind, number: string) => `ERP ${kind} ${number}`;

/** The Magento orders a document covers, in the order the document names them. */
export interface CoveredOrder {
  /** The order's number in the source (the key of refs.salesOrder). */
  number: string;
  id: number;
}

/** The orders by their Magento ids, or undefined when one has not reached Magento yet. */
export function coveredOrders(
  orderNumbers: readonly string[],
  refs: References | undefined,
): CoveredOrder[] | undefined {
  const out: CoveredOrder[] = [];
  for (const number of new Set(orderNumbers)) {
    const id = refs?.salesOrder?.[number];
    if (id === undefined) return undefined;
    out.push({ number, id: Number(id) });
  }
  return out.length ? out : undefined;
}

/** The orders a document covers, or an error saying which order is not in Magento yet. */
export function requireOrders(
  what: string,
  orderNumbers: readonly string[],
  refs: References | undefined,
): CoveredOrder[] {
  if (!orderNumbers.length) throw rejected('missing_field', `${what} names no sales order to record it on`);
  const covered = coveredOrders(orderNumbers, refs);
  if (covered) return covered;
  const missing = orderNumbers.filter((n) => refs?.salesOrder?.[n] === undefined);
  throw new LedgerlinkError({
    code: 'waiting_dependency',
    category: 'transient',
    message: `${what}: order ${missing.join(', ')} is not in Magento yet; sync the order first`,
  });
}

/** `<order id>:<number>`, or `<id>,<id>:<number>` for a document covering several orders. */
export function documentKey(
  orderNumbers: readonly string[],
  number: string,
  refs?: References,
): string | undefined {
  const covered = coveredOrders(orderNumbers, refs);
  return covered && number ? `${covered.map((o) => o.id).join(',')}:${number}` : undefined;
}

function parseKey(key: string): { orderIds: number[]; number: string } {
  const cut = key.indexOf(':');
  return { orderIds: key.slice(0, cut).split(',').map(Number), number: key.slice(cut + 1) };
}

interface OrderDocument {
  entity_id?: number;
  order_id: number;
  comments?: MagentoDocumentComment[];
}

/** The documents of these orders that carry the ERP comment for `number`, by order id. */
export function carrying<T extends OrderDocument>(
  docs: readonly T[],
  kind: DocumentKind,
  number: string,
): Map<number, T> {
  const text = documentComment(kind, number);
  const out = new Map<number, T>();
  for (const d of docs)
    if (!out.has(d.order_id) && (d.comments ?? []).some((c) => c.comment.trim() === text))
      out.set(d.order_id, d);
  return out;
}

/** Every shipment or invoice of these orders, in one search per hundred orders. */
export async function documentsOf<T extends OrderDocument>(
  client: MagentoClient,
  path: string,
  orderIds: readonly number[],
  record?: HttpExchange[],
): Promise<T[]> {
  const out: T[] = [];
  for (const chunk of chunks([...new Set(orderIds)], KEYS_PER_SEARCH))
    out.push(
      ...(await searchAll<T>(
        client,
        path,
        [anyOf('order_id', chunk.map(String))],
        KEYS_PER_SEARCH,
        (d) => Number(d.entity_id),
        record,
      )),
    );
  return out;
}

/**
 * Finds documents by key: the documents of every order the keys name, listed once, matched on the
 * ERP comment. A key is found only when each of its orders has its document, so a document that
 * reached only some of its orders is written again (and the write skips the orders it reached).
 */
export async function lookupDocuments<T extends OrderDocument>(
  client: MagentoClient,
  path: string,
  kind: DocumentKind,
  keys: readonly string[],
): Promise<Map<string, TargetRecord>> {
  const parsed = keys.map((k) => ({ key: k, ...parseKey(k) }));
  const docs = await documentsOf<T>(
    client,
    path,
    parsed.flatMap((p) => p.orderIds),
  );
  const out = new Map<string, TargetRecord>();
  for (const p of parsed) {
    const found = carrying(
      docs.filter((d) => p.orderIds.includes(d.order_id)),
      kind,
      p.number,
    );
    const first = found.get(p.orderIds[0]!);
    if (first && p.orderIds.every((id) => found.has(id)))
      out.set(p.key, { id: String(first.entity_id), snapshot: first });
  }
  return out;
}

/** A document line to place on an order: SKU, quantity, and the order line it names, if any. */
export interface DocumentLine {
  lineNumber: number;
  sku: string;
  quantity: string;
  /** Position of the order line (1-based), the tie-break between order lines with the same SKU. */
  orderLineNumber?: number;
}

/**
 * Matches document lines to order items by SKU (regardless of case) against what is still open on
 * each item; among items with the same SKU, the one at the line's orderLineNumber first, then in
 * order. A SKU the order lacks, or more than remains, is refused with the numbers.
 */
export function allocate(
  lines: readonly DocumentLine[],
  order: MagentoOrder,
  left: (i: MagentoOrderItem) => Decimal,
  words: { what: string; verb: 'ship' | 'invoice' },
): MagentoDocumentItemRequest[] {
  const items = topLevelItems(order);
  const open = new Map(items.map((i) => [i, left(i)]));
  const picked = new Map<number, Decimal>();
  const orderName = `order ${order.increment_id ?? order.entity_id}`;
  for (const l of [...lines].sort((a, b) => a.lineNumber - b.lineNumber)) {
    let need = new Decimal(l.quantity);
    if (need.lte(0)) continue;
    const same = items.filter((i) => i.sku.toLowerCase() === l.sku.toLowerCase());
    if (!same.length)
      throw rejected('invalid_data', `${words.what}: ${orderName} has no line with SKU ${l.sku}`);
    const named = l.orderLineNumber ? items[l.orderLineNumber - 1] : undefined;
    const candidates = named && same.includes(named) ? [named, ...same.filter((i) => i !== named)] : same;
    for (const i of candidates) {
      const take = Decimal.min(need, open.get(i)!);
      if (take.lte(0)) continue;
      open.set(i, open.get(i)!.minus(take));
      picked.set(i.item_id!, (picked.get(i.item_id!) ?? new Decimal(0)).plus(take));
      need = need.minus(take);
      if (need.isZero()) break;
    }
    if (need.gt(0)) {
      const available = same.reduce((s, i) => s.plus(left(i)), new Decimal(0));
      throw rejected(
        'invalid_data',
        `${words.what}: line ${l.lineNumber} would ${words.verb} ${l.quantity} of SKU ${l.sku}, but ${orderName} has only ${available.toFixed()} left to ${words.verb}`,
      );
    }
  }
  if (!picked.size)
    throw rejected('invalid_data', `${words.what} has nothing to ${words.verb} on ${orderName}`);
  return [...picked].map(([id, qty]) => ({
    order_item_id: id,
    qty: apiNumber(qty.toFixed(), `${words.what}: quantity`),
  }));
}

/** What is open on an order item: ordered, less canceled and refunded, less what the document kind already covers. */
export const leftTo =
  (kind: DocumentKind) =>
  (i: MagentoOrderItem): Decimal =>
    Decimal.max(
      0,
      new Decimal(i.qty_ordered ?? 0)
        .minus(i.qty_canceled ?? 0)
        .minus(i.qty_refunded ?? 0)
        .minus((kind === 'shipment' ? i.qty_shipped : i.qty_invoiced) ?? 0),
    );
