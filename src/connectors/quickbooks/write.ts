import { Customer, type EntityName, Product, SalesOrder } from '../../model/index.js';
import type { References, TargetRecord, WriteItem, WriteResult } from '../sdk/contract.js';
import { configError, type LedgerlinkError, rejected, toErrorData } from '../sdk/errors.js';
import type { HttpExchange } from '../sdk/http.js';
import { BATCH_LIMIT, type BatchOperation, batchFaultError, type QuickBooksClient, quote } from './client.js';
import { type CustomerContext, customerToQbo } from './mappers/customer.js';
import { ORDER_MARKER } from './mappers/invoice.js';
import { productToQbo } from './mappers/product.js';
import { orderToQbo } from './mappers/sales-order.js';
import { MAX_RESULTS, type QuickBooksSettings } from './settings.js';
import type { QboCustomer, QboEntityName, QboInvoice, QboItem } from './types.js';
import { checkPayload } from './xsd-check.js';

const IN_CHUNK = 50;

/** A CRM order's natural key: its number, the QuickBooks customer it is for, and its date (the lookup's bounds). */
export function orderKey(data: unknown, refs?: References): string | undefined {
  const o = data as { number?: unknown; customerNumber?: unknown; orderDate?: unknown };
  if (typeof o.number !== 'string' || !o.number || typeof o.customerNumber !== 'string') return undefined;
  const customerId = refs?.customer?.[o.customerNumber];
  if (!customerId) return undefined;
  return `${o.number}|${customerId}|${typeof o.orderDate === 'string' ? o.orderDate : ''}`;
}

function parseOrderKey(key: string): { number: string; customerId: string; orderDate: string } {
  const [number = '', customerId = '', orderDate = ''] = key.split('|');
  return { number, customerId, orderDate };
}

/** A day before the order's date, at midnight UTC: no invoice made from the order was created earlier, in any zone. */
function dayBefore(date: string): string | undefined {
  const t = Date.parse(`${date}T00:00:00Z`);
  return Number.isNaN(t) ? undefined : new Date(t - 24 * 3600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

interface Prepared {
  item: WriteItem;
  body?: Record<string, unknown>;
  error?: LedgerlinkError | ReturnType<typeof toErrorData>;
}

/**
 * Writes customers, items and invoices (from CRM orders) into QuickBooks Online. Creates only:
 * an existing customer or item belongs to the accounts and is never touched, an invoice once made is
 * never changed from here; those updates come back `skipped` with the reason. Each payload is
 * checked against the XSD before it is sent (a problem fails the record naming the element, without a
 * call), and a page's creates go out in batches of at most 30.
 */
export class Writer {
  private defaultItem?: Promise<string>;

  constructor(
    private readonly client: QuickBooksClient,
    private readonly s: QuickBooksSettings,
    private readonly context: () => Promise<CustomerContext>,
  ) {}

  naturalKey(entity: EntityName, data: unknown, refs?: References): string | undefined {
    if (entity === 'customer') return (data as { number?: string }).number || undefined;
    if (entity === 'product') return (data as { sku?: string }).sku || undefined;
    if (entity === 'salesOrder') return orderKey(data, refs);
    return undefined;
  }

  async lookup(entity: EntityName, keys: readonly string[]): Promise<Map<string, TargetRecord>> {
    const out = new Map<string, TargetRecord>();
    if (entity === 'customer' || entity === 'product') {
      const [qbo, field] =
        entity === 'customer' ? (['Customer', 'DisplayName'] as const) : (['Item', 'Name'] as const);
      for (let i = 0; i < keys.length; i += IN_CHUNK) {
        const chunk = keys.slice(i, i + IN_CHUNK);
        // Inactive records hold their names too: a create with one of them would be refused.
        const page = await this.client.query<QboCustomer & QboItem>(
          qbo,
          `select * from ${qbo} where Active in (true, false) and ${field} in (${chunk.map(quote).join(', ')}) MAXRESULTS ${MAX_RESULTS}`,
        );
        for (const r of page.rows) {
          const name = (r as Record<string, unknown>)[field];
          if (typeof name === 'string' && r.Id) out.set(name, { id: r.Id, snapshot: r });
        }
      }
      return out;
    }
    if (entity === 'salesOrder') {
      // QuickBooks cannot query the private note or custom fields: the customer's invoices created
      // since the day before the order are read and matched on the note's first line.
      const byCustomer = new Map<string, Array<{ key: string; number: string; since?: string }>>();
      for (const key of keys) {
        const k = parseOrderKey(key);
        const since = dayBefore(k.orderDate);
        byCustomer.set(k.customerId, [
          ...(byCustomer.get(k.customerId) ?? []),
          { key, number: k.number, ...(since ? { since } : {}) },
        ]);
      }
      for (const [customerId, wanted] of byCustomer) {
        const since = wanted.map((w) => w.since).sort()[0];
        const filter = [
          `CustomerRef = ${quote(customerId)}`,
          since ? `MetaData.CreateTime >= ${quote(since)}` : undefined,
        ]
          .filter(Boolean)
          .join(' and ');
        const byNumber = new Map(wanted.map((w) => [w.number, w.key]));
        for (let start = 1; ; start += MAX_RESULTS) {
          const page = await this.client.query<QboInvoice>(
            'Invoice',
            `select * from Invoice where ${filter} STARTPOSITION ${start} MAXRESULTS ${MAX_RESULTS}`,
          );
          for (const inv of page.rows) {
            const number = inv.PrivateNote ? ORDER_MARKER.exec(inv.PrivateNote)?.[1]?.trim() : undefined;
            const key = number ? byNumber.get(number) : undefined;
            if (key && inv.Id) out.set(key, { id: inv.Id, snapshot: inv });
          }
          if (page.rows.length < MAX_RESULTS) break;
        }
      }
      return out;
    }
    throw configError(
      `QuickBooks Online is not written for ${entity}; it takes customers, products and CRM orders`,
    );
  }

  async write(entity: EntityName, items: readonly WriteItem[]): Promise<WriteResult[]> {
    const results: WriteResult[] = [];
    const creates: Prepared[] = [];
    for (const item of items) {
      if (item.action === 'update') {
        results.push({
          ref: item.ref,
          ok: true,
          action: 'skipped',
          ...(item.targetId ? { targetId: item.targetId } : {}),
          reason:
            entity === 'salesOrder'
              ? 'an invoice made from a CRM order is never changed from here'
              : `an existing QuickBooks ${entity === 'customer' ? 'customer' : 'item'} belongs to the accounts and is never changed from here`,
        });
        continue;
      }
      creates.push(await this.prepare(entity, item));
    }
    const ready = creates.filter((p) => p.body);
    for (const p of creates)
      if (p.error) results.push({ ref: p.item.ref, ok: false, error: toErrorData(p.error) });
    const qbo = QBO[entity]!;
    for (let i = 0; i < ready.length; i += BATCH_LIMIT) {
      const chunk = ready.slice(i, i + BATCH_LIMIT);
      const exchanges: HttpExchange[] = [];
      const ops: BatchOperation[] = chunk.map((p) => ({ operation: 'create', entity: qbo, body: p.body! }));
      try {
        const answers = await this.client.batch(ops, exchanges);
        chunk.forEach((p, j) => {
          const a = answers[j]!;
          const what = `${ENTITY_WORD[entity]} ${this.label(entity, p.item)}`;
          if (a.fault) {
            results.push({
              ref: p.item.ref,
              ok: false,
              error: toErrorData(batchFaultError(a.fault, what)),
              exchanges,
            });
            return;
          }
          const saved = a.entity as Record<string, unknown>;
          const number =
            entity === 'salesOrder'
              ? saved.DocNumber
              : entity === 'customer'
                ? saved.DisplayName
                : saved.Name;
          results.push({
            ref: p.item.ref,
            ok: true,
            action: 'created',
            targetId: String(saved.Id),
            ...(typeof number === 'string' && number ? { targetNumber: number } : {}),
            exchanges,
          });
        });
      } catch (e) {
        for (const p of chunk) results.push({ ref: p.item.ref, ok: false, error: toErrorData(e), exchanges });
      }
    }
    return results;
  }

  private label(entity: EntityName, item: WriteItem): string {
    const d = item.data as { number?: string; sku?: string };
    return (entity === 'product' ? d.sku : d.number) ?? item.ref;
  }

  /** The payload of a create, checked against the XSD; or why it cannot be sent. */
  private async prepare(entity: EntityName, item: WriteItem): Promise<Prepared> {
    try {
      const ctx = await this.context();
      let body: Record<string, unknown>;
      if (entity === 'customer') body = { ...customerToQbo(Customer.parse(item.data), ctx) };
      else if (entity === 'product')
        body = {
          ...productToQbo(Product.parse(item.data), {
            defaultCurrency: ctx.defaultCurrency,
            defaultTaxCode: this.s.defaultTaxCode,
            ...(this.s.defaultIncomeAccount ? { defaultIncomeAccount: this.s.defaultIncomeAccount } : {}),
          }),
        };
      else if (entity === 'salesOrder') {
        const order = SalesOrder.parse(item.data);
        const defaultItemId = order.lines.some((l) => l.writeIn) ? await this.defaultItemId() : '';
        body = {
          ...orderToQbo(order, item.refs, {
            defaultCurrency: ctx.defaultCurrency,
            defaultTaxCode: this.s.defaultTaxCode,
            defaultItemId,
            ...(this.s.orderNumberCustomField
              ? { orderNumberCustomField: this.s.orderNumberCustomField }
              : {}),
          }),
        };
      } else throw configError(`QuickBooks Online is not written for ${entity}`);
      const problems = checkPayload(QBO[entity]!, body);
      if (problems.length)
        return {
          item,
          error: rejected(
            'invalid_data',
            `${ENTITY_WORD[entity]} ${this.label(entity, item)}: ${problems.map((p) => p.message).join('; ')}`,
          ),
        };
      return { item, body };
    } catch (e) {
      return { item, error: toErrorData(e) };
    }
  }

  /** The Id of the default product's item (settings.defaultProduct), read once. */
  defaultItemId(): Promise<string> {
    this.defaultItem ??= (async () => {
      const page = await this.client.query<QboItem>(
        'Item',
        `select * from Item where Name = ${quote(this.s.defaultProduct)}`,
      );
      const id = page.rows[0]?.Id;
      if (!id)
        throw configError(
          `the default product "${this.s.defaultProduct}" (defaultProduct) is not an item in QuickBooks: create it, or name another`,
        );
      return id;
    })().catch((e) => {
      this.defaultItem = undefined;
      throw e;
    });
    return this.defaultItem;
  }
}

const QBO: Partial<Record<EntityName, QboEntityName>> = {
  customer: 'Customer',
  product: 'Item',
  salesOrder: 'Invoice',
};

const ENTITY_WORD: Partial<Record<EntityName, string>> = {
  customer: 'customer',
  product: 'product',
  salesOrder: 'order',
};
