import type { EntityName } from '../../model/index.js';
import type { ReadQuery, SourceItem } from '../sdk/contract.js';
import { configError, toErrorData } from '../sdk/errors.js';
import { type QuickBooksClient, quote } from './client.js';
import { type CustomerContext, customerFromQbo } from './mappers/customer.js';
import { invoiceFromQbo } from './mappers/invoice.js';
import { productFromQbo } from './mappers/product.js';
import { MAX_RESULTS, type QuickBooksSettings } from './settings.js';
import type { QboCustomer, QboEntityName, QboInvoice, QboItem } from './types.js';

/** CDC looks back at most 30 days; a day less leaves room for clocks and the engine's overlap. */
const CDC_WINDOW_MS = 29 * 24 * 3600_000;
/** One CDC answer holds at most 1000 records: that many means some may be missing. */
const CDC_LIMIT = 1000;
/** Values per `in (…)`: keeps the query's URL well under proxies' limits. */
const IN_CHUNK = 50;

type Row = Record<string, unknown> & {
  Id?: string;
  MetaData?: { LastUpdatedTime?: string };
  status?: string;
};

export interface ReadContext extends CustomerContext {}

interface Spec {
  qbo: QboEntityName;
  /** Customers and items have an Active flag; a query leaves inactive ones out unless asked. */
  activeFlag: boolean;
  /** The element a canonical id is (FullyQualifiedName for products, else Id). */
  idField: 'Id' | 'FullyQualifiedName';
}

export const SPECS: Partial<Record<EntityName, Spec>> = {
  customer: { qbo: 'Customer', activeFlag: true, idField: 'Id' },
  product: { qbo: 'Item', activeFlag: true, idField: 'FullyQualifiedName' },
  invoice: { qbo: 'Invoice', activeFlag: false, idField: 'Id' },
};

export function specOf(entity: EntityName): Spec {
  const sp = SPECS[entity];
  if (!sp)
    throw configError(
      `QuickBooks Online is not read for ${entity}; it reads customers, products and invoices`,
    );
  return sp;
}

const where = (parts: Array<string | undefined>): string => {
  const p = parts.filter(Boolean);
  return p.length ? ` where ${p.join(' and ')}` : '';
};

/**
 * Reads pages of customers, items and invoices: by ids, by change window (ChangeDataCapture when the
 * window starts within its 30 days, else the query language), or everything; each page mapped to
 * canonical records (an invoice page after reading the items its lines name).
 */
export class Reader {
  private readonly itemNames = new Map<string, string>();

  constructor(
    private readonly client: QuickBooksClient,
    private readonly s: QuickBooksSettings,
    private readonly context: () => Promise<ReadContext>,
  ) {}

  async *read(entity: EntityName, q: ReadQuery, signal?: AbortSignal): AsyncIterable<SourceItem[]> {
    const sp = specOf(entity);
    for (const name of Object.keys(q.filters ?? {}))
      throw configError(`QuickBooks has no "${name}" filter for ${entity}; use dates or ids`);
    const pageSize = Math.min(MAX_RESULTS, q.pageSize ?? this.s.pageSize);
    if (q.ids) {
      for await (const rows of this.byIds(sp, q.ids, signal)) yield* this.pages(entity, rows, pageSize);
      return;
    }
    if (q.since && !q.until && Date.now() - Date.parse(q.since) < CDC_WINDOW_MS) {
      const changed = await this.client.cdc([sp.qbo], q.since, signal ? { signal } : {});
      const rows = (changed.get(sp.qbo) ?? []) as Row[];
      if (rows.length < CDC_LIMIT) {
        // Deleted records come back as an Id and status "Deleted"; they are not read as records.
        const live = rows.filter(
          (r) =>
            r.status !== 'Deleted' && Date.parse(r.MetaData?.LastUpdatedTime ?? '') >= Date.parse(q.since!),
        );
        yield* this.pages(entity, live, pageSize);
        return;
      }
    }
    const filter = where([
      sp.activeFlag ? 'Active in (true, false)' : undefined,
      q.since ? `MetaData.LastUpdatedTime >= ${quote(q.since)}` : undefined,
      q.until ? `MetaData.LastUpdatedTime <= ${quote(q.until)}` : undefined,
    ]);
    for (let start = 1; ; start += pageSize) {
      const page = await this.client.query<Row>(
        sp.qbo,
        `select * from ${sp.qbo}${filter} STARTPOSITION ${start} MAXRESULTS ${pageSize}`,
        signal ? { signal } : {},
      );
      if (page.rows.length) yield await this.map(entity, page.rows);
      if (page.rows.length < pageSize) return;
    }
  }

  async count(entity: EntityName, q: ReadQuery): Promise<number | undefined> {
    const sp = specOf(entity);
    if (q.ids) return q.ids.length;
    return this.client.count(
      sp.qbo,
      [
        sp.activeFlag ? 'Active in (true, false)' : undefined,
        q.since ? `MetaData.LastUpdatedTime >= ${quote(q.since)}` : undefined,
        q.until ? `MetaData.LastUpdatedTime <= ${quote(q.until)}` : undefined,
      ]
        .filter(Boolean)
        .join(' and '),
    );
  }

  /**
   * Records by canonical id. Products are named by FullyQualifiedName, but a webhook names an item by
   * its Id: ids made only of digits are also looked up as Ids (one extra query), and the items found
   * come back under their FullyQualifiedName like any other.
   */
  private async *byIds(sp: Spec, ids: readonly string[], signal?: AbortSignal): AsyncIterable<Row[]> {
    const active = sp.activeFlag ? 'Active in (true, false) and ' : '';
    const fields: Array<{ field: string; values: readonly string[] }> = [{ field: sp.idField, values: ids }];
    if (sp.idField !== 'Id') {
      const digits = ids.filter((i) => /^\d+$/.test(i));
      if (digits.length) fields.push({ field: 'Id', values: digits });
    }
    const seen = new Set<string>();
    for (const { field, values } of fields)
      for (let i = 0; i < values.length; i += IN_CHUNK) {
        const chunk = values.slice(i, i + IN_CHUNK);
        const page = await this.client.query<Row>(
          sp.qbo,
          `select * from ${sp.qbo} where ${active}${field} in (${chunk.map(quote).join(', ')}) MAXRESULTS ${MAX_RESULTS}`,
          signal ? { signal } : {},
        );
        const fresh = page.rows.filter((r) => !seen.has(String(r.Id)));
        for (const r of fresh) seen.add(String(r.Id));
        if (fresh.length) yield fresh;
      }
  }

  private async *pages(
    entity: EntityName,
    rows: readonly Row[],
    pageSize: number,
  ): AsyncIterable<SourceItem[]> {
    for (let i = 0; i < rows.length; i += pageSize) yield await this.map(entity, rows.slice(i, i + pageSize));
  }

  async map(entity: EntityName, rows: readonly Row[]): Promise<SourceItem[]> {
    const ctx = await this.context();
    if (entity === 'invoice') await this.resolveItems(rows as unknown as readonly QboInvoice[]);
    return rows.map((r) => {
      const updatedAt = new Date(r.MetaData?.LastUpdatedTime ?? 0).toISOString();
      const id =
        entity === 'product'
          ? String((r as QboItem).FullyQualifiedName ?? (r as QboItem).Name ?? r.Id)
          : String(r.Id);
      try {
        const data =
          entity === 'customer'
            ? customerFromQbo(r as QboCustomer, ctx)
            : entity === 'product'
              ? productFromQbo(r as QboItem, { ...ctx, defaultTaxCode: this.s.defaultTaxCode })
              : invoiceFromQbo(r as QboInvoice, {
                  defaultCurrency: ctx.defaultCurrency,
                  itemNames: this.itemNames,
                });
        return { id, updatedAt, data };
      } catch (e) {
        return { id, updatedAt, error: toErrorData(e) };
      }
    });
  }

  /**
   * The FullyQualifiedName of every item the invoices' lines name. ItemRef.name carries the item's
   * name as the line shows it, which for a sub-item may be its short Name (FACTS.md ⚠), so the items
   * are read (once per process and item; a renamed item is read again only after a restart).
   */
  private async resolveItems(invoices: readonly QboInvoice[]): Promise<void> {
    const wanted = new Set<string>();
    for (const inv of invoices)
      for (const l of inv.Line ?? []) {
        const id = l.SalesItemLineDetail?.ItemRef?.value;
        if (id && /^\d+$/.test(id) && !this.itemNames.has(id)) wanted.add(id);
      }
    const ids = [...wanted];
    for (let i = 0; i < ids.length; i += IN_CHUNK) {
      const chunk = ids.slice(i, i + IN_CHUNK);
      const page = await this.client.query<QboItem>(
        'Item',
        `select * from Item where Active in (true, false) and Id in (${chunk.map(quote).join(', ')}) MAXRESULTS ${MAX_RESULTS}`,
      );
      for (const it of page.rows)
        if (it.Id) this.itemNames.set(it.Id, it.FullyQualifiedName ?? it.Name ?? it.Id);
    }
  }
}
