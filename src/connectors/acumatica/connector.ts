import type { EntityName } from '../../model/index.js';
import type {
  CheckResult,
  Connector,
  ConnectorContext,
  FilterOption,
  OAuthAuthorization,
  ReadQuery,
  References,
  SourceItem,
  TargetRecord,
  WebhookHandler,
  WriteItem,
  WriteResult,
} from '../sdk/contract.js';
import { configError, LedgerlinkError, toErrorData } from '../sdk/errors.js';
import type { HttpExchange } from '../sdk/http.js';
import { AcumaticaClient } from './client.js';
import { type EntitySpec, spec } from './entities.js';
import { acumaticaKnownCodes } from './known-codes.js';
import { Lookups } from './lookups.js';
import { acumaticaManifest } from './manifest.js';
import type { DocumentContext } from './mappers/document.js';
import { allOf, anyOf, dateLiteral, startsWith } from './odata.js';
import { SalesOrderTarget, salesOrderKey } from './sales-orders.js';
import { customerCustomFieldsOf, orderTypesOf, type Settings } from './settings.js';
import { type RawEntity, str, val } from './types.js';
import { acumaticaWebhook } from './webhook.js';

/** ids per request: an `or` of key comparisons keeps URLs well under common proxy limits. */
const IDS_PER_REQUEST = 25;

export class AcumaticaConnector implements Connector {
  readonly manifest = acumaticaManifest;
  readonly client: AcumaticaClient;

  readonly authorization?: OAuthAuthorization;
  readonly webhook: WebhookHandler;
  private readonly lookups: Lookups;
  private readonly orders: SalesOrderTarget;

  constructor(
    private readonly s: Settings,
    ctx: ConnectorContext,
  ) {
    this.client = new AcumaticaClient(s, {
      connection: ctx.connection,
      ...(ctx.credentials ? { credentials: ctx.credentials } : {}),
      ...(ctx.limiter ? { limiter: ctx.limiter } : {}),
    });
    this.lookups = new Lookups(this.client, ctx.logger);
    this.orders = new SalesOrderTarget(this.client, s);
    this.webhook = acumaticaWebhook({
      webhookHeaderName: s.webhookHeaderName ?? 'X-Ledgerlink-Token',
      ...(s.webhookHeaderValue ? { webhookHeaderValue: s.webhookHeaderValue } : {}),
      orderTypes: orderTypesOf(s),
    });
    if (s.authMode === 'oauth2' && s.oauthFlow === 'authorization_code') {
      this.authorization = {
        authorizeUrl: (redirectUri, state) => this.client.authorizeUrl(redirectUri, state),
        complete: (code, redirectUri) => this.client.exchangeCode(code, redirectUri),
      };
    }
  }

  private get mapContext(): DocumentContext {
    return {
      baseCurrency: this.s.baseCurrency,
      ...(this.s.guestCustomerId ? { guestCustomerId: this.s.guestCustomerId } : {}),
      customerCustomFields: customerCustomFieldsOf(this.s),
      ...(this.s.customerTypeField ? { customerTypeField: this.s.customerTypeField } : {}),
      taxSchedules: this.lookups.taxSchedules,
      shipVias: this.lookups.shipVias,
    };
  }

  private toItem(sp: EntitySpec, raw: RawEntity, ctx: DocumentContext): SourceItem {
    const id = str(raw[sp.key] as { value?: string }) ?? '';
    const updatedAt = String(
      val(raw[sp.cursor] as { value?: string }) ??
        val(raw.LastModifiedDateTime as { value?: string }) ??
        new Date(0).toISOString(),
    );
    try {
      return { id, updatedAt: new Date(updatedAt).toISOString(), data: sp.fromRaw(raw, ctx) };
    } catch (e) {
      return { id, updatedAt: new Date(updatedAt).toISOString(), error: toErrorData(e) };
    }
  }

  /** Maps a page, after reading what its records refer to. */
  private async items(
    sp: EntitySpec,
    rows: readonly RawEntity[],
    signal?: AbortSignal,
  ): Promise<SourceItem[]> {
    await sp.prepare?.(rows, this.lookups, signal);
    const ctx = this.mapContext;
    return rows.map((r) => this.toItem(sp, r, ctx));
  }

  private filterOf(sp: EntitySpec, q: ReadQuery, ids?: readonly string[]): string | undefined {
    const parts: Array<string | undefined> = [sp.scope?.(this.s)];
    if (q.since) parts.push(`${sp.cursor} ge ${dateLiteral(q.since)}`);
    if (q.until) parts.push(`${sp.cursor} le ${dateLiteral(q.until)}`);
    for (const [name, values] of Object.entries(q.filters ?? {})) {
      if (sp.detailFilters?.[name]) continue;
      const textField = sp.textFields?.[name];
      if (textField) {
        if (values[0]) parts.push(startsWith(textField, values[0]));
        continue;
      }
      const field = sp.filterFields[name];
      if (!field)
        throw configError(
          `Acumatica has no "${name}" filter for ${sp.resource}; it has: ${[...Object.keys(sp.filterFields), ...Object.keys(sp.textFields ?? {}), ...Object.keys(sp.detailFilters ?? {})].join(', ')}`,
        );
      if (values.length) parts.push(anyOf(field, values));
    }
    if (ids?.length) parts.push(anyOf(sp.key, ids));
    return allOf(parts);
  }

  private async *pages(
    sp: EntitySpec,
    filter: string | undefined,
    pageSize: number,
    select?: string,
    signal?: AbortSignal,
  ): AsyncIterable<RawEntity[]> {
    for (let skip = 0; ; skip += pageSize) {
      const query: Record<string, string | number | undefined> = {
        $filter: filter,
        $top: pageSize,
        $skip: skip,
      };
      if (select) query.$select = select;
      else {
        query.$expand = sp.expand;
        const custom = sp.custom?.(this.s);
        if (custom) query.$custom = custom;
      }
      const res = await this.client.entity<RawEntity[]>({
        method: 'GET',
        path: sp.resource,
        query,
        ...(signal ? { signal } : {}),
      });
      const rows = Array.isArray(res.body) ? res.body : [];
      if (rows.length) yield rows;
      if (rows.length < pageSize) return;
    }
  }

  /** The filters on detail records the query uses: applied to each page as it is read. */
  private detailTests(sp: EntitySpec, q: ReadQuery): Array<(raw: RawEntity) => boolean> {
    const tests: Array<(raw: RawEntity) => boolean> = [];
    for (const [name, values] of Object.entries(q.filters ?? {})) {
      const test = sp.detailFilters?.[name];
      if (test && values.length) tests.push((raw) => test(raw, values));
    }
    return tests;
  }

  async *read(entity: EntityName, query: ReadQuery, signal?: AbortSignal): AsyncIterable<SourceItem[]> {
    const sp = spec(entity);
    const size = query.pageSize ?? this.s.pageSize;
    const tests = this.detailTests(sp, query);
    const kept = (rows: RawEntity[]) => (tests.length ? rows.filter((r) => tests.every((t) => t(r))) : rows);
    const filters = query.ids?.length
      ? Array.from({ length: Math.ceil(query.ids.length / IDS_PER_REQUEST) }, (_, i) =>
          this.filterOf(sp, query, query.ids!.slice(i * IDS_PER_REQUEST, (i + 1) * IDS_PER_REQUEST)),
        )
      : [this.filterOf(sp, query)];
    for (const filter of filters)
      for await (const rows of this.pages(sp, filter, size, undefined, signal)) {
        const page = kept(rows);
        if (page.length) yield await this.items(sp, page, signal);
      }
  }

  /**
   * Acumatica has no $count: page through the keys alone, a thousand at a time. Unknown (undefined)
   * when a filter applies to detail records, which only the whole record shows.
   */
  async count(entity: EntityName, query: ReadQuery): Promise<number | undefined> {
    const sp = spec(entity);
    if (query.ids?.length) return query.ids.length;
    if (this.detailTests(sp, query).length) return undefined;
    let n = 0;
    for await (const rows of this.pages(sp, this.filterOf(sp, query), 1000, sp.key)) n += rows.length;
    return n;
  }

  /**
   * Pick lists: customer and item classes as the tenant defines them (CustomerClass, ItemClass); order
   * types are those the connection reads (the Default endpoint has no order type entity, and orders of
   * other types are not read at all). Statuses are fixed lists in the manifest.
   */
  async filterOptions(
    entity: EntityName,
    filter: string,
    signal?: AbortSignal,
  ): Promise<FilterOption[] | undefined> {
    const classes = async (resource: 'CustomerClass' | 'ItemClass') => {
      const res = await this.client.entity<RawEntity[]>({
        method: 'GET',
        path: resource,
        query: { $select: 'ClassID,Description' },
        ...(signal ? { signal } : {}),
      });
      return (Array.isArray(res.body) ? res.body : [])
        .map((r) => ({
          value: str(r.ClassID as { value?: string }),
          title: str(r.Description as { value?: string }),
        }))
        .filter((o): o is { value: string; title: string | undefined } => !!o.value)
        .map((o) => (o.title ? { value: o.value, title: o.title } : { value: o.value }))
        .sort((a, b) => (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
    };
    if (entity === 'customer' && filter === 'customerClass') return classes('CustomerClass');
    if (entity === 'product' && filter === 'itemClass') return classes('ItemClass');
    if ((entity === 'salesOrder' || entity === 'shipment') && filter === 'orderType')
      return orderTypesOf(this.s).map((value) => ({ value }));
    return undefined;
  }

  async get(entity: EntityName, ids: readonly string[]): Promise<SourceItem[]> {
    const out: SourceItem[] = [];
    for await (const page of this.read(entity, { ids })) out.push(...page);
    return out;
  }

  naturalKey(entity: EntityName, data: unknown, _refs?: References): string | undefined {
    if (entity === 'salesOrder') return salesOrderKey(data);
    const d = data as Record<string, unknown>;
    const v = entity === 'customer' ? d.number : entity === 'product' ? d.sku : undefined;
    return typeof v === 'string' && v ? v : undefined;
  }

  async lookup(entity: EntityName, keys: readonly string[]): Promise<Map<string, TargetRecord>> {
    if (entity === 'salesOrder') return this.orders.lookup(keys);
    const sp = writable(entity);
    const out = new Map<string, TargetRecord>();
    for (let i = 0; i < keys.length; i += IDS_PER_REQUEST) {
      const chunk = keys.slice(i, i + IDS_PER_REQUEST);
      for await (const rows of this.pages(sp, anyOf(sp.key, chunk), 100)) {
        for (const r of rows) {
          const id = str(r[sp.key] as { value?: string });
          if (id) out.set(id, { id, snapshot: r });
        }
      }
    }
    return out;
  }

  /**
   * PUT is an upsert in Acumatica; the If-None-Match / If-Match headers make a create fail (412)
   * when the record exists and an update fail when it does not, so a write never lands on the wrong side.
   */
  async write(entity: EntityName, items: readonly WriteItem[]): Promise<WriteResult[]> {
    if (entity === 'salesOrder') return this.orders.write(items);
    const sp = writable(entity);
    return Promise.all(
      items.map(async (item): Promise<WriteResult> => {
        const exchanges: HttpExchange[] = [];
        try {
          const body = sp.toRaw(item.data, item.action === 'update' ? item.fields : undefined, this.s);
          if (item.action === 'update' && item.targetId) body[sp.key] = { value: item.targetId };
          const res = await this.client.entity<RawEntity>({
            method: 'PUT',
            path: sp.resource,
            body,
            headers: item.action === 'create' ? { 'if-none-match': '*' } : { 'if-match': '*' },
            query: { $select: sp.key },
            record: exchanges,
          });
          const id =
            str(res.body?.[sp.key] as { value?: string }) ??
            String((body[sp.key] as { value?: unknown }).value);
          return {
            ref: item.ref,
            ok: true,
            targetId: id,
            action: item.action === 'create' ? 'created' : 'updated',
            exchanges,
          };
        } catch (e) {
          const err = toErrorData(e);
          if (err.category === 'config') throw e;
          if (err.httpStatus === 412) {
            err.code = item.action === 'create' ? 'duplicate' : 'not_found';
            err.message =
              item.action === 'create'
                ? `Acumatica already has ${sp.resource} ${(sp.toRaw(item.data, [], this.s)[sp.key] as { value?: string }).value}`
                : `Acumatica has no ${sp.resource} ${item.targetId}`;
          }
          return { ref: item.ref, ok: false, error: err, exchanges };
        }
      }),
    );
  }

  async check(): Promise<CheckResult[]> {
    const out: CheckResult[] = [];
    try {
      await this.client.request({
        method: 'GET',
        path: 'entity',
        anonymous: true,
        accept: [401, 403, 404, 405],
      });
      out.push({ name: 'reach', ok: true, message: `${this.s.baseUrl} answers` });
    } catch (e) {
      out.push({ name: 'reach', ok: false, message: toErrorData(e).message });
      return out;
    }
    try {
      await this.client.entity({
        method: 'GET',
        path: 'Customer',
        query: { $top: 1, $select: 'CustomerID' },
      });
      out.push({
        name: 'credentials',
        ok: true,
        message: `logged in as ${this.s.username}${this.s.company ? ` to ${this.s.company}` : ''} (${this.s.authMode})`,
      });
      out.push({ name: 'read', ok: true, message: `can read Customer on Default/${this.s.endpointVersion}` });
    } catch (e) {
      const err = toErrorData(e);
      out.push({ name: err.code === 'auth' ? 'credentials' : 'read', ok: false, message: err.message });
    }
    return out;
  }

  /** Ship vias, payment methods and tax IDs as the setup screens list them; order types are not listed. */
  knownCodes(field: string) {
    return acumaticaKnownCodes(this.client, field);
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/** Customers and stock items: written by their own key with PUT. */
function writable(entity: EntityName): EntitySpec & Required<Pick<EntitySpec, 'toRaw'>> {
  const sp = spec(entity);
  if (!sp.toRaw) throw configError(`the Acumatica connector does not write ${entity} records`);
  return sp as EntitySpec & Required<Pick<EntitySpec, 'toRaw'>>;
}

export function createAcumaticaConnector(
  settings: Record<string, unknown>,
  ctx: ConnectorContext,
): AcumaticaConnector {
  const s = settings as unknown as Settings;
  if (!s.baseUrl)
    throw new LedgerlinkError({ code: 'config', category: 'config', message: 'Acumatica needs a baseUrl' });
  customerCustomFieldsOf(s); // a malformed pair is a setup error now, not at the first read
  return new AcumaticaConnector(s, ctx);
}
