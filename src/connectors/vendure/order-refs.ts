import type { References } from '../sdk/contract.js';
import { LedgerlinkError, rejected } from '../sdk/errors.js';
import type { HttpExchange } from '../sdk/http.js';
import type { VendureClient } from './client.js';
import { chunks, KEYS_PER_REQUEST, listAll } from './paging.js';
import { ORDER_LIST } from './read-orders.js';
import type { VendureOrder } from './types.js';

/** An order an ERP document is recorded on: its number in the source and its Vendure id. */
export interface CoveredOrder {
  number: string;
  id: string;
}

/** The orders by their Vendure ids, or undefined when one has not reached Vendure yet. */
export function coveredOrders(
  orderNumbers: readonly string[],
  refs: References | undefined,
): CoveredOrder[] | undefined {
  const out: CoveredOrder[] = [];
  for (const number of new Set(orderNumbers)) {
    const id = refs?.salesOrder?.[number];
    if (id === undefined) return undefined;
    out.push({ number, id });
  }
  return out.length ? out : undefined;
}

/** The orders a document covers, or an error saying which order is not linked to Vendure yet. */
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
    message: `${what}: order ${missing.join(', ')} is not linked to a Vendure order yet; sync the order first`,
  });
}

/** `<order id>:<number>`, or `<id>,<id>:<number>` for a document covering several orders. */
export function documentKey(
  orderNumbers: readonly string[],
  number: string | undefined,
  refs?: References,
): string | undefined {
  const covered = coveredOrders(orderNumbers, refs);
  return covered && number ? `${covered.map((o) => o.id).join(',')}:${number}` : undefined;
}

export function parseDocumentKey(key: string): { orderIds: string[]; number: string } {
  const cut = key.indexOf(':');
  return { orderIds: key.slice(0, cut).split(','), number: key.slice(cut + 1) };
}

/** Orders by Vendure id, whatever their state, in one request per hundred ids. */
export async function ordersById(
  client: VendureClient,
  ids: readonly string[],
  record?: HttpExchange[],
): Promise<Map<string, VendureOrder>> {
  const out = new Map<string, VendureOrder>();
  for (const chunk of chunks([...new Set(ids)], KEYS_PER_REQUEST))
    for (const o of await listAll<VendureOrder>(client, ORDER_LIST, { id: { in: chunk } }, record))
      out.set(o.id, o);
  return out;
}
