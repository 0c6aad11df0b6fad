import type { ReadQuery, SourceItem } from '../sdk/contract.js';
import { configError, toErrorData } from '../sdk/errors.js';
import { ORDERS } from './documents.js';
import { orderStamp, salesOrderFromVendure } from './mappers/sales-order.js';
import { allOf, type ListFilter, type ListQuery } from './paging.js';
import { NUMERIC_ID } from './read-customers.js';
import type { VendureOrder } from './types.js';
import { dateRange, hasWindow, inWindow } from './window.js';

export const ORDER_LIST: ListQuery = { document: ORDERS, field: 'orders', what: 'read orders' };

/** The batch filters orders take besides dates and ids, by manifest name → Vendure field. */
const ORDER_FILTERS: Record<string, string> = { status: 'state' };

/**
 * The filter of an order read: the states the connection reads, the window, the batch filters and
 * the ids. Vendure does not always touch updatedAt when an order is placed (its state machine saves
 * the order as it loaded it), so the window is on updatedAt or orderPlacedAt. An ID file lists
 * order codes; typed ids and get() use Vendure ids: both kinds OR together.
 */
export function orderFilter(
  q: ReadQuery,
  states: readonly string[],
  ids?: readonly string[],
): ListFilter | undefined | null {
  const all: ListFilter[] = [];
  const filters = { ...q.filters };
  const status = filters.status;
  delete filters.status;
  const unknown = Object.keys(filters).filter((f) => !(f in ORDER_FILTERS));
  if (unknown.length)
    throw configError(
      `Vendure orders have no "${unknown.join(', ')}" filter; they have: dates, ids, ${Object.keys(ORDER_FILTERS).join(', ')}`,
    );
  // A batch by state asks for those states; otherwise the connection's states are read.
  all.push({ state: { in: status?.length ? [...status] : [...states] } });
  if (hasWindow(q)) {
    const range = dateRange(q);
    all.push({ _or: [{ updatedAt: range }, { orderPlacedAt: range }] });
  }
  if (ids) {
    const numbers = ids.filter((i) => NUMERIC_ID.test(i));
    const codes = ids.map((i) => i.trim()).filter(Boolean);
    const any: ListFilter[] = [
      ...(numbers.length ? [{ id: { in: numbers } }] : []),
      ...(codes.length ? [{ code: { in: codes } }] : []),
    ];
    // Ids that can name no order need no request at all.
    if (!any.length) return null;
    all.push(any.length === 1 ? any[0]! : { _or: any });
  }
  return allOf(all);
}

/** Orders as source items; the source id is the Vendure id, which never changes. */
export function orderItems(q: ReadQuery, rows: readonly VendureOrder[], precision: number): SourceItem[] {
  return rows
    .filter((o) => inWindow(q, orderStamp(o)))
    .map((o): SourceItem => {
      const updatedAt = orderStamp(o);
      try {
        return { id: o.id, updatedAt, data: salesOrderFromVendure(o, precision) };
      } catch (e) {
        return { id: o.id, updatedAt, error: toErrorData(e) };
      }
    });
}
