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
import { configError, type ErrorData, toErrorData } from '../sdk/errors.js';
import { MagentoClient, magentoWords } from './client.js';
import { magentoKnownCodes } from './known-codes.js';
import { magentoManifest } from './manifest.js';
import { customerFromMagento } from './mappers/customer.js';
import { productFromMagento } from './mappers/product.js';
import { updatedAtFrom } from './mappers/values.js';
import { lookupDocuments } from './order-documents.js';
import { chunks, KEYS_PER_SEARCH, pages, search } from './paging.js';
import { readInvoices } from './read-invoices.js';
import { ORDERS_PATH, orderGroups, orderItem } from './read-orders.js';
import { RegionDirectory } from './regions.js';
import type { MagentoInvoice, MagentoOrder, MagentoShipment } from './sales-types.js';
import { anyOf, type Criteria, type FilterGroup, toMagentoTime } from './search-criteria.js';
import { type MagentoSettings, readSettings } from './settings.js';
import { StockApi } from './stock-api.js';
import type { MagentoCustomer, MagentoProduct, SearchResult } from './types.js';
import { MagentoWebhook } from './webhook.js';
import { companyKey, lookupCompanies, noEmail, writeCompanies } from './write-companies.js';
import { writeCustomers } from './write-customers.js';
import { writeDocuments } from './write-documents.js';
import { INVOICES_PATH, invoiceKey, invoiceSpec } from './write-invoices.js';
import { lookupOrders, orderKey, writeOrders } from './write-orders.js';
import { lookupPayments, paymentKey, writePayments } from './write-payments.js';
import { writeProducts } from './write-products.js';
import { SHIPMENTS_PATH, shipmentKey, shipmentSpec } from './write-shipments.js';

type Row = MagentoCustomer | MagentoProduct | MagentoOrder;

const SEARCH_PATH = {
  customer: 'V1/customers/search',
  product: 'V1/products',
  salesOrder: ORDERS_PATH,
} as const;
type Readable = keyof typeof SEARCH_PATH;

export class MagentoConnector implements Connector {
  readonly manifest = magentoManifest;
  readonly client: MagentoClient;
  readonly settings: MagentoSettings;
  private readonly stock: StockApi;
  private readonly regions: RegionDirectory;
  /** Adobe Commerce webhooks: signed order, customer and product saves. */
  readonly webhook: MagentoWebhook;

  constructor(settings: Record<string, unknown>, ctx: ConnectorContext) {
    this.settings = readSettings(settings);
    this.client = new MagentoClient(this.settings, ctx);
    this.stock = new StockApi(this.client, this.settings);
    this.regions = new RegionDirectory(this.client);
    this.webhook = new MagentoWebhook(this.settings);
  }

  private entityPath(entity: EntityName): string {
    if (entity in SEARCH_PATH) return SEARCH_PATH[entity as Readable];
    throw configError(`the Magento connector does not read ${entity} records`);
  }

  private search<T>(path: string, c: Criteria): Promise<SearchResult<T>> {
    return search<T>(this.client, path, c);
  }

  /** Filter groups of a read: the window on updated_at, the ids, and (customers) this website. */
  private groups(entity: EntityName, q: ReadQuery, ids?: readonly string[]): FilterGroup[] {
    if (entity === 'salesOrder') return orderGroups(q, ids);
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

  /** Pages of an entity, sorted by its id (see paging.ts). */
  private rows(entity: EntityName, groups: FilterGroup[], pageSize: number, signal?: AbortSignal) {
    const idOf = (r: Row) => Number(entity === 'salesOrder' ? (r as MagentoOrder).entity_id : r.id);
    return pages<Row>(this.client, this.entityPath(entity), groups, pageSize, idOf, signal ? { signal } : {});
  }

  private async toItems(entity: EntityName, rows: Row[]): Promise<SourceItem[]> {
    if (entity === 'salesOrder') return rows.map((o) => orderItem(o as MagentoOrder, this.settings));
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
      for await (const rows of this.rows(entity, groups, size, signal)) yield this.toItems(entity, rows);
    }
  }

  /** Invoices Ledgerlink wrote, by Magento entity id, for a reconciliation (Magento offers none as a source). */
  async readWritten(entity: EntityName, ids: readonly string[]): Promise<SourceItem[]> {
    if (entity === 'invoice') return readInvoices(this.client, ids);
    return this.get(entity, ids);
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

  naturalKey(entity: EntityName, data: unknown, refs?: References): string | undefined {
    if (entity === 'salesOrder') return orderKey(data);
    if (entity === 'shipment') return shipmentKey(data, refs);
    if (entity === 'invoice') return invoiceKey(data, refs);
    if (entity === 'payment') return paymentKey(data, refs);
    const d = (data ?? {}) as Record<string, unknown>;
    if (entity === 'customer' && this.settings.b2bCompanies) return companyKey(data);
    if (entity === 'customer')
      return typeof d.email === 'string' && d.email.trim()
        ? `${d.email.trim().toLowerCase()}:${this.settings.websiteId}`
        : undefined;
    if (entity === 'product') return typeof d.sku === 'string' && d.sku ? d.sku : undefined;
    return undefined;
  }

  /** A B2B connection's customers are companies: what is missing is the company e-mail. */
  missingKeyReason(entity: EntityName, data: unknown): string | undefined {
    if (entity !== 'customer' || !this.settings.b2bCompanies) return undefined;
    return noEmail((data as { number?: unknown } | undefined)?.number);
  }

  /** One search per hundred keys (e-mail in (…) AND this website, or sku in (…)), full records as snapshots. */
  async lookup(entity: EntityName, keys: readonly string[]): Promise<Map<string, TargetRecord>> {
    if (keys.length === 0) return new Map();
    if (entity === 'salesOrder') return lookupOrders(this.client, keys);
    if (entity === 'shipment')
      return lookupDocuments<MagentoShipment>(this.client, SHIPMENTS_PATH, 'shipment', keys);
    if (entity === 'invoice')
      return lookupDocuments<MagentoInvoice>(this.client, INVOICES_PATH, 'invoice', keys);
    if (entity === 'payment') return lookupPayments(this.client, keys);
    if (entity === 'customer' && this.settings.b2bCompanies) return lookupCompanies(this.client, keys);
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
    if (entity === 'customer' && this.settings.b2bCompanies)
      return writeCompanies(this.client, this.regions, this.settings, items);
    if (entity === 'customer') return writeCustomers(this.client, this.regions, this.settings, items);
    if (entity === 'product') return writeProducts(this.client, this.stock, this.settings, items);
    if (entity === 'salesOrder') return writeOrders(this.client, this.settings, items);
    if (entity === 'shipment') return writeDocuments(this.client, shipmentSpec, items);
    if (entity === 'invoice') return writeDocuments(this.client, invoiceSpec, items);
    if (entity === 'payment') return writePayments(this.client, items);
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
      await this.verdict('orders', 'can read orders', () =>
        this.search(SEARCH_PATH.salesOrder, { pageSize: 1, currentPage: 1 }),
      ),
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

  /** Tax rate codes (GET /V1/taxRates/search) and the one order type; shipping and payment methods are not listed. */
  knownCodes(field: string) {
    return magentoKnownCodes(this.client, field);
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
