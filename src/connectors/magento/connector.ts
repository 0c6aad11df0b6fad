import type { Customer, EntityName, Product } from '../../model/index.js';
import type {
  CheckResult,
  Connector,
  ConnectorContext,
  ReadQuery,
  SourceItem,
  TargetRecord,
  WriteItem,
  WriteResult,
} from '../sdk/contract.js';
import { configError, type ErrorData, toErrorData } from '../sdk/errors.js';
import type { HttpExchange } from '../sdk/http.js';
import { MagentoClient, type MagentoClientSettings } from './client.js';
import { magentoManifest } from './manifest.js';
import {
  type CustomerMapSettings,
  customerFromMagento,
  customerToMagento,
  mergeCustomer,
  type RegionLookup,
} from './mappers/customer.js';
import {
  type ProductMapSettings,
  productFromMagento,
  productParts,
  productToMagento,
  sourceItemOf,
} from './mappers/product.js';
import { type Criteria, type Filter, searchParams, toMagentoTime } from './search-criteria.js';
import type {
  MagentoCustomer,
  MagentoProduct,
  SourceItem as MagentoSourceItem,
  SearchResult,
} from './types.js';

interface RegionInfo {
  id: string;
  code: string;
  name: string;
}

type Settings = MagentoClientSettings &
  CustomerMapSettings & {
    attributeSetId: number;
    stockSource: string;
    stockWarehouses?: string;
    pageSize: number;
  };

const KEYS_PER_SEARCH = 100;
/**
 * Product writes go to the "all" store scope: written through a store view's URL, Magento would save
 * names and descriptions as that view's overrides instead of the product's own values.
 */
const ALL_SCOPE = '../all/V1';

export class MagentoConnector implements Connector {
  readonly manifest = magentoManifest;
  readonly client: MagentoClient;
  private readonly productSettings: ProductMapSettings;
  /** Magento's region directory per country (code and name → id), read once per connection. */
  private readonly directory = new Map<string, Promise<RegionInfo[] | undefined>>();

  constructor(
    private readonly s: Settings,
    _ctx: ConnectorContext,
  ) {
    this.client = new MagentoClient(s);
    this.productSettings = {
      attributeSetId: s.attributeSetId,
      baseCurrency: s.baseCurrency,
      stockSource: s.stockSource,
      stockWarehouses: (s.stockWarehouses ?? '')
        .split(',')
        .map((w) => w.trim())
        .filter(Boolean),
    };
  }

  private async search<T>(path: string, c: Criteria, record?: HttpExchange[]): Promise<SearchResult<T>> {
    const res = await this.client.request<SearchResult<T>>({
      method: 'GET',
      path,
      query: searchParams(c),
      ...(record ? { record } : {}),
    });
    return res.body;
  }

  private groups(entity: EntityName, q: ReadQuery, ids?: readonly string[]): Filter[][] {
    const g: Filter[][] = [];
    if (q.since) g.push([{ field: 'updated_at', value: toMagentoTime(q.since), condition: 'gteq' }]);
    if (q.until) g.push([{ field: 'updated_at', value: toMagentoTime(q.until), condition: 'lteq' }]);
    if (q.filters && Object.keys(q.filters).length)
      throw configError(
        `Magento has no batch filters besides dates and ids (asked for ${Object.keys(q.filters).join(', ')})`,
      );
    if (ids?.length)
      g.push([{ field: entity === 'customer' ? 'entity_id' : 'sku', value: ids.join(','), condition: 'in' }]);
    if (entity === 'customer')
      g.push([{ field: 'website_id', value: String(this.s.websiteId), condition: 'eq' }]);
    return g;
  }

  private resource(entity: EntityName): 'V1/customers/search' | 'V1/products' {
    if (entity === 'customer') return 'V1/customers/search';
    if (entity === 'product') return 'V1/products';
    throw configError(`the Magento connector does not handle ${entity} records`);
  }

  private async stockOf(skus: readonly string[]): Promise<Map<string, MagentoSourceItem[]>> {
    const out = new Map<string, MagentoSourceItem[]>();
    if (skus.length === 0) return out;
    const r = await this.search<MagentoSourceItem>('V1/inventory/source-items', {
      groups: [[{ field: 'sku', value: skus.join(','), condition: 'in' }]],
    });
    for (const item of r.items) out.set(item.sku, [...(out.get(item.sku) ?? []), item]);
    return out;
  }

  private async toItems(
    entity: EntityName,
    rows: Array<MagentoCustomer | MagentoProduct>,
  ): Promise<SourceItem[]> {
    const stock = entity === 'product' ? await this.stockOf(rows.map((r) => String(r.sku))) : undefined;
    return rows.map((r): SourceItem => {
      const id = entity === 'customer' ? String(r.id) : String(r.sku);
      const updatedAt = r.updated_at
        ? new Date(`${String(r.updated_at).replace(' ', 'T')}Z`).toISOString()
        : new Date(0).toISOString();
      try {
        const data =
          entity === 'customer'
            ? customerFromMagento(r as MagentoCustomer, this.s)
            : productFromMagento(r as MagentoProduct, stock?.get(id) ?? [], this.productSettings);
        return { id, updatedAt, data };
      } catch (e) {
        return { id, updatedAt, error: toErrorData(e) };
      }
    });
  }

  private async *pages(
    entity: EntityName,
    groups: Filter[][],
    pageSize: number,
    signal?: AbortSignal,
  ): AsyncIterable<Array<MagentoCustomer | MagentoProduct>> {
    // Sorted by id, which never changes: a record updated while we page cannot shift others past us.
    for (let page = 1; ; page++) {
      signal?.throwIfAborted();
      const r = await this.search<MagentoCustomer | MagentoProduct>(this.resource(entity), {
        groups,
        sort: [{ field: 'entity_id', direction: 'ASC' }],
        pageSize,
        currentPage: page,
      });
      if (r.items.length) yield r.items;
      // Past the last page Magento answers with the last page again: stop on the total instead.
      if (r.items.length === 0 || page * pageSize >= r.total_count) return;
    }
  }

  async *read(entity: EntityName, query: ReadQuery, signal?: AbortSignal): AsyncIterable<SourceItem[]> {
    const size = query.pageSize ?? this.s.pageSize;
    const chunks = query.ids?.length
      ? Array.from({ length: Math.ceil(query.ids.length / KEYS_PER_SEARCH) }, (_, i) =>
          query.ids!.slice(i * KEYS_PER_SEARCH, (i + 1) * KEYS_PER_SEARCH),
        )
      : [undefined];
    for (const ids of chunks) {
      for await (const rows of this.pages(entity, this.groups(entity, query, ids), size, signal))
        yield this.toItems(entity, rows);
    }
  }

  async count(entity: EntityName, query: ReadQuery): Promise<number> {
    if (query.ids?.length) return query.ids.length;
    return (
      await this.search(this.resource(entity), {
        groups: this.groups(entity, query),
        pageSize: 1,
        currentPage: 1,
      })
    ).total_count;
  }

  async get(entity: EntityName, ids: readonly string[]): Promise<SourceItem[]> {
    const out: SourceItem[] = [];
    for await (const page of this.read(entity, { ids })) out.push(...page);
    return out;
  }

  naturalKey(entity: EntityName, data: unknown): string | undefined {
    const d = data as Record<string, unknown>;
    if (entity === 'customer')
      return typeof d.email === 'string' && d.email
        ? `${d.email.toLowerCase()}:${this.s.websiteId}`
        : undefined;
    if (entity === 'product') return typeof d.sku === 'string' && d.sku ? d.sku : undefined;
    return undefined;
  }

  /** One search per hundred keys: e-mail in (…) and the website, or sku in (…). */
  async lookup(entity: EntityName, keys: readonly string[]): Promise<Map<string, TargetRecord>> {
    const out = new Map<string, TargetRecord>();
    for (let i = 0; i < keys.length; i += KEYS_PER_SEARCH) {
      const chunk = keys.slice(i, i + KEYS_PER_SEARCH);
      if (entity === 'customer') {
        const emails = chunk.map((k) => k.slice(0, k.lastIndexOf(':')));
        const r = await this.search<MagentoCustomer>('V1/customers/search', {
          groups: [
            [{ field: 'email', value: emails.join(','), condition: 'in' }],
            [{ field: 'website_id', value: String(this.s.websiteId), condition: 'eq' }],
          ],
          pageSize: chunk.length,
          currentPage: 1,
        });
        for (const c of r.items)
          out.set(`${c.email.toLowerCase()}:${this.s.websiteId}`, { id: String(c.id), snapshot: c });
      } else {
        const r = await this.search<MagentoProduct>('V1/products', {
          groups: [[{ field: 'sku', value: chunk.join(','), condition: 'in' }]],
          pageSize: chunk.length,
          currentPage: 1,
        });
        for (const p of r.items) out.set(p.sku, { id: p.sku, snapshot: p });
      }
    }
    return out;
  }

  private regionsOf(country: string): Promise<RegionInfo[] | undefined> {
    let p = this.directory.get(country);
    if (!p) {
      p = this.client
        .request<{ available_regions?: RegionInfo[] }>({
          method: 'GET',
          path: `V1/directory/countries/${encodeURIComponent(country)}`,
          accept: [400, 404],
        })
        .then((r) => (r.status < 400 ? r.body.available_regions : undefined));
      p.catch(() => this.directory.delete(country));
      this.directory.set(country, p);
    }
    return p;
  }

  /** Loads the directory of every country these customers' addresses name a region in. */
  private async regionLookup(items: readonly WriteItem[]): Promise<RegionLookup> {
    const countries = new Set<string>();
    for (const i of items)
      for (const a of (i.data as Customer).addresses ?? []) if (a.region) countries.add(a.country);
    const lists = new Map<string, RegionInfo[] | undefined>();
    for (const c of countries) lists.set(c, await this.regionsOf(c));
    return (country, region) => {
      const list = lists.get(country);
      // A country without a region list takes free text; Magento marks that with region id 0.
      if (!list?.length) return { region, region_code: region, region_id: 0 };
      const r = list.find(
        (x) => x.code.toLowerCase() === region.toLowerCase() || x.name.toLowerCase() === region.toLowerCase(),
      );
      return r ? { region: r.name, region_code: r.code, region_id: Number(r.id) } : undefined;
    };
  }

  async write(entity: EntityName, items: readonly WriteItem[]): Promise<WriteResult[]> {
    if (entity === 'customer') {
      const regions = await this.regionLookup(items);
      return Promise.all(items.map((i) => this.writeCustomer(i, regions)));
    }
    if (entity === 'product') return this.writeProducts(items);
    throw configError(`the Magento connector does not write ${entity} records`);
  }

  private async writeCustomer(item: WriteItem, regions: RegionLookup): Promise<WriteResult> {
    const exchanges: HttpExchange[] = [];
    try {
      const c = item.data as Customer;
      if (item.action === 'create') {
        const res = await this.client.request<MagentoCustomer>({
          method: 'POST',
          path: 'V1/customers',
          body: { customer: customerToMagento(c, this.s, regions) },
          record: exchanges,
        });
        return { ref: item.ref, ok: true, targetId: String(res.body.id), action: 'created', exchanges };
      }
      const id = item.targetId!;
      // PUT replaces the customer: start from what Magento has now, change only the owned parts.
      const current =
        (item.existing?.snapshot as MagentoCustomer | undefined) ??
        (
          await this.client.request<MagentoCustomer>({
            method: 'GET',
            path: `V1/customers/${encodeURIComponent(id)}`,
            record: exchanges,
          })
        ).body;
      const merged = mergeCustomer(current, c, item.fields ?? [], this.s, regions);
      await this.client.request({
        method: 'PUT',
        path: `V1/customers/${encodeURIComponent(id)}`,
        body: { customer: { ...merged, id: Number(id) } },
        record: exchanges,
      });
      return { ref: item.ref, ok: true, targetId: id, action: 'updated', exchanges };
    } catch (e) {
      const error = toErrorData(e);
      if (error.category === 'config') throw e;
      return { ref: item.ref, ok: false, error, exchanges };
    }
  }

  /** Products by PUT (an upsert by SKU, so a repeated create is harmless), then their stock in one call. */
  private async writeProducts(items: readonly WriteItem[]): Promise<WriteResult[]> {
    const stockFor: Product[] = [];
    const results = await Promise.all(
      items.map(async (item): Promise<WriteResult> => {
        const exchanges: HttpExchange[] = [];
        try {
          const p = item.data as Product;
          const fields = item.action === 'update' ? (item.fields ?? []) : undefined;
          const product = fields
            ? { sku: p.sku, ...productParts(p, fields) }
            : productToMagento(p, this.productSettings);
          if (!fields || Object.keys(product).length > 1) {
            await this.client.request({
              method: 'PUT',
              path: `${ALL_SCOPE}/products/${encodeURIComponent(p.sku)}`,
              body: { product },
              record: exchanges,
            });
          }
          if (!fields || fields.includes('stock')) stockFor.push(p);
          return {
            ref: item.ref,
            ok: true,
            targetId: p.sku,
            action: item.action === 'create' ? 'created' : 'updated',
            exchanges,
          };
        } catch (e) {
          const error = toErrorData(e);
          if (error.category === 'config') throw e;
          return { ref: item.ref, ok: false, error, exchanges };
        }
      }),
    );
    if (stockFor.length) {
      const exchanges: HttpExchange[] = [];
      let failure: ErrorData | undefined;
      try {
        await this.client.request({
          method: 'POST',
          path: 'V1/inventory/source-items',
          body: { sourceItems: stockFor.map((p) => sourceItemOf(p, this.productSettings)) },
          idempotent: true,
          record: exchanges,
        });
      } catch (e) {
        failure = toErrorData(e);
        if (failure.category === 'config') throw e;
      }
      const skus = new Set(stockFor.map((p) => p.sku));
      for (const [i, r] of results.entries()) {
        if (!r.ok || !skus.has(r.targetId)) continue;
        if (failure)
          results[i] = {
            ref: r.ref,
            ok: false,
            error: { ...failure, message: `saving the stock failed: ${failure.message}` },
            exchanges: [...(r.exchanges ?? []), ...exchanges],
          };
        else r.exchanges = [...(r.exchanges ?? []), ...exchanges];
      }
    }
    return results;
  }

  async check(): Promise<CheckResult[]> {
    const out: CheckResult[] = [];
    try {
      await this.search('V1/customers/search', { pageSize: 1, currentPage: 1 });
      out.push({ name: 'reach', ok: true, message: `${this.s.baseUrl} answers` });
      out.push({
        name: 'credentials',
        ok: true,
        message:
          this.s.authMode === 'token'
            ? 'the integration token is accepted'
            : `logged in as ${this.s.username}`,
      });
    } catch (e) {
      const err = toErrorData(e);
      const answered = err.httpStatus !== undefined;
      out.push({
        name: 'reach',
        ok: answered,
        message: answered ? `${this.s.baseUrl} answers` : err.message,
      });
      if (answered) {
        const refused = err.httpStatus === 401 || err.code === 'auth';
        out.push({
          name: 'credentials',
          ok: false,
          message:
            refused && this.s.authMode === 'token'
              ? `Magento refused the access token: ${err.message.replace(/^Magento answered \d+: /, '')}`
              : err.message,
        });
      }
      return out;
    }
    try {
      await this.search('V1/products', { pageSize: 1, currentPage: 1 });
      await this.search('V1/inventory/source-items', { pageSize: 1, currentPage: 1 });
      out.push({ name: 'read', ok: true, message: 'can read customers, products and stock' });
    } catch (e) {
      out.push({ name: 'read', ok: false, message: toErrorData(e).message });
    }
    return out;
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

export function createMagentoConnector(
  settings: Record<string, unknown>,
  ctx: ConnectorContext,
): MagentoConnector {
  return new MagentoConnector(settings as unknown as Settings, ctx);
}
