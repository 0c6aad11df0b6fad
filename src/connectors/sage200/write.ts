import type { EntityName } from '../../model/index.js';
import type { TargetRecord, WriteItem, WriteResult } from '../sdk/contract.js';
import { ordersToCreate } from '../sdk/created-only.js';
import { configError, toErrorData } from '../sdk/errors.js';
import type { HttpExchange } from '../sdk/http.js';
import { anyOf, odataString, type Sage200Client } from './client.js';
import { orderTo } from './mappers/index.js';
import { OR_CHUNK } from './read.js';
import type { Sage200Settings } from './settings.js';
import type { S200Customer, S200Product, S200SopOrder, S200Warehouse } from './types.js';

/**
 * Writes CRM orders into Sage 200 as SOP sales orders, created only: an order once made is never
 * changed from here (an update comes back `skipped`). The order's natural key is its CRM number, kept
 * as the SOP order's customer document number; the customer and products are found by account
 * reference and product code, the warehouse by name.
 */
export class Writer {
  private warehouse?: Promise<number>;

  constructor(
    private readonly client: Sage200Client,
    private readonly s: Sage200Settings,
  ) {}

  naturalKey(entity: EntityName, data: unknown): string | undefined {
    if (entity !== 'salesOrder') return undefined;
    const n = (data as { number?: unknown }).number;
    return typeof n === 'string' && n ? n : undefined;
  }

  async lookup(entity: EntityName, keys: readonly string[]): Promise<Map<string, TargetRecord>> {
    if (entity !== 'salesOrder')
      throw configError(`Sage 200 is not written for ${entity}; it takes CRM orders as SOP orders`);
    const out = new Map<string, TargetRecord>();
    for (let i = 0; i < keys.length; i += OR_CHUNK) {
      const chunk = keys.slice(i, i + OR_CHUNK);
      for await (const rows of this.client.pages<S200SopOrder>('sop_orders', {
        filter: anyOf('customer_document_no', chunk),
        orderby: 'id',
        top: 100,
      }))
        for (const o of rows)
          if (o.customer_document_no && o.id !== undefined && !out.has(o.customer_document_no))
            out.set(o.customer_document_no, { id: String(o.id), snapshot: o });
    }
    return out;
  }

  async write(entity: EntityName, items: readonly WriteItem[]): Promise<WriteResult[]> {
    if (entity !== 'salesOrder')
      throw configError(`Sage 200 is not written for ${entity}; it takes CRM orders as SOP orders`);
    const { results, creates } = ordersToCreate(items, 'a SOP order');
    if (!creates.length) return results;
    const references = [...new Set(creates.map((c) => c.order.customerNumber))];
    const codes = [
      ...new Set([
        this.s.defaultProduct,
        ...creates.flatMap((c) => c.order.lines.filter((l) => !l.writeIn).map((l) => l.sku)),
      ]),
    ];
    let customers: Map<string, number>;
    let products: Map<string, number>;
    let warehouseId: number;
    try {
      customers = await this.idsBy<S200Customer>('customers', 'reference', references, (c) => [
        c.reference,
        c.id,
      ]);
      products = await this.idsBy<S200Product>('products', 'code', codes, (p) => [p.code, p.id]);
      warehouseId = await this.warehouseId();
    } catch (e) {
      const error = toErrorData(e);
      if (error.category === 'config') throw e;
      return [...results, ...creates.map((c) => ({ ref: c.item.ref, ok: false as const, error }))];
    }
    for (const { item, order } of creates) {
      const exchanges: HttpExchange[] = [];
      try {
        const customerId = customers.get(order.customerNumber);
        if (customerId === undefined) {
          results.push({
            ref: item.ref,
            ok: false,
            error: {
              code: 'missing_field',
              category: 'rejected',
              message: `order ${order.number}: customer ${order.customerNumber} is not a Sage 200 account`,
            },
          });
          continue;
        }
        const body = orderTo(order, {
          customerId,
          warehouseId,
          productIds: products,
          defaultProduct: this.s.defaultProduct,
        });
        const saved = await this.client.post<S200SopOrder>('sop_orders', body, exchanges);
        results.push({
          ref: item.ref,
          ok: true,
          action: 'created',
          targetId: String(saved.id),
          ...(saved.document_no ? { targetNumber: saved.document_no } : {}),
          exchanges,
        });
      } catch (e) {
        results.push({ ref: item.ref, ok: false, error: toErrorData(e), exchanges });
      }
    }
    return results;
  }

  /** Sage ids of the records whose `field` is one of the values. */
  private async idsBy<T>(
    path: string,
    field: string,
    values: readonly string[],
    pick: (row: T) => [string, number],
  ): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (let i = 0; i < values.length; i += OR_CHUNK) {
      const chunk = values.slice(i, i + OR_CHUNK);
      const rows = await this.client.list<T>(path, { filter: anyOf(field, chunk), top: chunk.length });
      for (const r of rows) {
        const [k, id] = pick(r);
        out.set(k, id);
      }
    }
    return out;
  }

  /** The id of the configured warehouse, read once. */
  warehouseId(): Promise<number> {
    this.warehouse ??= this.client
      .list<S200Warehouse>('warehouses', { filter: `name eq ${odataString(this.s.warehouse)}`, top: 1 })
      .then((rows) => {
        const id = rows[0]?.id;
        if (id === undefined)
          throw configError(
            `the warehouse "${this.s.warehouse}" (setting warehouse) is not a Sage 200 warehouse: name one that is`,
          );
        return id;
      })
      .catch((e) => {
        this.warehouse = undefined;
        throw e;
      });
    return this.warehouse;
  }
}
