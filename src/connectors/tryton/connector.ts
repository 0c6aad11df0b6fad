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
import { TrytonClient } from './client.js';
import { companyContext, readWorkplace, type Workplace } from './company.js';
import { CustomerTarget, customerKey } from './customers.js';
import { type Domain, filtersDomain, idsDomain, recordIds, windowDomain } from './domain.js';
import { type EntitySpec, type MapContext, spec } from './entities.js';
import { Lookups } from './lookups.js';
import { trytonManifest } from './manifest.js';
import { stampOf } from './mappers/common.js';
import { type SaleLineRef, saleLineRefs } from './mappers/line-numbers.js';
import { ProductTarget } from './products.js';
import { SalesOrderTarget, salesOrderKey } from './sales-orders.js';
import type { TrytonSettings } from './settings.js';
import type { RawRecord } from './types.js';

/** Ids per search: a domain's id list travels in the request body, so a page of ids is one call. */
const IDS_PER_SEARCH = 200;

/** The models the flows use, each read once by check(). */
const CHECKED_MODELS: ReadonlyArray<[string, string]> = [
  ['party.party', 'parties (customers)'],
  ['product.product', 'products'],
  ['sale.sale', 'sales'],
  ['stock.shipment.out', 'customer shipments'],
  ['account.invoice', 'invoices'],
];

export class TrytonConnector implements Connector {
  readonly manifest = trytonManifest;
  readonly client: TrytonClient;
  private readonly lookups: Lookups;
  private readonly customers: CustomerTarget;
  private readonly products: ProductTarget;
  private readonly orders: SalesOrderTarget;
  private workplacePromise?: Promise<Workplace>;

  constructor(
    private readonly s: TrytonSettings,
    ctx: ConnectorContext,
  ) {
    this.client = new TrytonClient(s, {
      resolveContext: (client, preferences) => companyContext(client, preferences, s),
      connection: ctx.connection,
      ...(ctx.limiter ? { limiter: ctx.limiter } : {}),
    });
    this.lookups = new Lookups(this.client);
    this.customers = new CustomerTarget(this.client, this.lookups);
    this.products = new ProductTarget(this.client, this.lookups, s);
    this.orders = new SalesOrderTarget(this.client, this.lookups, s, () => this.workplace());
  }

  /** The company, its currency and the warehouse, read once (and again after a failed read). */
  workplace(): Promise<Workplace> {
    if (!this.workplacePromise) {
      const reading = readWorkplace(this.client, this.s);
      this.workplacePromise = reading;
      reading.catch(() => {
        if (this.workplacePromise === reading) this.workplacePromise = undefined;
      });
    }
    return this.workplacePromise;
  }

  private domainOf(sp: EntitySpec, q: ReadQuery, w: Workplace, ids?: readonly string[]): Domain {
    return [
      ...(sp.scope?.(w, this.s) ?? []),
      ...windowDomain(sp.stamps, q.since, q.until),
      ...filtersDomain(sp.filterFields, q.filters, sp.model),
      ...(ids ? idsDomain(ids) : []),
    ];
  }

  private async *pages(
    sp: EntitySpec,
    domain: Domain,
    pageSize: number,
    w: Workplace,
    signal?: AbortSignal,
  ): AsyncIterable<RawRecord[]> {
    for (let offset = 0; ; offset += pageSize) {
      const rows = await this.client.model<RawRecord[]>(
        sp.model,
        'search_read',
        [domain, offset, pageSize, [['id', 'ASC']], sp.fields],
        {
          idempotent: true,
          ...(sp.context ? { context: sp.context(w) } : {}),
          ...(signal ? { signal } : {}),
        },
      );
      if (rows.length) yield rows;
      if (rows.length < pageSize) return;
    }
  }

  /** The sales and line numbers of the sale lines a page comes from, in one search. */
  private async saleLines(ids: readonly number[], signal?: AbortSignal): Promise<Map<number, SaleLineRef>> {
    if (ids.length === 0) return new Map();
    const lines = await this.client.model<Array<RawRecord & { sale?: number }>>(
      'sale.line',
      'search_read',
      // Every line of the sales those lines belong to, in Tryton's order, so each can be numbered.
      [[['sale.lines', 'in', [...new Set(ids)]]], 0, null, null, ['sale', 'type', 'product.code']],
      { idempotent: true, ...(signal ? { signal } : {}) },
    );
    return saleLineRefs(lines, this.s.shippingProduct);
  }

  /** Maps a page; a record that cannot be mapped is an item with its error, and `until` bounds what related records moved. */
  private async items(
    sp: EntitySpec,
    rows: readonly RawRecord[],
    w: Workplace,
    q: ReadQuery,
    signal?: AbortSignal,
  ): Promise<SourceItem[]> {
    const ctx: MapContext = {
      workplace: w,
      settings: this.s,
      saleLines: sp.saleLines ? await this.saleLines(sp.saleLines(rows), signal) : new Map(),
    };
    const until = q.until ? Date.parse(q.until) : undefined;
    const out: SourceItem[] = [];
    for (const raw of rows) {
      const id = String(raw.id);
      let item: SourceItem;
      try {
        const data = sp.fromRaw(raw, ctx);
        item = { id, updatedAt: String(data.updatedAt ?? stampOf([raw])), data };
      } catch (e) {
        item = { id, updatedAt: stampOf([raw]), error: toErrorData(e) };
      }
      if (until === undefined || Date.parse(item.updatedAt) <= until) out.push(item);
    }
    return out;
  }

  async *read(entity: EntityName, query: ReadQuery, signal?: AbortSignal): AsyncIterable<SourceItem[]> {
    const sp = spec(entity);
    const w = await this.workplace();
    const size = query.pageSize ?? this.s.pageSize;
    if (query.ids?.length) {
      const ids = recordIds(query.ids).map(String);
      for (let i = 0; i < ids.length; i += IDS_PER_SEARCH) {
        const domain = this.domainOf(sp, query, w, ids.slice(i, i + IDS_PER_SEARCH));
        for await (const rows of this.pages(sp, domain, size, w, signal)) {
          const items = await this.items(sp, rows, w, query, signal);
          if (items.length) yield items;
        }
      }
      return;
    }
    for await (const rows of this.pages(sp, this.domainOf(sp, query, w), size, w, signal)) {
      const items = await this.items(sp, rows, w, query, signal);
      if (items.length) yield items;
    }
  }

  /** Tryton counts on its side (search_count); a window's `until` on related records is not counted off. */
  async count(entity: EntityName, query: ReadQuery): Promise<number> {
    const sp = spec(entity);
    const w = await this.workplace();
    const domain = this.domainOf(
      sp,
      query,
      w,
      query.ids?.length ? recordIds(query.ids).map(String) : undefined,
    );
    return this.client.model<number>(sp.model, 'search_count', [domain], {
      idempotent: true,
      ...(sp.context ? { context: sp.context(w) } : {}),
    });
  }

  async get(entity: EntityName, ids: readonly string[]): Promise<SourceItem[]> {
    const out: SourceItem[] = [];
    for await (const page of this.read(entity, { ids })) out.push(...page);
    return out;
  }

  naturalKey(entity: EntityName, data: unknown, _refs?: References): string | undefined {
    if (entity === 'customer') return customerKey(data);
    if (entity === 'salesOrder') return salesOrderKey(data);
    if (entity === 'product') {
      const sku = (data as { sku?: unknown }).sku;
      return typeof sku === 'string' && sku ? sku : undefined;
    }
    return undefined;
  }

  async lookup(entity: EntityName, keys: readonly string[]): Promise<Map<string, TargetRecord>> {
    if (entity === 'customer') return this.customers.lookup(keys);
    if (entity === 'product') return this.products.lookup(keys);
    if (entity === 'salesOrder') return this.orders.lookup(keys);
    throw configError(`the Tryton connector does not write ${entity} records`);
  }

  async write(entity: EntityName, items: readonly WriteItem[]): Promise<WriteResult[]> {
    if (entity === 'customer') return this.customers.write(items);
    if (entity === 'product') return this.products.write(items);
    if (entity === 'salesOrder') return this.orders.write(items);
    throw configError(`the Tryton connector does not write ${entity} records`);
  }

  async check(): Promise<CheckResult[]> {
    const out: CheckResult[] = [];
    try {
      const version = await this.client.version();
      out.push({ name: 'reach', ok: true, message: `${this.s.url} answers: trytond ${version}` });
    } catch (e) {
      out.push({ name: 'reach', ok: false, message: toErrorData(e).message });
      return out;
    }
    let w: Workplace;
    try {
      await this.client.userId();
      w = await this.workplace();
      out.push({
        name: 'credentials',
        ok: true,
        message: `logged in as ${this.s.username} to database ${this.s.database}, company ${w.companyId} (${w.currency}), warehouse ${w.warehouse.name}`,
      });
    } catch (e) {
      const err = toErrorData(e);
      out.push({ name: err.code === 'auth' ? 'credentials' : 'company', ok: false, message: err.message });
      return out;
    }
    for (const [model, what] of CHECKED_MODELS) {
      try {
        await this.client.model(model, 'search_read', [[], 0, 1, null, ['id']], { idempotent: true });
        out.push({ name: `read ${model}`, ok: true, message: `can read ${what}` });
      } catch (e) {
        out.push({
          name: `read ${model}`,
          ok: false,
          message: `cannot read ${what}: ${toErrorData(e).message}`,
        });
      }
    }
    return out;
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

export function createTrytonConnector(
  settings: Record<string, unknown>,
  ctx: ConnectorContext,
): TrytonConnector {
  const s = settings as unknown as TrytonSettings;
  if (!s.url || !s.database) throw configError('Tryton needs a url and a database');
  // The manifest's defaults, for settings that did not pass through its schema.
  return new TrytonConnector(
    {
      ...s,
      shippingProduct: s.shippingProduct ?? 'SHIPPING',
      pageSize: s.pageSize ?? 100,
      timeoutMs: s.timeoutMs ?? 30_000,
    },
    ctx,
  );
}
