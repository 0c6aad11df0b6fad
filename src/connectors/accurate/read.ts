import type { EntityName } from '../../model/index.js';
import { toDecimalString } from '../../model/index.js';
import type { ReadQuery, SourceItem } from '../sdk/contract.js';
import { configError, toErrorData } from '../sdk/errors.js';
import { type AccurateClient, filterParams } from './client.js';
import { fromAccurateDateTime, toAccurateDateTime } from './dates.js';
import { CUSTOMER_FIELDS, customerFrom } from './mappers/customer.js';
import { ITEM_FIELDS, productFrom } from './mappers/product.js';
import {
  DOC_FIELDS,
  parseSourceId,
  receiptFrom,
  STOCK_DOCS,
  type StockDoc,
  sourceId,
  transferFrom,
} from './mappers/stock.js';
import { type AccurateSettings, MAX_PAGE, warehouseCodes } from './settings.js';
import type { AccCustomer, AccDocument, AccItem, AccStockRow, AccWarehouse } from './types.js';

/**
 * The incremental window as list.do filters: `filter.lastUpdate` GREATER_EQUAL_THAN the start, to the
 * second in WIB (FACTS.md ⚠ zone), so records stamped in the same second as the cursor are read again
 * rather than missed. Sorted by id: a record changed while the pages are read keeps its place.
 */
export function windowParams(q: ReadQuery, fields?: string): URLSearchParams {
  const p = new URLSearchParams();
  if (fields) p.set('fields', fields);
  if (q.since && q.until)
    filterParams(p, 'lastUpdate', 'BETWEEN', [toAccurateDateTime(q.since), toAccurateDateTime(q.until)]);
  else if (q.since) filterParams(p, 'lastUpdate', 'GREATER_EQUAL_THAN', [toAccurateDateTime(q.since)]);
  else if (q.until) filterParams(p, 'lastUpdate', 'LESS_EQUAL_THAN', [toAccurateDateTime(q.until)]);
  p.set('sp.sort', 'id|asc');
  return p;
}

const stampOf = (lastUpdate: unknown) => {
  try {
    return typeof lastUpdate === 'string' ? fromAccurateDateTime(lastUpdate) : new Date(0).toISOString();
  } catch {
    return new Date(0).toISOString();
  }
};

/** Whether a record's stamp is inside the window (a floor to the second may let an older one in). */
const inWindow = (q: ReadQuery, updatedAt: string) =>
  (!q.since || Date.parse(updatedAt) >= Math.floor(Date.parse(q.since) / 1000) * 1000) &&
  (!q.until || Date.parse(updatedAt) <= Date.parse(q.until));

/**
 * Reads customers, products (items with their stock per warehouse) and stock moves (item transfers,
 * goods received and purchase invoices). Source ids are Accurate's record ids (a stock move's prefixed
 * with its document: `receive-item:12`), so a webhook naming an id is read back by it.
 */
export class Reader {
  /** Warehouses are read back as the codes they are written with (warehouseMap reversed). */
  private readonly code: (warehouse: string) => string;

  constructor(
    private readonly client: AccurateClient,
    private readonly s: AccurateSettings,
  ) {
    this.code = warehouseCodes(s);
  }

  async *read(entity: EntityName, q: ReadQuery, signal?: AbortSignal): AsyncIterable<SourceItem[]> {
    for (const name of Object.keys(q.filters ?? {}))
      throw configError(`Accurate has no "${name}" filter for ${entity}; use dates or ids`);
    const size = Math.min(MAX_PAGE, q.pageSize ?? this.s.pageSize);
    if (q.ids) {
      const found = await this.byIds(entity, q.ids);
      for (let i = 0; i < found.length; i += size) yield found.slice(i, i + size);
      return;
    }
    if (entity === 'customer') {
      for await (const rows of this.client.pages<AccCustomer>(
        'customer',
        windowParams(q, CUSTOMER_FIELDS),
        size,
        signal,
      ))
        yield rows.map((c) => this.item(String(c.id), c.lastUpdate, () => customerFrom(c, this.s.currency)));
      return;
    }
    if (entity === 'product') {
      const stock = await this.stockByItem(signal);
      for await (const rows of this.client.pages<AccItem>('item', windowParams(q, ITEM_FIELDS), size, signal))
        yield rows.map((i) =>
          this.item(String(i.id), i.lastUpdate, () =>
            productFrom(i, stock.get(String(i.no ?? '')), this.s.currency),
          ),
        );
      return;
    }
    if (entity === 'stockTransfer') {
      for (const doc of STOCK_DOCS)
        for await (const rows of this.client.pages<AccDocument>(
          doc,
          windowParams(q, DOC_FIELDS[doc]),
          size,
          signal,
        )) {
          const items = await this.moves(doc, rows);
          const shown = items.filter((i) => inWindow(q, i.updatedAt));
          if (shown.length) yield shown;
        }
      return;
    }
    throw configError(
      `Accurate is not read for ${entity}; it reads customers, products and stock transfers (with goods received)`,
    );
  }

  /** Records by source id, one detail.do each (list.do filters no entity by id alike; FACTS.md). */
  async byIds(entity: EntityName, ids: readonly string[]): Promise<SourceItem[]> {
    const out: SourceItem[] = [];
    if (entity === 'customer' || entity === 'product') {
      const stock = entity === 'product' ? await this.stockByItem() : undefined;
      for (const id of ids) {
        if (!/^\d+$/.test(id)) continue;
        if (entity === 'customer') {
          const c = await this.client.detail<AccCustomer>('customer', id);
          if (c) out.push(this.item(String(c.id), c.lastUpdate, () => customerFrom(c, this.s.currency)));
        } else {
          const i = await this.client.detail<AccItem>('item', id);
          if (i)
            out.push(
              this.item(String(i.id), i.lastUpdate, () =>
                productFrom(i, stock?.get(String(i.no ?? '')), this.s.currency),
              ),
            );
        }
      }
      return out;
    }
    if (entity === 'stockTransfer') {
      for (const id of ids) {
        const ref = parseSourceId(id);
        if (!ref) continue;
        const d = await this.client.detail<AccDocument>(ref.doc, ref.id);
        if (d) out.push(...(await this.moves(ref.doc, [d])));
      }
      return out;
    }
    throw configError(`Accurate is not read for ${entity}`);
  }

  private item(id: string, lastUpdate: unknown, map: () => unknown): SourceItem {
    const updatedAt = stampOf(lastUpdate);
    try {
      return { id, updatedAt, data: map() };
    } catch (e) {
      return { id, updatedAt, error: { ...toErrorData(e), code: 'invalid_data', category: 'rejected' } };
    }
  }

  /** Stock documents as moves; a row list.do gave without its lines is read whole with detail.do. */
  private async moves(doc: StockDoc, rows: readonly AccDocument[]): Promise<SourceItem[]> {
    const out: SourceItem[] = [];
    for (const row of rows) {
      const d = Array.isArray(row.detailItem)
        ? row
        : ((await this.client.detail<AccDocument>(doc, row.id)) ?? row);
      const id = sourceId(doc, d.id);
      if (doc === 'item-transfer') {
        out.push(this.item(id, d.lastUpdate, () => transferFrom(d, this.code)));
        continue;
      }
      try {
        const move = receiptFrom(d, doc, this.code);
        if (move) out.push({ id, updatedAt: stampOf(d.lastUpdate), data: move });
      } catch (e) {
        out.push({
          id,
          updatedAt: stampOf(d.lastUpdate),
          error: { ...toErrorData(e), code: 'invalid_data', category: 'rejected' },
        });
      }
    }
    return out;
  }

  /** Item number → warehouse (its code, as written) → quantity, from list-stock.do of every warehouse (paged). */
  async stockByItem(signal?: AbortSignal): Promise<Map<string, Map<string, string>>> {
    const out = new Map<string, Map<string, string>>();
    const warehouses: AccWarehouse[] = [];
    const wq = new URLSearchParams({ 'sp.sort': 'id|asc' });
    for await (const rows of this.client.pages<AccWarehouse>('warehouse', wq, MAX_PAGE, signal))
      warehouses.push(...rows.filter((w) => !w.suspended));
    for (const w of warehouses) {
      const q = new URLSearchParams({ warehouseName: w.name });
      for await (const rows of this.client.pages<AccStockRow>('item/list-stock.do', q, MAX_PAGE, signal))
        for (const r of rows) {
          if (!r.no) continue;
          const per = out.get(r.no) ?? new Map<string, string>();
          per.set(this.code(w.name), toDecimalString(r.quantity ?? 0));
          out.set(r.no, per);
        }
    }
    return out;
  }
}
