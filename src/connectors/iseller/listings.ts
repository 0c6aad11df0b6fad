import { Decimal } from 'decimal.js';
import type { ListedRow, ReadQuery } from '../sdk/contract.js';
import { configError } from '../sdk/errors.js';
import type { Listing } from '../sdk/manifest.js';
import type { IsellerClient } from './client.js';
import type { Reader } from './read.js';
import { type IsellerSettings, MAX_PAGE } from './settings.js';
import type { IsOutletInventory } from './types.js';

/** The outlets to list, by outlet_code (GetOutletInventories takes one outlet a call). */
const OUTLETS = { name: 'outlet', title: 'Outlets', kind: 'values', field: 'outlet_code' } as const;
/** The search box: SKUs starting with the text, at every outlet (or those named). */
const BY_SKU = { name: 'search', title: 'Filter by SKU starting with', kind: 'text', field: 'SKU' } as const;

/**
 * The stock each outlet holds now, one row per outlet and SKU, from the ERP API's GetOutletInventories
 * (shape ⚠ FACTS.md). It is a present state with no modified date, so it has no window: it is found by
 * the first letters of an SKU (at every outlet) or by the outlets named, or both. View-only: a
 * product's stock per outlet travels with the product (its flow), not from here.
 */
export const ISELLER_LISTINGS: readonly Listing[] = [
  {
    name: 'outletInventories',
    title: 'Outlet inventories',
    filters: [BY_SKU, OUTLETS],
    columns: [
      { name: 'outlet', title: 'Outlet', path: 'outlet', type: 'text' },
      { name: 'sku', title: 'SKU', path: 'sku', type: 'text' },
      { name: 'stock', title: 'Stock', path: 'stock', type: 'text' },
    ],
    viewOnly:
      'Outlet inventories are view-only: they are the stock iSeller holds now. A product’s stock per outlet is read and written with the product, through its flow.',
  },
];

/** A stock as text ("18.0000" → "18"); absent: null; not a number: as iSeller wrote it. */
function stockText(v: IsOutletInventory['stock']): string | null {
  if (v === undefined || v === null || v === '') return null;
  try {
    return new Decimal(v).toFixed();
  } catch {
    return String(v);
  }
}

/**
 * Reads the listings through the store's client: GetOutletInventories per outlet (the outlets named,
 * else every outlet GetOutlets gives a code), page by page; the SKU search is applied here, as no SKU
 * filter of iSeller's is known. Every page holds at most the page size asked (page_size, ≤ MAX_PAGE).
 */
export class Lister {
  constructor(
    private readonly client: IsellerClient,
    private readonly reader: Reader,
    private readonly s: IsellerSettings,
  ) {}

  async *list(listing: string, q: ReadQuery, signal?: AbortSignal): AsyncIterable<ListedRow[]> {
    if (listing !== 'outletInventories')
      throw configError(
        `iSeller has no list "${listing}"; it lists ${ISELLER_LISTINGS.map((l) => l.name).join(', ')}`,
      );
    if (q.since || q.until || q.ids?.length)
      throw configError(
        `iSeller's outlet inventories are the stock now, with no modified date or ids: find them by ${BY_SKU.name} (the first letters of an SKU) or ${OUTLETS.name} (outlet codes)`,
      );
    let prefix: string | undefined;
    let named: string[] = [];
    for (const [name, values] of Object.entries(q.filters ?? {})) {
      if (name === BY_SKU.name)
        prefix = values
          .map((v) => v.trim())
          .find(Boolean)
          ?.toUpperCase();
      else if (name === OUTLETS.name) named = values.map((v) => v.trim()).filter(Boolean);
      else
        throw configError(
          `iSeller has no "${name}" filter for outlet inventories; use ${BY_SKU.name} or ${OUTLETS.name}`,
        );
    }
    const outlets = named.length
      ? [...new Set(named)]
      : [...new Set((await this.reader.outletCodes()).values())];
    const size = Math.min(MAX_PAGE, Math.max(1, q.pageSize ?? this.s.pageSize));
    const o = signal ? { signal } : {};
    for (const outlet of outlets)
      for await (const rows of this.client.pages<IsOutletInventory>(
        'erp',
        'GetOutletInventories',
        { outlet_code: outlet },
        'inventories',
        size,
        o,
      )) {
        const page: ListedRow[] = [];
        for (const r of rows) {
          const sku = r.sku?.trim();
          // A line without an SKU names nothing to look up (the sandbox answers none).
          if (!sku || (prefix !== undefined && !sku.toUpperCase().startsWith(prefix))) continue;
          page.push({ id: `${outlet}/${sku}`, columns: { outlet, sku, stock: stockText(r.stock) } });
        }
        if (page.length) yield page;
      }
  }
}
