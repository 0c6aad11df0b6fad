import type { EntityName } from '../../model/index.js';
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
import { MagentoClient, magentoWords } from './client.js';
import { magentoManifest } from './manifest.js';
import { customerFromMagento } from './mappers/customer.js';
import { productFromMagento } from './mappers/product.js';
import { updatedAtFrom } from './mappers/values.js';
import { RegionDirectory } from './regions.js';
import { anyOf, type Criteria, type FilterGroup, searchParams, toMagentoTime } from './search-criteria.js';
import { type MagentoSettings, readSettings } from './settings.js';
import { StockApi } from './stock-api.js';
import type { MagentoCustomer, MagentoProduct, SearchResult } from './types.js';
import { writeCustomers } from './write-customers.js';
import { writeProducts } from './write-products.js';

type Row = MagentoCustomer | MagentoProduct;

/** Keys per search: keeps the URL of an `in` list well below what web servers accept (8 KB). */
const KEYS_PER_SEARCH = 100;

const SEARCH_PATH = { customer: 'V1/customers/search', product: 'V1/products' } as const;

const chunks = <T>(list: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(list.length / size) }, (_, i) => list.slice(i * size, (i + 1) * size));

export class MagentoConnector implements Connector {
  readonly manifest = magentoManifest;
  readonly client: MagentoClient;
  readonly settings: MagentoSettings;
  private readonly stock: StockApi;
  private readonly regions: RegionDirectory;

  constructor(settings: Record<string, unknown>, _ctx: ConnectorContext) {
    this.settings = readSettings(settings);
    this.client = new MagentoClient(this.settings);
    this.stock = new StockApi(this.client, this.settings);
    this.regions = new RegionDirectory(this.client);
  }

  private entityPath(entity: EntityName): string {
    if (entity === 'customer' || entity === 'product') return SEARCH_PATH[entity];
    throw configError(`the Magento connector does not handle ${entity} records`);
  }

  private async search<T>(path: string, c: Criteria): Promise<SearchResult<T>> {
    return (await this.client.request<SearchResult<T>>({ method: 'GET', path, query: searchParams(c) })).body;
  }

  /** Filter groups of a read: the window on updated_at, the ids, and (customers) this website. */
  private groups(entity: EntityName, q: ReadQuery, ids?: readonly string[]): FilterGroup[] {
    if (q.filters && Object.keys(q.filters).length)
      throw configError(
        `Magento has no batch filters besides dates and ids (asked for ${Object.keys(q.filters).join(', ')})`,
      );
    const g: FilterGroup[] = [];
    if (q.since) g.push([{ field: 'updated_at', value: toMagentoTime(q.since), condition: 'gteq' }]);
    if (q.until) g.push([{ field: 'updated_at', value: toMagentoTime(q.until), condition: 'lteq' }]);
    if (ids && entity === 'product') g.push(anyOf('sku', ids));
    if (ids && entity === 'customer') {
      // An ID file lists e-mails; typed ids and get() use Magento's entity ids. Both OR in one group.
      const emails = ids.filter((i) => i.includes('@'));
      const numbers = ids.filter((i) => /^\d+$/.test(i));
      g.push([
        ...(numbers.length ? anyOf('entity_id', numbers) : []),
        ...(emails.length ? anyOf('email', emails) : []),
      ]);
    }
    if (entity === 'customer')
      g.push([{ field: 'website_id', value: String(this.settings.websiteId), condition: 'eq' }]);
    return g;
  }

  /**
   * Pages sorted by id, which never changes: a record updated while we page cannot move another one
   * past us. Past the last page Magento answers with the last page again, so the loop ends on
   * total_count (re-read on every page), never on an empty page.
   */
  private async *pages(
    entity: EntityName,
    groups: FilterGroup[],
    pageSize: number,
    signal?: AbortSignal,
  ): AsyncIterable<Row[]> {
    let lastId = Number.NEGATIVE_INFINITY;
    for (let page = 1; ; page++) {
      signal?.throwIfAborted();
      const r = await this.search<Row>(this.entityPath(entity), {
        groups,
        sort: [{ field: 'entity_id', direction: 'ASC' }],
        pageSize,
        currentPage: page,
      });
      // Ids only grow from page to page: anything at or below the last one is a repeated page.
      const fresh = r.items.filter((x) => Number(x.id) > lastId);
      if (fresh.length) {
        lastId = Number(fresh[fresh.length - 1]!.id);
        yield fresh;
      }
      if (fresh.length === 0 || r.items.length < pageSize || page * pageSize >= r.total_count) return;
    }
  }

  private async toItems(entity: EntityName, rows: Row[]): Promise<SourceItem[]> {
    const stock = entity === 'product' ? await this.stock.read(rows.map((r) => String(r.sku))) : undefined;
    return rows.map((r): SourceItem => {
      const id = entity === 'customer' ? String(r.id) : String(r.sku);
      let updatedAt = new Date(0).toISOString();
      try {
        updatedAt = updatedAtFrom(r.updated_at, `Magento ${entity} ${id}`);
        const data =
          entity === 'customer'
            ? customerFromMagento(r as MagentoCustomer, this.settings)
            : productFromMagento(r as MagentoProduct, stock?.get(id) ?? [], this.settings);
        return { id, updatedAt, data };
      } catch (e) {
        return { id, updatedAt, error: toErrorData(e) };
      }
    });
  }

  async *read(entity: EntityName, query: ReadQuery, signal?: AbortSignal): AsyncIterable<SourceItem[]> {
    const size = query.pageSize ?? this.settings.pageSize;
    const idChunks = query.ids ? chunks(query.ids, KEYS_PER_SEARCH) : [undefined];
    for (const ids of idChunks) {
      const groups = this.groups(entity, query, ids);
      // Ids that cannot match anything (neither a number nor an e-mail) need no request at all.
      if (groups.some((g) => g.length === 0)) continue;
      for await (const rows of this.pages(entity, groups, size, signal)) yield this.toItems(entity, rows);
    }
  }

  async count(entity: EntityName, query: ReadQuery): Promise<number> {
    if (query.ids) return query.ids.length;
    const r = await this.search(this.entityPath(entity), {
      groups: this.groups(entity, query),
      pageSize: 1,
      currentPage: 1,
    });
    return r.total_count;
  }

  async get(entity: EntityName, ids: readonly string[]): Promise<SourceItem[]> {
    const out: SourceItem[] = [];
    for await (const page of this.read(entity, { ids })) out.push(...page);
    return out;
  }

  naturalKey(entity: EntityName, data: unknown): string | undefined {
    const d = (data ?? {}) as Record<string, unknown>;
    if (entity === 'customer')
      return typeof d.email === 'string' && d.email.trim()
        ? `${d.email.trim().toLowerCase()}:${this.settings.websiteId}`
        : undefined;
    if (entity === 'product') return typeof d.sku === 'string' && d.sku ? d.sku : undefined;
    return undefined;
  }

  /** One search per hundred keys (e-mail in (…) AND this website, or sku in (…)), full records as snapshots. */
  async lookup(entity: EntityName, keys: readonly string[]): Promise<Map<string, TargetRecord>> {
    const out = new Map<string, TargetRecord>();
    const path = this.entityPath(entity);
    for (const chunk of chunks(keys, KEYS_PER_SEARCH)) {
      if (entity === 'customer') {
        const emails = chunk.map((k) => k.slice(0, k.lastIndexOf(':')));
        const r = await this.search<MagentoCustomer>(path, {
          groups: [
            anyOf('email', emails),
            [{ field: 'website_id', value: String(this.settings.websiteId), condition: 'eq' }],
          ],
          pageSize: chunk.length,
          currentPage: 1,
        });
        for (const c of r.items) out.set(this.naturalKey('customer', c)!, { id: String(c.id), snapshot: c });
      } else {
        const r = await this.search<MagentoProduct>(path, {
          groups: [anyOf('sku', chunk)],
          pageSize: chunk.length,
          currentPage: 1,
        });
        // Magento compares SKUs without regard to case; the key is the SKU we were asked about.
        const asked = new Map(chunk.map((k) => [k.toLowerCase(), k]));
        for (const p of r.items) {
          const key = asked.get(p.sku.toLowerCase());
          if (key) out.set(key, { id: p.sku, snapshot: p });
        }
      }
    }
    return out;
  }

  async write(entity: EntityName, items: readonly WriteItem[]): Promise<WriteResult[]> {
    if (items.length === 0) return [];
    if (entity === 'customer') return writeCustomers(this.client, this.regions, this.settings, items);
    if (entity === 'product') return writeProducts(this.client, this.stock, this.settings, items);
    throw configError(`the Magento connector does not write ${entity} records`);
  }

  /** Reachability, credentials, then each API a sync uses, each its own verdict. */
  async check(): Promise<CheckResult[]> {
    const s = this.settings;
    const out: CheckResult[] = [];
    try {
      await this.search(SEARCH_PATH.customer, { pageSize: 1, currentPage: 1 });
      out.push({ name: 'reach', ok: true, message: `${s.baseUrl} answers` });
      out.push({
        name: 'credentials',
        ok: true,
        message:
          s.authMode === 'token' ? 'the integration access token is accepted' : `logged in as ${s.username}`,
      });
    } catch (e) {
      const err = toErrorData(e);
      const answered = err.httpStatus !== undefined;
      out.push({ name: 'reach', ok: answered, message: answered ? `${s.baseUrl} answers` : err.message });
      if (answered) out.push({ name: 'credentials', ok: false, message: this.credentialsMessage(err) });
      return out;
    }
    out.push({ name: 'customers', ok: true, message: 'can read customers' });
    let firstSku: string | undefined;
    out.push(
      await this.verdict('products', 'can read products', async () => {
        const r = await this.search<MagentoProduct>(SEARCH_PATH.product, { pageSize: 1, currentPage: 1 });
        firstSku = r.items[0]?.sku;
      }),
    );
    out.push(
      this.stock.legacy
        ? await this.verdict('stock', 'can read legacy stock items', async () => {
            if (firstSku) await this.stock.stockItem(firstSku);
          })
        : await this.verdict(
            'stock',
            `can read Multi-Source Inventory (source "${s.stockSource}")`,
            () => this.search('V1/inventory/source-items', { pageSize: 1, currentPage: 1 }),
            (err) =>
              err.httpStatus === 404 || err.httpStatus === 400
                ? `${err.message} — this store has no Multi-Source Inventory API; set stockApi to stock-item`
                : err.message,
          ),
    );
    return out;
  }

  private async verdict(
    name: string,
    ok: string,
    probe: () => Promise<unknown>,
    explain: (err: ErrorData) => string = (err) => err.message,
  ): Promise<CheckResult> {
    try {
      await probe();
      return { name, ok: true, message: ok };
    } catch (e) {
      return { name, ok: false, message: explain(toErrorData(e)) };
    }
  }

  private credentialsMessage(err: ErrorData): string {
    if (this.settings.authMode === 'admin' || err.httpStatus !== 401) return err.message;
    return (
      `Magento refused the access token: ${magentoWords(err.message)} — check the token of an active ` +
      'integration that may use customers, products and inventory, and that Stores › Configuration › ' +
      'Services › OAuth › "Allow OAuth Access Tokens to be used as standalone Bearer tokens" is Yes (2.4.4+)'
    );
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

export function createMagentoConnector(
  settings: Record<string, unknown>,
  ctx: ConnectorContext,
): MagentoConnector {
  return new MagentoConnector(settings, ctx);
}
