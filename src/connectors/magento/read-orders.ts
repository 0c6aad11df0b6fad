import type { ReadQuery, SourceItem } from '../sdk/contract.js';
import { configError, toErrorData } from '../sdk/errors.js';
import { type OrderMapSettings, salesOrderFromMagento } from './mappers/sales-order.js';
import { updatedAtFrom } from './mappers/values.js';
import type { MagentoOrder } from './sales-types.js';
import { anyOf, type FilterGroup, toMagentoTime } from './search-criteria.js';

export const ORDERS_PATH = 'V1/orders';

/** The batch filters orders take besides dates and ids, by manifest name → Magento field. */
const ORDER_FILTERS: Record<string, string> = { status: 'status' };

/** An entity id Magento could have given (a positive 32-bit integer, no leading zero). */
const ENTITY_ID = /^[1-9]\d{0,9}$/;

/**
 * Filter groups of an order read: the window on updated_at, the batch filters, and the ids. An ID
 * file lists order numbers (increment_id, "000000123"); typed ids and get() use entity ids: both are
 * searched in one group (OR), so either kind finds its order.
 */
export function orderGroups(q: ReadQuery, ids?: readonly string[]): FilterGroup[] {
  const g: FilterGroup[] = [];
  if (q.since) g.push([{ field: 'updated_at', value: toMagentoTime(q.since), condition: 'gteq' }]);
  if (q.until) g.push([{ field: 'updated_at', value: toMagentoTime(q.until), condition: 'lteq' }]);
  for (const [name, values] of Object.entries(q.filters ?? {})) {
    const field = ORDER_FILTERS[name];
    if (!field)
      throw configError(
        `Magento orders have no "${name}" filter; they have: dates, ids, ${Object.keys(ORDER_FILTERS).join(', ')}`,
      );
    if (values.length) g.push(anyOf(field, values));
  }
  if (ids) {
    const entityIds = ids.filter((i) => ENTITY_ID.test(i));
    const numbers = ids.filter((i) => i.trim() !== '');
    g.push([
      ...(entityIds.length ? anyOf('entity_id', entityIds) : []),
      ...(numbers.length ? anyOf('increment_id', numbers) : []),
    ]);
  }
  return g;
}

/** One order as a source item: the source id is the entity id, which never changes. */
export function orderItem(o: MagentoOrder, s: OrderMapSettings): SourceItem {
  const id = String(o.entity_id);
  let updatedAt = new Date(0).toISOString();
  try {
    updatedAt = updatedAtFrom(o.updated_at, `Magento order ${o.increment_id ?? id}`);
    return { id, updatedAt, data: salesOrderFromMagento(o, s) };
  } catch (e) {
    return { id, updatedAt, error: toErrorData(e) };
  }
}
