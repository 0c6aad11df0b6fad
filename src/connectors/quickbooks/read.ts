import type { EntityName } from '../../model/index.js';
import type { ReadQuery, SourceItem } from '../sdk/contract.js';
import { configError, toErrorData } from '../sdk/errors.js';
import { type QuickBooksClient, quote } from './client.js';
import { type CustomerContext, customerFromQbo } from './mappers/customer.js';
import { invoiceFromQbo } from './mappers/invoice.js';
import { productFromQbo } from './mappers/product.js';
import { likeStart, SEARCH_CUSTOMERS_MAX, searchText, startsWithText } from './search.js';
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

const chunks = (values: readonly string[]): string[][] => {
  const out: string[][] = [];
  for (let i = 0; i < values.length; i += IN_CHUNK) out.push(values.slice(i, i + IN_CHUNK));
  return out;
};

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
    const search = searchText(entity, q.filters);
    const pageSize = Math.min(MAX_RESULTS, q.pageSize ?? this.s.pageSize);
    // The search narrows every way of reading: the rows each query returns are kept only when their
    // reference (an invoice: its customer's) starts with the text.
    let keep: ((r: Row) => boolean) | undefined;
    let customerIds: string[] | undefined;
    if (search !== undefined) {
      if (entity === 'invoice') {
        // QuickBooks cannot compare an invoice's customer by name: the customers are found first.
        customerIds = await this.customersStartingWith(search, signal);
        if (!customerIds.length) return;
        const wanted = new Set(customerIds);
        keep = (r) => wanted.has(String((r as unknown as QboInvoice).CustomerRef?.value));
      } else keep = (r) => startsWithText(r, search);
    }
    const kept = (rows: readonly Row[]): readonly Row[] => (keep ? rows.filter(keep) : rows);
    if (q.ids) {
      for await (const rows of this.byIds(sp, q.ids, signal)) yield* this.pages(entity, kept(rows), pageSize);
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
        yield* this.pages(entity, kept(live), pageSize);
        return;
      }
    }
    const base = [
      sp.activeFlag ? 'Active in (true, false)' : undefined,
      q.since ? `MetaData.LastUpdatedTime >= ${quote(q.since)}` : undefined,
      q.until ? `MetaData.LastUpdatedTime <= ${quote(q.until)}` : undefined,
    ];
    // An invoice search reads the invoices of the customers found, IN_CHUNK customers a query.
    const filters = customerIds
      ? chunks(customerIds).map((ids) => where([...base, `CustomerRef in (${ids.map(quote).join(', ')})`]))
      : [where([...base, search !== undefined ? likeStart(search) : undefined])];
    for (const filter of filters)
      for (let start = 1; ; start += pageSize) {
        const page = await this.client.query<Row>(
          sp.qbo,
          `select * from ${sp.qbo}${filter} STARTPOSITION ${start} MAXRESULTS ${pageSize}`,
          signal ? { signal } : {},
        );
        const rows = kept(page.rows);
        if (rows.length) yield await this.map(entity, rows);
        if (page.rows.length < pageSize) break;
      }
  }

  async count(entity: EntityName, q: ReadQuery): Promise<number | undefined> {
    const sp = specOf(entity);
    const search = searchText(entity, q.filters);
    if (q.ids) return search === undefined ? q.ids.length : undefined;
    // Invoices by their customer's reference take a lookup first; the count is left to the read.
    if (search !== undefined && entity === 'invoice') return undefined;
    return this.client.count(
      sp.qbo,
      [
        sp.activeFlag ? 'Active in (true, false)' : undefined,
        q.since ? `MetaData.LastUpdatedTime >= ${quote(q.since)}` : undefined,
        q.until ? `MetaData.LastUpdatedTime <= ${quote(q.until)}` : undefined,
        search !== undefined ? likeStart(search) : undefined,
      ]
        .filter(Boolean)
        .join(' and '),
    );
  }

  /**
   * The Ids of the customers (inactive ones too) whose reference starts with the text; more than
   * SEARCH_CUSTOMERS_MAX is refused, naming the text and the limit, so the person types more.
   */
  private async customersStartingWith(text: string, signal?: AbortSignal): Promise<string[]> {
    const ids: string[] = [];
    for (let start = 1; ; start += MAX_RESULTS) {
      const page = await this.client.query<Row>(
        'Customer',
        `select * from Customer where Active in (true, false) and ${likeStart(text)} STARTPOSITION ${start} MAXRESULTS ${MAX_RESULTS}`,
        signal ? { signal } : {},
      );
      for (const r of page.rows) if (r.Id && startsWithText(r, text)) ids.push(r.Id);
      if (ids.length > SEARCH_CUSTOMERS_MAX)
        throw configError(
          `more than ${SEARCH_CUSTOMERS_MAX} QuickBooks customers start with "${text}"; type more of the customer's reference to search their invoices`,
        );
      if (page.rows.length < MAX_RESULTS) return ids;
    }
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
