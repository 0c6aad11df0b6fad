import type { EntityName } from '../../model/index.js';
import type { ReadQuery, SourceItem } from '../sdk/contract.js';
import { configError, toErrorData } from '../sdk/errors.js';
import type { IsellerClient } from './client.js';
import { customerFrom, productFrom } from './mappers/catalog.js';
import {
  creditNoteFrom,
  invoiceFrom,
  isBooked,
  type OrderContext,
  orderIdOf,
  paymentsFrom,
  refundId,
  refundNumber,
} from './mappers/order.js';
import { stockCountFrom, transferFrom } from './mappers/stock.js';
import { EPOCH_LOCAL, fromLocal, toLocal } from './mappers/time.js';
import { type IsellerSettings, MAX_PAGE } from './settings.js';
import type {
  IsAdjustment,
  IsCustomer,
  IsOrder,
  IsOutlet,
  IsProduct,
  IsRefund,
  IsTransfer,
} from './types.js';

/** Ids per call when records are read by id (comma lists: ⚠ FACTS.md). */
export const ID_CHUNK = 50;

const chunks = <T>(values: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
};

/**
 * Reads a store: orders (GetOrders with their lines, transactions and refunds) as invoices, credit
 * notes and payments; transfers (GetTransfer), stock takes (GetInventoryAdjustments), products
 * (GetProducts) and customers (GetCustomers) — by ids, by modified window, or, with a register, the
 * orders made at that register in the window (a shift's sales). Pages never exceed what was asked.
 */
export class Reader {
  private outlets?: Promise<Map<string, string>>;

  constructor(
    private readonly client: IsellerClient,
    private readonly s: IsellerSettings,
  ) {}

  async *read(entity: EntityName, q: ReadQuery, signal?: AbortSignal): AsyncIterable<SourceItem[]> {
    const size = Math.min(MAX_PAGE, q.pageSize ?? this.s.pageSize);
    for (const name of Object.keys(q.filters ?? {}))
      if (
        !(name === 'outlet' && entity !== 'product' && entity !== 'customer') &&
        !(name === 'register' && (entity === 'invoice' || entity === 'payment'))
      )
        throw configError(`iSeller has no "${name}" filter for ${entity}`);
    const outlets = q.filters?.outlet?.length ? new Set(q.filters.outlet) : undefined;
    let items: AsyncIterable<SourceItem[]>;
    if (entity === 'invoice' || entity === 'payment') items = this.sales(entity, q, size, signal);
    else if (entity === 'stockTransfer')
      items = this.list<IsTransfer>('GetTransfer', 'transfers', 'transfer_ids', q, size, signal, (t) =>
        this.item(t.transfer_id, t.modified_date, () => transferFrom(t, this.s.timeZone)),
      );
    else if (entity === 'stockCount')
      items = this.list<IsAdjustment>(
        'GetInventoryAdjustments',
        'inventory_adjustments',
        'adjustment_ids',
        q,
        size,
        signal,
        (a) => this.item(a.adjustment_id, a.modified_date, () => stockCountFrom(a, this.s.timeZone)),
      );
    else if (entity === 'product') items = this.products(q, size, signal);
    else if (entity === 'customer')
      items = this.list<IsCustomer>('GetCustomers', 'customers', 'customer_ids', q, size, signal, (c) =>
        this.item(c.customer_id, c.modified_date, () => customerFrom(c, this.mapping())),
      );
    else throw configError(`iSeller is not read for ${entity}`);
    for await (const page of items) {
      const kept = outlets
        ? page.filter(
            (i) =>
              !i.data ||
              outlets.has(
                String(
                  (i.data as { warehouse?: string; fromWarehouse?: string }).warehouse ??
                    (i.data as { fromWarehouse?: string }).fromWarehouse,
                ),
              ),
          )
        : page;
      for (const part of chunks(kept, size)) yield part;
    }
  }

  private mapping() {
    return { timeZone: this.s.timeZone, currency: this.s.currency, now: new Date().toISOString() };
  }

  private window(q: ReadQuery): Record<string, string | number> {
    const tz = this.s.timeZone;
    return {
      time_zone: tz,
      ...(q.since ? { modified_after: toLocal(q.since, tz) } : {}),
      ...(q.until ? { modified_before: toLocal(q.until, tz) } : {}),
    };
  }

  /** An ERP/Public list read by window or by ids, each row mapped. */
  private async *list<T>(
    call: string,
    key: string,
    idsParam: string,
    q: ReadQuery,
    size: number,
    signal: AbortSignal | undefined,
    map: (row: T) => SourceItem,
  ): AsyncIterable<SourceItem[]> {
    const api = call === 'GetProducts' ? 'public' : 'erp';
    const o = signal ? { signal } : {};
    if (q.ids) {
      for (const ids of chunks([...new Set(q.ids)], Math.min(ID_CHUNK, size)))
        for await (const rows of this.client.pages<T>(
          api,
          call,
          { time_zone: this.s.timeZone, [idsParam]: ids },
          key,
          size,
          o,
        ))
          yield rows.map(map);
      return;
    }
    for await (const rows of this.client.pages<T>(api, call, this.window(q), key, size, o))
      yield rows.map(map);
  }

  private products(q: ReadQuery, size: number, signal?: AbortSignal): AsyncIterable<SourceItem[]> {
    const map = (p: IsProduct) =>
      this.item(p.sku?.trim() || p.product_id, p.modified_date, () => productFrom(p, this.mapping()));
    // includes: the stock per outlet (PA v2 GetProducts); skus: by SKU ⚠ FACTS.md.
    const self = this;
    return (async function* () {
      const base = { includes: 'OutletPrice', track_inventory: 'true' };
      const o = signal ? { signal } : {};
      if (q.ids) {
        for (const ids of chunks([...new Set(q.ids)], Math.min(ID_CHUNK, size)))
          for await (const rows of self.client.pages<IsProduct>(
            'public',
            'GetProducts',
            { ...base, skus: ids },
            'products',
            size,
            o,
          ))
            yield rows.map(map);
        return;
      }
      const w = self.window(q);
      for await (const rows of self.client.pages<IsProduct>(
        'public',
        'GetProducts',
        { ...base, ...(w.modified_after ? { modified_after: w.modified_after } : {}) },
        'products',
        size,
        o,
      ))
        yield rows.map(map).filter((i) => !q.until || Date.parse(i.updatedAt) <= Date.parse(q.until));
    })();
  }

  /**
   * Orders as invoices (and credit notes) or as payments. By ids: one GetOrders per order (its
   * order_id filter takes one); with a register: orders created in the window at that register;
   * otherwise by modified date (created_after is required, so it is set far back).
   */
  private async *sales(
    entity: 'invoice' | 'payment',
    q: ReadQuery,
    size: number,
    signal?: AbortSignal,
  ): AsyncIterable<SourceItem[]> {
    const tz = this.s.timeZone;
    const base = {
      time_zone: tz,
      includes: 'OrderDetails,Transactions,TrackInventory',
      sort: 'ModifiedDate',
      sort_direction: 'ASC',
    };
    const o = signal ? { signal } : {};
    const ctx = await this.context();
    const registers = q.filters?.register?.length ? new Set(q.filters.register) : undefined;
    const map = (orders: IsOrder[], refunds: IsRefund[]) => this.salesItems(entity, orders, refunds, ctx);
    if (q.ids) {
      for (const id of [...new Set(q.ids.map(orderIdOf))]) {
        const body = await this.client.call(
          'public',
          'GetOrders',
          { ...base, created_after: EPOCH_LOCAL, order_id: id },
          o,
        );
        yield map(rowsOf<IsOrder>(body.orders), rowsOf<IsRefund>(body.refunded_orders));
      }
      return;
    }
    const params = registers
      ? {
          ...base,
          sort: 'CreatedDate',
          created_after: q.since ? toLocal(q.since, tz) : EPOCH_LOCAL,
          ...(q.until ? { created_before: toLocal(q.until, tz) } : {}),
        }
      : { ...base, created_after: EPOCH_LOCAL, ...this.window(q) };
    const size0 = Math.min(MAX_PAGE, size);
    for (let page = 1; ; page++) {
      const body = await this.client.call('public', 'GetOrders', { ...params, page, page_size: size0 }, o);
      const orders = rowsOf<IsOrder>(body.orders).filter(
        (x) => !registers || registers.has(x.register_id ?? ''),
      );
      const items = map(orders, rowsOf<IsRefund>(body.refunded_orders));
      if (items.length) yield items;
      const n = rowsOf(body.orders).length;
      if (body.has_next_item === false || n === 0 || (body.has_next_item === undefined && n < size0)) return;
    }
  }

  private salesItems(
    entity: 'invoice' | 'payment',
    orders: readonly IsOrder[],
    refunds: readonly IsRefund[],
    ctx: OrderContext,
  ): SourceItem[] {
    const out: SourceItem[] = [];
    for (const o of orders) {
      if (!isBooked(o)) continue;
      const mine = refunds
        .filter((r) => r.order_id === o.order_id)
        .sort((a, b) => a.refund_date.localeCompare(b.refund_date));
      if (entity === 'invoice') {
        out.push(this.item(o.order_id, o.modified_date, () => invoiceFrom(o, ctx)));
        for (const [i, r] of mine.entries())
          out.push(
            this.item(refundId(o.order_id, i + 1), o.modified_date, () => creditNoteFrom(o, r, i + 1, ctx)),
          );
        continue;
      }
      try {
        for (const p of paymentsFrom(
          o,
          ctx,
          mine.map((r, i) => refundNumber(o, r, i + 1)),
        ))
          out.push({ id: p.id, updatedAt: p.data.updatedAt, data: p.data });
      } catch (e) {
        out.push({ id: `${o.order_id}/P`, updatedAt: this.stamp(o.modified_date), error: toErrorData(e) });
      }
    }
    return out;
  }

  private stamp(local: string | undefined): string {
    try {
      return local ? fromLocal(local, this.s.timeZone) : new Date().toISOString();
    } catch {
      return new Date().toISOString();
    }
  }

  private item(id: string, modified: string | undefined, map: () => unknown): SourceItem {
    const updatedAt = this.stamp(modified);
    try {
      const data = map() as { updatedAt?: string };
      return { id, updatedAt: data.updatedAt ?? updatedAt, data };
    } catch (e) {
      return { id, updatedAt, error: toErrorData(e) };
    }
  }

  async context(): Promise<OrderContext> {
    return {
      timeZone: this.s.timeZone,
      currency: this.s.currency,
      walkInCustomer: this.s.walkInCustomer,
      outletCodes: await this.outletCodes(),
    };
  }

  /** outlet_id → outlet_code, read once (GetOutlets, ERP: the list wrapped as `Outlets`). */
  outletCodes(): Promise<Map<string, string>> {
    this.outlets ??= (async () => {
      const out = new Map<string, string>();
      for await (const rows of this.client.pages<IsOutlet>('erp', 'GetOutlets', {}, 'outlets', 200))
        for (const r of rows) {
          const id = r.outlet_id ?? r.id;
          if (id && r.outlet_code) out.set(id, r.outlet_code);
        }
      return out;
    })().catch((e) => {
      this.outlets = undefined;
      throw e;
    });
    return this.outlets;
  }
}

const rowsOf = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : []);
