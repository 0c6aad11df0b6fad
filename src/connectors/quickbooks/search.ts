import type { EntityName } from '../../model/index.js';
import type { ReadQuery } from '../sdk/contract.js';
import { configError } from '../sdk/errors.js';
import { quote } from './client.js';

/**
 * The SYNC Uploader's search box (§6): customers by the start of their account reference, items by
 * the start of their product code, invoices by the start of their customer's account reference. All
 * three compare with FullyQualifiedName, the reference the records are read under (FACTS.md).
 */
export const SEARCH_FIELD = 'FullyQualifiedName';

/**
 * Customers an invoice search may name: their Ids go into `CustomerRef in (…)` 50 at a time, so a
 * search matching more would cost more queries than a search box is worth; the person types more.
 */
export const SEARCH_CUSTOMERS_MAX = 1000;

/** The text of the `search` filter (trimmed; undefined when empty); any other filter is refused. */
export function searchText(entity: EntityName, filters: ReadQuery['filters']): string | undefined {
  let text: string | undefined;
  for (const [name, values] of Object.entries(filters ?? {})) {
    if (name !== 'search')
      throw configError(`QuickBooks has no "${name}" filter for ${entity}; use dates, ids or search`);
    text = values.map((v) => v.trim()).find(Boolean);
  }
  return text;
}

/**
 * `FullyQualifiedName like 'text%'`. The query language has no escape for its % wildcard (FACTS.md ⚠),
 * so a % typed widens the match: the rows are narrowed again with {@link startsWithText}.
 */
export const likeStart = (text: string): string => `${SEARCH_FIELD} like ${quote(`${text}%`)}`;

/** The row's FullyQualifiedName really starts with the text (QuickBooks compares without case). */
export const startsWithText = (row: Record<string, unknown>, text: string): boolean =>
  String(row[SEARCH_FIELD] ?? '')
    .toLowerCase()
    .startsWith(text.toLowerCase());
