import type { EntityName } from '../../model/index.js';
import type {
  CheckResult,
  Connector,
  ConnectorContext,
  ReadQuery,
  References,
  SourceItem,
  TargetRecord,
  WebhookHandler,
  WriteItem,
  WriteResult,
} from '../sdk/contract.js';
import { configError, LedgerlinkError, toErrorData } from '../sdk/errors.js';
import { runChecks } from './checks.js';
import { DynamicsClient, type Row } from './client.js';
import { dynamicsManifest } from './manifest.js';
import { ACCOUNT_EXPAND, ACCOUNT_SELECT, customerFromAccount } from './mappers/customer.js';
import { PRODUCT_EXPAND, PRODUCT_SELECT, productFromRow } from './mappers/product.js';
import {
  LINE_EXPAND,
  LINE_SELECT,
  ORDER_EXPAND,
  ORDER_SELECT,
  salesOrderFromRow,
} from './mappers/sales-order.js';
import { stamp } from './mappers/values.js';
import { allOf, chunkForUrl, dateLiteral, inValues, isGuid, startsWith } from './odata.js';
import { Reference } from './reference.js';
import { checkSettings, type DynamicsSettings } from './settings.js';
import { dynamicsWebhook } from './webhook.js';
import { rowsWhere, type WriteContext } from './write-context.js';
import { writeCustomers } from './write-customers.js';
import { invoiceKey, writeInvoices } from './write-invoices.js';
import { writeOrders } from './write-orders.js';
import { writeProducts } from './write-products.js';

/**
 * Accounts an order search may name: their ids go into In() conditions a URL's worth at a time; a
 * search matching more would cost more requests than a search box is worth, so the person types more.
 */
const SEARCH_ACCOUNTS_MAX = 1000;

interface ReadSpec {
  entitySet: string;
  idColumn: string;
  keyColumn: string;
  select: string;
  expand: string;
  scope?: string;
}

export class DynamicsConnector implements Connector {
  readonly manifest = dynamicsManifest;
  readonly client: DynamicsClient;
  readonly ref: Reference;
  readonly webhook: WebhookHandler;

  constructor(
    readonly s: DynamicsSettings,
    ctx: ConnectorContext,
  ) {
    this.client = new DynamicsClient(s, {
      connection: ctx.connection,
      ...(ctx.limiter ? { limiter: ctx.limiter } : {}),
    });
    this.ref = new Reference(this.client, s);
    this.webhook = dynamicsWebhook({
      headerName: s.webhookHeaderName,
      ...(s.webhookKey ? { key: s.webhookKey } : {}),
    });
  }

  private get wctx(): WriteContext {
    return { client: this.client, ref: this.ref, s: this.s };
  }

  private spec(entity: EntityName): ReadSpec {
    switch (entity) {
      case 'customer':
        return {
          entitySet: 'accounts',
          idColumn: 'accountid',
          keyColumn: 'accountnumber',
          select: ACCOUNT_SELECT,
          expand: ACCOUNT_EXPAND,
          // Only accounts of the customer relationship type with an account number are customers (§6.1).
          scope: `customertypecode eq ${this.s.customerTypeCode} and accountnumber ne null`,
        };
      case 'product':
        return {
          entitySet: 'products',
          idColumn: 'productid',
          keyColumn: 'productnumber',
          select: PRODUCT_SELECT,
          expand: PRODUCT_EXPAND,
          scope: 'productnumber ne null',
        };
      case 'salesOrder':
        return {
          entitySet: 'salesorders',
          idColumn: 'salesorderid',
          keyColumn: 'ordernumber',
          select: ORDER_SELECT,
          expand: ORDER_EXPAND,
        };
      default:
        throw configError(`the Dynamics 365 connector does not read ${entity} records`);
    }
  }

  /** Conditions of the batch screen's filters on orders: accounts and products are resolved to ids first. */
  private async orderFilters(q: ReadQuery): Promise<string[] | undefined> {
    const parts: string[] = [];
    for (const [name, values] of Object.entries(q.filters ?? {})) {
      if (!values.length) continue;
      if (name === 'status') {
        const codes = values.map((v) =>
          v === 'ready' ? this.s.readyStatus : v === 'uploaded' ? this.s.uploadedStatus : Number(v),
        );
        parts.push(codes.map((c) => `statuscode eq ${Number.isFinite(c) ? c : -1}`).join(' or '));
      } else if (name === 'customer') {
        const rows = await rowsWhere(this.client, 'accounts', 'accountnumber', values, 'accountid');
        if (!rows.length) return undefined;
        parts.push(
          inValues(
            'customerid',
            rows.map((r) => String(r.accountid)),
          ),
        );
      } else if (name === 'search') {
        // Handled by read(): the accounts whose number starts with the text, IN_CHUNK at a time.
      } else if (name === 'product') {
        const products = await rowsWhere(this.client, 'products', 'productnumber', values, 'productid');
        if (!products.length) return undefined;
        const lines = await rowsWhere(
          this.client,
          'salesorderdetails',
          'productid',
          products.map((p) => String(p.productid)),
          '_salesorderid_value',
        );
        if (!lines.length) return undefined;
        parts.push(inValues('salesorderid', [...new Set(lines.map((l) => String(l._salesorderid_value)))]));
      } else
        throw configError(
          `Dynamics 365 orders have no "${name}" filter; they have: status, customer, product, search`,
        );
    }
    return parts;
  }

  async *read(entity: EntityName, query: ReadQuery, signal?: AbortSignal): AsyncIterable<SourceItem[]> {
    const sp = this.spec(entity);
    const base: Array<string | undefined> = [sp.scope];
    if (query.since) base.push(`modifiedon ge ${dateLiteral(query.since)}`);
    if (query.until) base.push(`modifiedon le ${dateLiteral(query.until)}`);
    const search = query.filters?.search?.map((v) => v.trim()).find(Boolean);
    // The search box on orders: their account's number. Dataverse is not asked to compare through the
    // customerid lookup (FACTS.md ⚠); the accounts are found first, their ids a chunk of the URL at a time.
    let byAccount: Array<string | undefined> = [undefined];
    if (entity === 'salesOrder') {
      const extra = await this.orderFilters(query);
      if (!extra) return;
      base.push(...extra);
      if (search !== undefined) {
        const accounts = await this.accountsStartingWith(search, signal);
        if (!accounts.length) return;
        byAccount = chunkForUrl(accounts).map((ids) => inValues('customerid', ids));
      }
    } else {
      for (const name of Object.keys(query.filters ?? {}))
        if (name !== 'dates' && name !== 'ids' && name !== 'search')
          throw configError(`Dynamics 365 ${sp.entitySet} have no "${name}" filter; they have: search`);
      if (search !== undefined) base.push(startsWith(sp.keyColumn, search));
    }
    // Ids are natural keys; a row's GUID (what a webhook names when the context carries no key) also works.
    const idFilters = query.ids?.length
      ? chunkForUrl(query.ids).flatMap((chunk) => {
          const guids = chunk.filter(isGuid);
          const keys = chunk.filter((k) => !isGuid(k));
          return [
            ...(keys.length ? [inValues(sp.keyColumn, keys)] : []),
            ...(guids.length ? [inValues(sp.idColumn, guids)] : []),
          ];
        })
      : [undefined];
    const pageSize = query.pageSize ?? this.s.pageSize;
    for (const accounts of byAccount)
      for (const ids of idFilters) {
        const filter = allOf([...base, accounts, ids]);
        const q = {
          $select: sp.select,
          $expand: sp.expand,
          $orderby: `modifiedon asc,${sp.idColumn} asc`,
          ...(filter ? { $filter: filter } : {}),
        };
        for await (const rows of this.client.pages(sp.entitySet, q, pageSize, signal))
          yield await this.items(entity, rows);
      }
  }

  /**
   * The ids of the accounts whose number starts with the text (any relationship type: an order may
   * name any account); more than SEARCH_ACCOUNTS_MAX is refused, naming the text and the limit.
   */
  private async accountsStartingWith(text: string, signal?: AbortSignal): Promise<string[]> {
    const ids: string[] = [];
    const q = { $select: 'accountid', $filter: startsWith('accountnumber', text), $orderby: 'accountid asc' };
    for await (const rows of this.client.pages('accounts', q, 5000, signal)) {
      ids.push(...rows.map((r) => String(r.accountid)));
      if (ids.length > SEARCH_ACCOUNTS_MAX)
        throw configError(
          `more than ${SEARCH_ACCOUNTS_MAX} Dynamics 365 accounts have a number starting with "${text}"; type more of the account number to search their orders`,
        );
    }
    return ids;
  }

  private async items(entity: EntityName, rows: Row[]): Promise<SourceItem[]> {
    const id = (r: Row) => String(r[this.spec(entity).keyColumn] ?? r[this.spec(entity).idColumn]);
    const at = (r: Row) => stamp(r);
    const map = (r: Row, f: () => unknown): SourceItem => {
      try {
        return { id: id(r), updatedAt: at(r), data: f() };
      } catch (e) {
        return { id: id(r), updatedAt: at(r), error: toErrorData(e) };
      }
    };
    if (entity === 'customer')
      return rows.map((r) => map(r, () => customerFromAccount(r, this.s.defaultCurrency)));
    if (entity === 'product') return rows.map((r) => map(r, () => productFromRow(r, this.s.defaultCurrency)));
    // Orders: their lines in one more request per page (nested $expand of a collection is not used).
    const expanded: Row[] = [];
    for (const chunk of chunkForUrl(rows.map((r) => String(r.salesorderid))))
      expanded.push(
        ...(await this.client.all('salesorderdetails', {
          $select: LINE_SELECT,
          $expand: LINE_EXPAND,
          $filter: inValues('salesorderid', chunk),
        })),
      );
    const byOrder = new Map<string, Row[]>();
    for (const l of expanded) {
      const k = String(l._salesorderid_value);
      byOrder.set(k, [...(byOrder.get(k) ?? []), l]);
    }
    const statuses = { ready: this.s.readyStatus, uploaded: this.s.uploadedStatus };
    return rows.map((r) =>
      map(r, () =>
        salesOrderFromRow(r, byOrder.get(String(r.salesorderid)) ?? [], statuses, this.s.defaultCurrency),
      ),
    );
  }

  async get(entity: EntityName, ids: readonly string[]): Promise<SourceItem[]> {
    const out: SourceItem[] = [];
    for await (const page of this.read(entity, { ids })) out.push(...page);
    return out;
  }

  naturalKey(entity: EntityName, data: unknown, _refs?: References): string | undefined {
    const d = data as Record<string, unknown>;
    const v =
      entity === 'customer'
        ? d.number
        : entity === 'product'
          ? d.sku
          : entity === 'salesOrder'
            ? d.number
            : entity === 'invoice' && typeof d.customerNumber === 'string' && typeof d.number === 'string'
              ? // The account's number is the customer's number: the customer flow writes it there (§6.3).
                invoiceKey(d.customerNumber, d.number)
              : undefined;
    return typeof v === 'string' && v ? v : undefined;
  }

  async lookup(entity: EntityName, keys: readonly string[]): Promise<Map<string, TargetRecord>> {
    const out = new Map<string, TargetRecord>();
    if (!keys.length) return out;
    const plan: Record<string, [string, string, string, string | undefined]> = {
      customer: ['accounts', 'accountnumber', 'accountid', `customertypecode eq ${this.s.customerTypeCode}`],
      product: ['products', 'productnumber', 'productid', undefined],
      invoice: ['invoices', 'invoicenumber', 'invoiceid', undefined],
      salesOrder: ['salesorders', 'ordernumber', 'salesorderid', undefined],
    };
    const p = plan[entity];
    if (!p) throw configError(`the Dynamics 365 connector does not look up ${entity} records`);
    const [set, key, id, scope] = p;
    for (const r of await rowsWhere(this.client, set, key, keys, `${id},${key}`, scope))
      out.set(String(r[key]), { id: String(r[id]), snapshot: r });
    return out;
  }

  async write(entity: EntityName, items: readonly WriteItem[]): Promise<WriteResult[]> {
    if (!items.length) return [];
    switch (entity) {
      case 'customer':
        return writeCustomers(this.wctx, items);
      case 'product':
        return writeProducts(this.wctx, items);
      case 'invoice':
        return writeInvoices(this.wctx, items);
      case 'salesOrder':
        return writeOrders(this.wctx, items);
      default:
        throw configError(`the Dynamics 365 connector does not write ${entity} records`);
    }
  }

  /** The manual's Setup diagnostics (§4.3, §5), each a verdict a person can act on. */
  check(): Promise<CheckResult[]> {
    return runChecks(this.client, this.ref, this.s);
  }

  /**
   * Incremental reads by change tracking: the delta link is the flow's cursor. A delta link cannot
   * carry `$filter` or `$expand`, so it only names what changed (ids and numbers); the run then
   * reads those by id through `read`, scope and filters applied as for any read. Deleted rows are
   * not records to sync. A delta link Dataverse no longer accepts (past the table's change tracking
   * retention) starts over from a full track: every row once more, unchanged ones costing no write.
   */
  async changedSince(
    entity: EntityName,
    token: string | undefined,
  ): Promise<{ ids: string[]; token: string } | undefined> {
    if (!this.s.changeTracking || !TRACKED.includes(entity)) return undefined;
    const sp = this.spec(entity);
    let changes: Awaited<ReturnType<DynamicsConnector['changes']>>;
    try {
      changes = await this.changes(entity, token);
    } catch (e) {
      const refused = e instanceof LedgerlinkError && e.category === 'rejected' && e.httpStatus !== 404;
      if (!token || !refused) throw e;
      changes = await this.changes(entity);
    }
    const ids = changes.changed.map((r) => String(r[sp.keyColumn] ?? r[sp.idColumn]));
    return { ids: [...new Set(ids)], token: changes.deltaLink };
  }

  /** The rows of a table changed since a delta link (change tracking), for polling behind webhooks. */
  changes(entity: EntityName, deltaLink?: string) {
    const sp = this.spec(entity);
    return this.client.changes(
      deltaLink ?? sp.entitySet,
      deltaLink ? undefined : `${sp.idColumn},${sp.keyColumn},modifiedon`,
    );
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}

/** The tables whose incremental reads follow change tracking: the ones a flow reads from Dynamics. */
const TRACKED: readonly EntityName[] = ['customer', 'product', 'salesOrder'];

export function createDynamicsConnector(
  settings: Record<string, unknown>,
  ctx: ConnectorContext,
): DynamicsConnector {
  const s = checkSettings(settings as unknown as DynamicsSettings);
  return new DynamicsConnector(s, ctx);
}
