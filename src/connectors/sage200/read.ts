import type { EntityName } from '../../model/index.js';
import type { ReadQuery, SourceItem } from '../sdk/contract.js';
import { configError, toErrorData } from '../sdk/errors.js';
import { anyOf, type Sage200Client } from './client.js';
import { customerFrom, invoiceFrom, type MapContext, productFrom, utc } from './mappers/index.js';
import { MAX_TOP, type Sage200Settings } from './settings.js';
import {
  CREDIT_NOTE_TYPE,
  INVOICE_TYPE,
  type S200Customer,
  type S200InvoiceCreditLineView,
  type S200PostedTransaction,
  type S200PriceBand,
  type S200Product,
  type S200ProductPriceView,
} from './types.js';

/** Values per `… eq … or …` group: keeps the URL well under gateways' limits. */
export const OR_CHUNK = 40;

const chunks = <T>(values: readonly T[], size = OR_CHUNK): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += size) out.push(values.slice(i, i + size));
  return out;
};

const and = (parts: Array<string | undefined>): string | undefined => {
  const p = parts.filter((x): x is string => !!x);
  return p.length ? p.join(' and ') : undefined;
};

/** The change window on date_time_updated (OData date-time literals are written bare; FACTS.md). */
export function windowFilter(q: ReadQuery, field = 'date_time_updated'): string | undefined {
  return and([
    q.since ? `${field} ge ${new Date(q.since).toISOString()}` : undefined,
    q.until ? `${field} le ${new Date(q.until).toISOString()}` : undefined,
  ]);
}

/** An invoice's lines by its customer and number: a line row of another account's document of that number is not taken. */
const lineKey = (customerId: number | undefined, documentNo: string | undefined) =>
  `${customerId}|${documentNo?.trim() ?? ''}`;

const DOCUMENT_TYPES = anyOf('trader_transaction_type', [INVOICE_TYPE, CREDIT_NOTE_TYPE]);

/**
 * Reads customers (/customers), products (/products with their Standard price band price from
 * /product_price_views) and posted invoices and credit notes (/sales_posted_transactions, an invoice's
 * lines from /customer_sop_invoice_credit_line_views), by ids, by
 * change window on date_time_updated, or everything, $top/$skip page by page in id order.
 */
export class Reader {
  private standardBand?: Promise<number | undefined>;

  constructor(
    private readonly client: Sage200Client,
    private readonly s: Sage200Settings,
  ) {}

  private get ctx(): MapContext {
    return { defaultCurrency: this.s.defaultCurrency, homeCountry: this.s.homeCountry };
  }

  async *read(entity: EntityName, q: ReadQuery, signal?: AbortSignal): AsyncIterable<SourceItem[]> {
    for (const [name] of Object.entries(q.filters ?? {}))
      throw configError(`Sage 200 has no "${name}" filter for ${entity}; use dates or ids`);
    const top = Math.min(MAX_TOP, q.pageSize ?? this.s.pageSize);
    if (entity === 'customer') {
      for await (const rows of this.rows<S200Customer>('customers', 'reference', q, top, signal))
        yield rows.map((c) => this.item(c.reference, c.date_time_updated, () => customerFrom(c, this.ctx)));
      return;
    }
    if (entity === 'product') {
      const seen = new Set<number>();
      for await (const rows of this.rows<S200Product>('products', 'code', q, top, signal)) {
        for (const p of rows) seen.add(p.id);
        yield await this.products(rows);
      }
      // A price changed in the window changes its product, though the product row did not change.
      if (q.since && !q.ids) {
        const band = await this.standardBandId();
        if (band === undefined) return;
        const changed = new Set<number>();
        for await (const views of this.client.pages<S200ProductPriceView>(
          'product_price_views',
          { filter: and([`price_band_id eq ${band}`, windowFilter(q)]), orderby: 'product_id', top: MAX_TOP },
          signal,
        ))
          for (const v of views) if (!seen.has(v.product_id)) changed.add(v.product_id);
        for (const ids of chunks([...changed], Math.min(OR_CHUNK, top))) {
          const rows = await this.client.list<S200Product>('products', {
            filter: anyOf('id', ids),
            top: ids.length,
          });
          if (rows.length) yield await this.products(rows);
        }
      }
      return;
    }
    if (entity === 'invoice') {
      for await (const rows of this.rows<S200PostedTransaction>(
        'sales_posted_transactions',
        'id',
        q,
        top,
        signal,
        DOCUMENT_TYPES,
      ))
        yield await this.invoices(rows);
      return;
    }
    throw configError(`Sage 200 is not read for ${entity}; it reads customers, products and invoices`);
  }

  /** Rows by ids (OR_CHUNK a request) or by window, page by page. */
  private async *rows<T>(
    path: string,
    key: string,
    q: ReadQuery,
    top: number,
    signal?: AbortSignal,
    always?: string,
  ): AsyncIterable<T[]> {
    if (q.ids) {
      const ids: Array<string | number> =
        key === 'id' ? q.ids.filter((i) => /^\d+$/.test(i)).map(Number) : [...q.ids];
      for (const chunk of chunks(ids, Math.min(OR_CHUNK, top)))
        yield* this.client.pages<T>(
          path,
          { filter: and([always, anyOf(key, chunk)])!, orderby: 'id', top },
          signal,
        );
      return;
    }
    const filter = and([always, windowFilter(q)]);
    yield* this.client.pages<T>(path, { ...(filter ? { filter } : {}), orderby: 'id', top }, signal);
  }

  private item(id: string, updated: string | undefined, map: () => unknown): SourceItem {
    const updatedAt = utc(updated);
    try {
      const data = map() as { updatedAt?: string };
      return { id, updatedAt: data.updatedAt ?? updatedAt, data };
    } catch (e) {
      return { id, updatedAt, error: toErrorData(e) };
    }
  }

  /** The id of the Standard price band (is_standard_band), read once. */
  standardBandId(): Promise<number | undefined> {
    this.standardBand ??= this.client
      .list<S200PriceBand>('price_bands', { filter: 'is_standard_band eq true', top: 1 })
      .then((rows) => rows[0]?.id)
      .catch((e) => {
        this.standardBand = undefined;
        throw e;
      });
    return this.standardBand;
  }

  private async products(rows: readonly S200Product[]): Promise<SourceItem[]> {
    const band = await this.standardBandId();
    const prices = new Map<number, S200ProductPriceView>();
    if (band !== undefined)
      for (const ids of chunks(rows.map((r) => r.id))) {
        const views = await this.client.list<S200ProductPriceView>('product_price_views', {
          filter: and([`price_band_id eq ${band}`, anyOf('product_id', ids)])!,
          top: ids.length,
        });
        for (const v of views) prices.set(v.product_id, v);
      }
    return rows.map((p) =>
      this.item(p.code, p.date_time_updated, () => productFrom(p, prices.get(p.id), this.ctx)),
    );
  }

  private async invoices(rows: readonly S200PostedTransaction[]): Promise<SourceItem[]> {
    const refs = new Map<number, string>();
    for (const ids of chunks([...new Set(rows.map((r) => r.customer_id))])) {
      const customers = await this.client.list<S200Customer>('customers', {
        filter: anyOf('id', ids),
        top: ids.length,
      });
      for (const c of customers) refs.set(c.id, c.reference);
    }
    const lines = await this.sopInvoiceLines(rows);
    return rows.map((t) =>
      this.item(String(t.id), t.date_time_updated, () =>
        invoiceFrom(
          t,
          refs.get(t.customer_id),
          this.ctx,
          lines.get(lineKey(t.customer_id, t.reference)) ?? [],
        ),
      ),
    );
  }

  /**
   * The SOP lines of posted invoices, by customer id and invoice number (the posted transaction's
   * reference is the SOP invoice's document number, FACTS.md ⚠), from
   * customer_sop_invoice_credit_line_views. Credit notes are not looked up: they are not sent to the
   * CRM, and a credit note may share its number with an invoice.
   */
  private async sopInvoiceLines(
    rows: readonly S200PostedTransaction[],
  ): Promise<Map<string, S200InvoiceCreditLineView[]>> {
    const out = new Map<string, S200InvoiceCreditLineView[]>();
    const numbers = [
      ...new Set(
        rows
          .filter((t) => t.trader_transaction_type === INVOICE_TYPE && t.reference?.trim())
          .map((t) => t.reference!.trim()),
      ),
    ];
    for (const chunk of chunks(numbers))
      for await (const views of this.client.pages<S200InvoiceCreditLineView>(
        'customer_sop_invoice_credit_line_views',
        {
          filter: anyOf('sop_invoice_credit_document_no', chunk),
          orderby: 'sop_invoice_credit_line_id',
          top: MAX_TOP,
        },
      ))
        for (const v of views) {
          const key = lineKey(v.customer_id, v.sop_invoice_credit_document_no);
          out.set(key, [...(out.get(key) ?? []), v]);
        }
    return out;
  }
}
