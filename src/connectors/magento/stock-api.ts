import type { WarehouseStock } from '../../model/index.js';
import type { HttpExchange } from '../sdk/http.js';
import type { MagentoClient } from './client.js';
import { stockFromSourceItems, stockFromStockItem } from './mappers/stock.js';
import { anyOf, searchParams } from './search-criteria.js';
import type { MagentoSettings } from './settings.js';
import type { MsiSourceItem, SearchResult, StockItem } from './types.js';

/** SKUs per search: keeps the URL of the `in` list well below what web servers accept. */
const SKUS_PER_SEARCH = 100;
/** Within Magento's "Maximum Page Size" (300 when input limits are on). */
const SOURCE_ITEMS_PER_PAGE = 200;

/**
 * Stock lives outside the product in Magento, in one of two APIs:
 * - Multi-Source Inventory (2.3+): source items, read with one search per page of products and
 *   written with one call per batch (POST /V1/inventory/source-items);
 * - the legacy stock item, for stores that disabled MSI: absent from product lists (GET /V1/products
 *   never includes it), so read per product from GET /V1/stockItems/{sku}, and written as the
 *   product's extension_attributes.stock_item.
 */
export class StockApi {
  constructor(
    private readonly client: MagentoClient,
    private readonly s: Pick<MagentoSettings, 'stockApi'>,
  ) {}

  get legacy(): boolean {
    return this.s.stockApi === 'stock-item';
  }

  /** Canonical stock per SKU; SKUs Magento keeps no stock for map to an empty list. */
  async read(skus: readonly string[]): Promise<Map<string, WarehouseStock[]>> {
    const out = new Map<string, WarehouseStock[]>();
    if (skus.length === 0) return out;
    if (this.legacy) {
      const items = await Promise.all(skus.map((sku) => this.stockItem(sku)));
      skus.forEach((sku, i) => {
        out.set(sku, stockFromStockItem(sku, items[i]));
      });
      return out;
    }
    const bySku = new Map<string, MsiSourceItem[]>();
    for (let i = 0; i < skus.length; i += SKUS_PER_SEARCH) {
      for await (const item of this.sourceItems(skus.slice(i, i + SKUS_PER_SEARCH)))
        bySku.set(item.sku, [...(bySku.get(item.sku) ?? []), item]);
    }
    for (const sku of skus) out.set(sku, stockFromSourceItems(sku, bySku.get(sku) ?? []));
    return out;
  }

  /**
   * Every source item of these SKUs (a product has one per source). The page size is always sent:
   * with Magento's Web API input limits on, a search without one gets the "Default Page Size" (20)
   * and the rest would silently read as no stock. Sorted on the table's unique key, so pages are
   * stable; the loop ends on total_count because a page past the end repeats the last one.
   */
  private async *sourceItems(skus: readonly string[]): AsyncIterable<MsiSourceItem> {
    for (let page = 1; ; page++) {
      const r = await this.client.request<SearchResult<MsiSourceItem>>({
        method: 'GET',
        path: 'V1/inventory/source-items',
        query: searchParams({
          groups: [anyOf('sku', skus)],
          sort: [
            { field: 'sku', direction: 'ASC' },
            { field: 'source_code', direction: 'ASC' },
          ],
          pageSize: SOURCE_ITEMS_PER_PAGE,
          currentPage: page,
        }),
      });
      yield* r.body.items;
      if (r.body.items.length < SOURCE_ITEMS_PER_PAGE || page * SOURCE_ITEMS_PER_PAGE >= r.body.total_count)
        return;
    }
  }

  /** The legacy stock item of a product as Magento has it; undefined when there is none. */
  async stockItem(sku: string, record?: HttpExchange[]): Promise<StockItem | undefined> {
    const r = await this.client.request<StockItem>({
      method: 'GET',
      path: `V1/stockItems/${encodeURIComponent(sku)}`,
      accept: [404],
      ...(record ? { record } : {}),
    });
    return r.status === 404 ? undefined : r.body;
  }

  /**
   * MSI: saves the quantities of a batch in one call. Repeating it sets the same values, so it may
   * be retried after a timeout like a PUT.
   */
  async saveSourceItems(items: readonly MsiSourceItem[], record: HttpExchange[]): Promise<void> {
    await this.client.request({
      method: 'POST',
      path: 'V1/inventory/source-items',
      body: { sourceItems: items },
      idempotent: true,
      record,
    });
  }
}
