import type { EntityName } from '../../model/index.js';
import type { ReadQuery } from '../sdk/contract.js';
import { configError } from '../sdk/errors.js';

/**
 * Customers an invoice search may name: their ListIDs go into InvoiceQuery's EntityFilter
 * SEARCH_CHUNK at a time; a search matching more would cost more requests through the Web Connector
 * than a search box is worth, so the person types more.
 */
export const SEARCH_CUSTOMERS_MAX = 1000;
/** ListIDs per EntityFilter: keeps each request small (the schema sets no limit). */
export const SEARCH_CHUNK = 100;

/** The text of the `search` filter (trimmed; undefined when empty); any other filter is refused. */
export function searchText(entity: EntityName, filters: ReadQuery['filters']): string | undefined {
  let text: string | undefined;
  for (const [name, values] of Object.entries(filters ?? {})) {
    if (name !== 'search')
      throw configError(`QuickBooks Desktop has no "${name}" filter for ${entity}; use dates, ids or search`);
    text = values.map((v) => v.trim()).find(Boolean);
  }
  return text;
}

/** QuickBooks compares names without case (FACTS.md). */
export const startsWithText = (value: string | undefined, text: string): boolean =>
  value?.toLowerCase().startsWith(text.toLowerCase()) === true;

export const chunked = <T>(values: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
};
