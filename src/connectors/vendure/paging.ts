import type { HttpExchange } from '../sdk/http.js';
import type { VendureClient } from './client.js';
import type { VendureList } from './types.js';

/** Values per `in` filter: keeps each request small whatever the id lengths. */
export const KEYS_PER_REQUEST = 100;

export const chunks = <T>(list: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));

/** A Vendure list filter: one condition object, or several that must all hold. */
export type ListFilter = Record<string, unknown>;

/** Conditions that must all hold, as one filter (Vendure's `_and`); undefined when there are none. */
export function allOf(conditions: readonly ListFilter[]): ListFilter | undefined {
  if (conditions.length === 0) return undefined;
  return conditions.length === 1 ? conditions[0] : { _and: conditions };
}

export interface ListQuery {
  /** The list query's document, which takes `$options`. */
  document: string;
  /** The query's field in the answer: customers, productVariants, orders. */
  field: string;
  /** For messages: "read customers". */
  what: string;
}

/**
 * Pages of a list sorted by id, which never changes: a record updated while we page cannot move
 * another one past us. `keep` drops rows the server matched only because a filter had to be wider
 * than asked (see window.ts); a page it empties is not yielded, and paging goes on.
 */
export async function* listPages<T>(
  client: VendureClient,
  list: ListQuery,
  filter: ListFilter | undefined,
  pageSize: number,
  opts: { keep?: (row: T) => boolean; signal?: AbortSignal; record?: HttpExchange[] } = {},
): AsyncIterable<T[]> {
  for (let skip = 0; ; skip += pageSize) {
    opts.signal?.throwIfAborted();
    const data = await client.request<Record<string, VendureList<T>>>(
      list.document,
      { options: { ...(filter ? { filter } : {}), sort: { id: 'ASC' }, skip, take: pageSize } },
      { what: list.what, ...(opts.record ? { record: opts.record } : {}) },
    );
    const page = data[list.field] ?? { items: [], totalItems: 0 };
    const rows = opts.keep ? page.items.filter(opts.keep) : page.items;
    if (rows.length) yield rows;
    if (page.items.length < pageSize || skip + pageSize >= page.totalItems) return;
  }
}

/** Every row of a list (for lookups, whose answers are small but may exceed one page). */
export async function listAll<T>(
  client: VendureClient,
  list: ListQuery,
  filter: ListFilter | undefined,
  record?: HttpExchange[],
): Promise<T[]> {
  const out: T[] = [];
  for await (const page of listPages<T>(client, list, filter, KEYS_PER_REQUEST, record ? { record } : {}))
    out.push(...page);
  return out;
}
