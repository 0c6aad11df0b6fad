import type { EntityName } from '../../model/index.js';
import type {
  CheckResult,
  Connector,
  ConnectorContext,
  ReadQuery,
  References,
  SourceItem,
  TargetRecord,
  WriteItem,
  WriteResult,
} from '../sdk/contract.js';
import { configError, toErrorData } from '../sdk/errors.js';
import { VendureClient } from './client.js';
import { vendureManifest } from './manifest.js';
import { chunks, KEYS_PER_REQUEST, type ListFilter, type ListQuery, listPages } from './paging.js';
import { CUSTOMER_LIST, customerFilter, customerItems } from './read-customers.js';
import { ORDER_LIST, orderFilter, orderItems } from './read-orders.js';
import { productFilter, productItems, VARIANT_LIST } from './read-products.js';
import { MAX_PAGE_SIZE, readSettings, type VendureSettings } from './settings.js';
import { shopVerdicts } from './shop-check.js';
import type { ShopFacts, VendureCustomer, VendureList, VendureOrder, VendureVariant } from './types.js';
import { customerKey, lookupCustomers, writeCustomers } from './write-customers.js';
import { invoiceKey, lookupInvoices, writeInvoices } from './write-invoices.js';
import { lookupOrders, orderKey, writeOrders } from './write-orders.js';
import { lookupProducts, writeProducts } from './write-products.js';
import { lookupShipments, shipmentKey, writeShipments } from './write-shipments.js';

type Readable = 'customer' | 'product' | 'salesOrder';
const LISTS: Record<Readable, ListQuery> = {
  customer: CUSTOMER_LIST,
  product: VARIANT_LIST,
  salesOrder: ORDER_LIST,
};

export class VendureConnector implements Connector {
  readonly manifest = vendureManifest;
  readonly client: VendureClient;
  readonly settings: VendureSettings;

  constructor(settings: Record<string, unknown>, ctx: ConnectorContext) {
    this.settings = readSettings(settings);
    this.client = new VendureClient(this.settings, ctx);
  }

  private list(entity: EntityName): ListQuery {
    if (entity in LISTS) return LISTS[entity as Readable];
    throw configError(`the Vendure connector does not read ${entity} records`);
  }

  /** The list filter of a read; null when the ids can name no record (no request is needed). */
  private filter(entity: EntityName, q: ReadQuery, ids?: readonly string[]): ListFilter | undefined | null {
    if (entity === 'customer') return customerFilter(q, ids);
    if (entity === 'product') return productFilter(q, ids);
    return orderFilter(q, this.settings.orderStates, ids);
  }

  private items(entity: EntityName, q: ReadQuery, rows: unknown[], facts: ShopFacts): SourceItem[] {
    const precision = facts.globalSettings.serverConfig.moneyStrategyPrecision;
    if (entity === 'customer')
      return customerItems(q, rows as VendureCustomer[], facts.channel.defaultCurrencyCode);
    if (entity === 'product') return productItems(q, rows as VendureVariant[], precision);
    return orderItems(q, rows as VendureOrder[], precision);
  }

  async *read(entity: EntityName, query: ReadQuery, signal?: AbortSignal): AsyncIterable<SourceItem[]> {
    const list = this.list(entity);
    const size = Math.min(query.pageSize ?? this.settings.pageSize, MAX_PAGE_SIZE);
    const facts = await this.client.facts();
    const idChunks = query.ids ? chunks(query.ids, KEYS_PER_REQUEST) : [undefined];
    for (const ids of idChunks) {
      const filter = this.filter(entity, query, ids);
      if (filter === null) continue;
      for await (const rows of listPages<unknown>(
        this.client,
        list,
        filter,
        size,
        signal ? { signal } : {},
      )) {
        const items = this.items(entity, query, rows, facts);
        if (items.length) yield items;
      }
    }
  }

  async count(entity: EntityName, query: ReadQuery): Promise<number | undefined> {
    if (query.ids) return query.ids.length;
    const list = this.list(entity);
    const filter = this.filter(entity, query);
    if (filter === null) return 0;
    const data = await this.client.request<Record<string, VendureList<unknown>>>(
      list.document,
      { options: { ...(filter ? { filter } : {}), take: 1 } },
      { what: `count ${list.field}` },
    );
    // The window is widened by a second on each side (window.ts): the count is close, not exact.
    return data[list.field]?.totalItems;
  }

  async get(entity: EntityName, ids: readonly string[]): Promise<SourceItem[]> {
    const out: SourceItem[] = [];
    for await (const page of this.read(entity, { ids })) out.push(...page);
    return out;
  }

  naturalKey(entity: EntityName, data: unknown, refs?: References): string | undefined {
    if (entity === 'customer') return customerKey(data);
    if (entity === 'product') {
      const sku = (data as { sku?: unknown } | undefined)?.sku;
      return typeof sku === 'string' && sku ? sku : undefined;
    }
    if (entity === 'salesOrder') return orderKey(data);
    if (entity === 'shipment') return shipmentKey(data, refs);
    if (entity === 'invoice') return invoiceKey(data, refs);
    return undefined;
  }

  async lookup(entity: EntityName, keys: readonly string[]): Promise<Map<string, TargetRecord>> {
    if (keys.length === 0) return new Map();
    if (entity === 'customer') return lookupCustomers(this.client, keys);
    if (entity === 'product') return lookupProducts(this.client, keys);
    if (entity === 'salesOrder') return lookupOrders(this.client, keys);
    if (entity === 'shipment') return lookupShipments(this.client, keys);
    if (entity === 'invoice') return lookupInvoices(this.client, keys);
    throw configError(`the Vendure connector does not write ${entity} records`);
  }

  async write(entity: EntityName, items: readonly WriteItem[]): Promise<WriteResult[]> {
    if (items.length === 0) return [];
    if (entity === 'customer') return writeCustomers(this.client, items);
    if (entity === 'product') return writeProducts(this.client, this.settings, items);
    if (entity === 'salesOrder') return writeOrders(this.client, items);
    if (entity === 'shipment') return writeShipments(this.client, items);
    if (entity === 'invoice') return writeInvoices(this.client, this.settings.paymentMethod, items);
    throw configError(`the Vendure connector does not write ${entity} records`);
  }

  /** Reachability, credentials, the shop's setup, then a read of each kind of record the flows use. */
  async check(): Promise<CheckResult[]> {
    const out: CheckResult[] = [];
    let facts: ShopFacts;
    try {
      facts = await this.client.facts();
      out.push({ name: 'reach', ok: true, message: `${this.settings.url} answers` });
      out.push({ name: 'credentials', ok: true, message: `logged in as ${this.settings.username}` });
    } catch (e) {
      const err = toErrorData(e);
      const answered = err.httpStatus !== undefined || err.code === 'auth' || err.code === 'config';
      out.push({
        name: 'reach',
        ok: answered,
        message: answered ? `${this.settings.url} answers` : err.message,
      });
      if (answered) out.push({ name: 'credentials', ok: false, message: err.message });
      return out;
    }
    out.push(...shopVerdicts(facts, this.settings));
    for (const [name, entity] of [
      ['customers', 'customer'],
      ['products', 'product'],
      ['orders', 'salesOrder'],
    ] as const) {
      out.push(
        await this.verdict(name, `can read ${name}`, async () => {
          const list = this.list(entity);
          await this.client.request(list.document, { options: { take: 1 } }, { what: `read ${name}` });
        }),
      );
    }
    return out;
  }

  private async verdict(name: string, ok: string, probe: () => Promise<unknown>): Promise<CheckResult> {
    try {
      await probe();
      return { name, ok: true, message: ok };
    } catch (e) {
      return { name, ok: false, message: toErrorData(e).message };
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

export function createVendureConnector(
  settings: Record<string, unknown>,
  ctx: ConnectorContext,
): VendureConnector {
  return new VendureConnector(settings, ctx);
}
