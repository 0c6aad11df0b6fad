import type { HttpExchange } from '../sdk/http.js';
import type { MagentoClient } from './client.js';
import { type Criteria, type FilterGroup, searchParams } from './search-criteria.js';
import type { SearchResult } from './types.js';

/** Keys per search: keeps the URL of an `in` list well below what web servers accept (8 KB). */
export const KEYS_PER_SEARCH = 100;

export const chunks = <T>(list: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));

/** One search request (GET with searchCriteria). */
export async function search<T>(
  client: MagentoClient,
  path: string,
  c: Criteria,
  record?: HttpExchange[],
): Promise<SearchResult<T>> {
  const res = await client.request<SearchResult<T>>({
    method: 'GET',
    path,
    query: searchParams(c),
    ...(record ? { record } : {}),
  });
  return res.body;
}

/**
 * Pages sorted by id, which never changes: a record updated while we page cannot move another one
 * past us. Past the last page Magento answers with the last page again, so the loop ends on
 * total_count (re-read on every page), never on an empty page. The page size is always sent: with
 * Magento's Web API input limits on, a search without one gets the default page size.
 */
export async function* pages<T>(
  client: MagentoClient,
  path: string,
  groups: FilterGroup[],
  pageSize: number,
  idOf: (row: T) => number,
  opts: { idField?: string; signal?: AbortSignal; record?: HttpExchange[] } = {},
): AsyncIterable<T[]> {
  let lastId = Number.NEGATIVE_INFINITY;
  for (let page = 1; ; page++) {
    opts.signal?.throwIfAborted();
    const r = await search<T>(
      client,
      path,
      {
        groups,
        sort: [{ field: opts.idField ?? 'entity_id', direction: 'ASC' }],
        pageSize,
        currentPage: page,
      },
      opts.record,
    );
    // Ids only grow from page to page: anything at or below the last one is a repeated page.
    const fresh = r.items.filter((x) => idOf(x) > lastId);
    if (fresh.length) {
      lastId = idOf(fresh[fresh.length - 1]!);
      yield fresh;
    }
    if (fresh.length === 0 || r.items.length < pageSize || page * pageSize >= r.total_count) return;
  }
}

/** Every row of a search, paged (for lookups, whose answers are small but may exceed one page). */
export async function searchAll<T>(
  client: MagentoClient,
  path: string,
  groups: FilterGroup[],
  pageSize: number,
  idOf: (row: T) => number,
  record?: HttpExchange[],
): Promise<T[]> {
  const out: T[] = [];
  for await (const page of pages(client, path, groups, pageSize, idOf, record ? { record } : {}))
    out.push(...page);
  return out;
}
