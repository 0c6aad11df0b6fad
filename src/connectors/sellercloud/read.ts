import type { EntityName } from '../../model/index.js';
import type { ReadQuery, SourceItem } from '../sdk/contract.js';
import { configError, toErrorData } from '../sdk/errors.js';
import type { HttpExchange } from '../sdk/http.js';
import { filterDate, type Query, type SellerCloudClient } from './client.js';
import { customerFromSc, updatedAtOf } from './mappers/customer.js';
import { orderFromSc, orderStampOf } from './mappers/order.js';
import { productFromSc } from './mappers/product.js';
import type { SellerCloudSettings } from './settings.js';
import type { ScCustomer, ScOrder, ScProduct, ScWarehouseQty } from './types.js';

/** Ids asked for in one list call (a long query string is refused by some proxies). */
export const ID_CHUNK = 50;

interface Source<T> {
  path: string;
  from: string;
  to: string;
  idsParam: string;
  id(row: T): string;
  stamp(row: T): string;
}

const SOURCES = {
  salesOrder: {
    path: 'orders',
    from: 'createdOnFrom',
    to: 'createdOnTo',
    idsParam: 'orderIDs',
    id: (o: ScOrder) => String(o.ID),
    stamp: orderStampOf,
  } satisfies Source<ScOrder>,
  customer: {
    path: 'Customers',
    from: 'modifiedOnFrom',
    to: 'modifiedOnTo',
    idsParam: 'customerIDs',
    id: (c: ScCustomer) => String(c.UserID),
    stamp: updatedAtOf,
  } satisfies Source<ScCustomer>,
  product: {
    path: 'Inventory',
    from: 'LastUpdatedFrom',
    to: 'LastUpdatedTo',
    idsParam: 'inventoryID',
    id: (p: ScProduct) => p.ID,
    stamp: (p: ScProduct) => productFromSc(p, [], 'USD').updatedAt,
  } satisfies Source<ScProduct>,
};

const chunks = <T>(values: readonly T[], size = ID_CHUNK): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
};

/**
 * Reads orders (by creation time), customers (by modification time) and products (by last update,
 * each with its stock per warehouse), a page at a time. SellerCloud's date filters are to the minute
 * (FACTS.md), so the window sent is widened to whole minutes and cut exactly here: `since` stays
 * inclusive and nothing outside the window is handed on.
 */
export class Reader {
  constructor(
    private readonly client: SellerCloudClient,
    private readonly s: SellerCloudSettings,
  ) {}

  async *read(entity: EntityName, query: ReadQuery, signal?: AbortSignal): AsyncIterable<SourceItem[]> {
    if (entity !== 'salesOrder' && entity !== 'customer' && entity !== 'product')
      throw configError(`SellerCloud does not read ${entity}`);
    const src = SOURCES[entity] as Source<unknown>;
    const since = query.since ? Date.parse(query.since) : undefined;
    const until = query.until ? Date.parse(query.until) : undefined;
    const base: Query = {
      ...(query.since ? { [src.from]: filterDate(query.since, 'down') } : {}),
      ...(query.until ? { [src.to]: filterDate(query.until, 'up') } : {}),
    };
    // Order and customer ids are integers: ASP.NET refuses a list with anything else in it.
    const ids = query.ids?.filter((id) => entity === 'product' || /^\d+$/.test(id));
    if (query.ids?.length && !ids?.length) return;
    const batches: Query[] = ids?.length ? chunks(ids).map((c) => ({ ...base, [src.idsParam]: c })) : [base];
    const size = query.pageSize ?? this.s.pageSize;
    for (const q of batches) {
      for await (const rows of this.client.pages<unknown>(src.path, q, size, signal ? { signal } : {})) {
        const kept = rows.filter((r) => {
          const t = Date.parse(src.stamp(r));
          return (since === undefined || t >= since) && (until === undefined || t <= until);
        });
        if (!kept.length) continue;
        yield await this.mapAll(entity, kept, src, signal);
      }
    }
  }

  private async mapAll(
    entity: 'salesOrder' | 'customer' | 'product',
    rows: unknown[],
    src: Source<unknown>,
    signal?: AbortSignal,
  ): Promise<SourceItem[]> {
    const out: SourceItem[] = [];
    for (const row of rows) {
      const id = src.id(row);
      const updatedAt = src.stamp(row);
      try {
        const data =
          entity === 'salesOrder'
            ? orderFromSc(row as ScOrder, this.s.currency, this.s.taxCode)
            : entity === 'customer'
              ? customerFromSc(row as ScCustomer, this.s.currency)
              : productFromSc(row as ScProduct, await this.stock(id, signal), this.s.currency);
        out.push({ id, updatedAt, data });
      } catch (e) {
        out.push({ id, updatedAt, error: toErrorData(e) });
      }
    }
    return out;
  }

  /** A product's quantities in every warehouse ("Get inventory warehouse related information"). */
  async stock(sku: string, signal?: AbortSignal): Promise<ScWarehouseQty[]> {
    const { body } = await this.client.call<ScWarehouseQty[] | ScWarehouseQty>(
      'GET',
      'Inventory/Warehouses',
      {
        query: { productID: sku },
        ...(signal ? { signal } : {}),
      },
    );
    return Array.isArray(body) ? body : body && typeof body === 'object' ? [body] : [];
  }

  /** One order as SellerCloud has it (Get Single Order); one it does not have fails in its words. */
  async order(id: string, record?: HttpExchange[]): Promise<ScOrder> {
    const { body } = await this.client.call<ScOrder>('GET', `Orders/${encodeURIComponent(id)}`, {
      ...(record ? { record } : {}),
    });
    return body;
  }
}
