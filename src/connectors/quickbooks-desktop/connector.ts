import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { Customer, type EntityName, Product, SalesOrder } from '../../model/index.js';
import type {
  CheckResult,
  Connector,
  ConnectorContext,
  ReadQuery,
  References,
  SoapEndpoint,
  SourceItem,
  TargetRecord,
  WriteItem,
  WriteResult,
} from '../sdk/contract.js';
import { configError, type ErrorData, LedgerlinkError } from '../sdk/errors.js';
import type { MailItem } from '../sdk/mailbox.js';
import { quickbooksDesktopManifest } from './manifest.js';
import { looksLikeQbId, qbDateTime, Unwritable } from './mappers/common.js';
import { customerAdd, customerFromRet } from './mappers/customer.js';
import { invoiceFromRet } from './mappers/invoice.js';
import { itemAdd, PRODUCT_ITEMS, productFromRet } from './mappers/product.js';
import { invoiceAdd } from './mappers/sales-order.js';
import { Postbox } from './postbox.js';
import { type Node, type QbxmlStatus, qbxmlRequest, responsesOf, text } from './qbxml.js';
import { chunked, SEARCH_CHUNK, SEARCH_CUSTOMERS_MAX, searchText, startsWithText } from './search.js';
import { webConnectorService } from './service.js';
import { type Settings, settingsOf } from './settings.js';
import { statusError } from './status.js';

type Mapped = { id: string; updatedAt: string; data: Record<string, unknown> };

/** What each readable entity is in qbXML. */
const QUERIES = {
  customer: { rq: 'CustomerQueryRq', byId: 'ListID' },
  product: { rq: 'ItemQueryRq', byId: 'FullName' },
  invoice: { rq: 'InvoiceQueryRq', byId: 'TxnID' },
} as const;
type Readable = keyof typeof QUERIES;

/** The key of a write: the same record always gets the same key, so a retry never sends it twice. */
export const writeKey = (entity: 'customer' | 'product' | 'salesOrder', naturalKey: string): string =>
  `add:${entity === 'salesOrder' ? 'invoice' : entity === 'product' ? 'item' : 'customer'}:${naturalKey}`;

/**
 * QuickBooks Desktop through the QuickBooks Web Connector: every read and write is a qbXML request
 * queued in the connection's mailbox and answered when the Web Connector next polls (see
 * service.ts for the SOAP side). Customers, items and invoices are read with iterators and the
 * modified-date window; customers, non-inventory items and invoices (from CRM orders) are created;
 * nothing already in the company file is changed.
 */
export class QuickBooksDesktopConnector implements Connector {
  readonly manifest = quickbooksDesktopManifest;
  readonly soapEndpoint: SoapEndpoint;
  private readonly s: Settings;
  private readonly post: Postbox;
  private readonly logger: Logger;
  /** AccountNumber and FullName → ListID of every customer, kept up to date by modified date. */
  private customerIndex = new Map<string, string>();
  /** ListID → the customer's reference (AccountNumber, else FullName), for the search box. */
  private customerNumbers = new Map<string, string>();
  private indexedUpTo?: string;

  constructor(
    settings: Record<string, unknown>,
    private readonly ctx: ConnectorContext,
  ) {
    this.s = settingsOf(settings);
    if (!ctx.mailbox)
      throw configError(
        `connection "${ctx.connection}": QuickBooks Desktop needs the store's mailbox (its Web Connector collects queued work)`,
      );
    this.logger = ctx.logger;
    this.post = new Postbox(ctx.mailbox, Math.max(0, this.s.answerWaitSeconds) * 1000);
    this.soapEndpoint = webConnectorService({
      connection: ctx.connection,
      settings: this.s,
      mailbox: ctx.mailbox,
      logger: ctx.logger,
      version: process.env.npm_package_version ?? '',
    });
  }

  private request(rq: Node): string {
    return qbxmlRequest(rq, { version: this.s.qbxmlVersion });
  }

  async check(): Promise<CheckResult[]> {
    const box = this.post.mailbox;
    const last = await box.lastSession();
    const accepted = await box.lastAccepted();
    const windowMin = 2 * this.s.runEveryMinutes + 2;
    const out: CheckResult[] = [];
    if (!last)
      out.push({
        name: 'web connector',
        ok: false,
        message: `the Web Connector has never polled connection "${this.ctx.connection}": download its .qwc (GET /api/connections/${this.ctx.connection}/qwc), add it to the Web Connector beside QuickBooks and type the connection's password there`,
      });
    else if (last.refused)
      out.push({
        name: 'credentials',
        ok: false,
        message: last.lastError ?? 'the Web Connector’s last login was refused: wrong user name or password',
      });
    else {
      const age = Date.now() - Date.parse(last.lastSeenAt);
      out.push({
        name: 'web connector',
        ok: age <= windowMin * 60_000,
        message:
          age <= windowMin * 60_000
            ? `the Web Connector last polled at ${last.lastSeenAt}`
            : `the Web Connector has not polled since ${last.lastSeenAt} (expected every ${this.s.runEveryMinutes} minutes): is it running beside QuickBooks, and its schedule on?`,
      });
    }
    if (accepted) {
      const [major] = (accepted.version ?? '').split('.');
      const wanted = Number(this.s.qbxmlVersion.split('.')[0]);
      const versionOk = !accepted.version || Number(major) >= wanted;
      out.push({
        name: 'company file',
        ok: versionOk,
        message: `company file ${accepted.companyFile || '(the one open in QuickBooks)'}, qbXML ${accepted.version ?? 'not yet reported'}${accepted.country ? ` (${accepted.country})` : ''}${versionOk ? '' : `: our requests declare qbXML ${this.s.qbxmlVersion}, more than this QuickBooks supports — lower the qbXML version setting`}`,
      });
      out.push({
        name: 'last error',
        ok: !accepted.lastError,
        message: accepted.lastError
          ? `the last session's last error: ${accepted.lastError}`
          : 'the last session ended without errors',
      });
    }
    return out;
  }

  /** Runs one query through the Web Connector; its answer's first response, checked. */
  private async query(key: string, rq: Node, what: string, signal?: AbortSignal): Promise<QbxmlStatus> {
    const row = await this.post.ask(key, this.request(rq), signal);
    if (!row.response) throw new LedgerlinkError(failure(row, what));
    const rs = responsesOf(row.response)[0];
    if (!rs)
      throw new LedgerlinkError({
        code: 'parse',
        category: 'transient',
        message: `${what}: an empty answer`,
      });
    const err = statusError(rs, what);
    if (err) throw new LedgerlinkError(err);
    return rs;
  }

  private mapRets(entity: Readable, rs: QbxmlStatus): SourceItem[] {
    const out: SourceItem[] = [];
    const kinds =
      entity === 'customer' ? ['CustomerRet'] : entity === 'invoice' ? ['InvoiceRet'] : [...PRODUCT_ITEMS];
    for (const kind of kinds)
      for (const ret of (rs.body[kind] as Node[] | undefined) ?? []) {
        const id = text(ret.ListID) ?? text(ret.TxnID) ?? text(ret?.FullName) ?? '?';
        try {
          const m: Mapped =
            entity === 'customer'
              ? customerFromRet(ret, this.s)
              : entity === 'invoice'
                ? invoiceFromRet(ret, this.s)
                : productFromRet(kind, ret, this.s);
          out.push(m);
        } catch (e) {
          out.push({
            id,
            updatedAt: new Date(0).toISOString(),
            error: {
              code: 'parse',
              category: 'rejected',
              message: `${entity} ${id}: ${(e as Error).message}`,
            },
          });
        }
      }
    return out;
  }

  async *read(entity: EntityName, query: ReadQuery, signal?: AbortSignal): AsyncIterable<SourceItem[]> {
    const q = QUERIES[entity as Readable];
    if (!q) throw configError(`QuickBooks Desktop does not read ${entity}`);
    const search = searchText(entity, query.filters);
    const pageSize = Math.max(1, Math.min(query.pageSize ?? 100, 1000));
    const window = (item: SourceItem) =>
      (!query.since || Date.parse(item.updatedAt) >= Date.parse(query.since)) &&
      (!query.until || Date.parse(item.updatedAt) <= Date.parse(query.until));
    if (search !== undefined && entity !== 'product') {
      yield* this.searchByCustomer(entity as 'customer' | 'invoice', search, query, pageSize, window, signal);
      return;
    }
    // Items: NameFilter StartsWith asks QuickBooks; the FullName is checked again here, since a
    // sub-item's Name is only the end of its FullName (FACTS.md ⚠).
    const kept = (items: SourceItem[]) =>
      search === undefined ? items : items.filter((i) => startsWithText(i.id, search));
    if (query.ids?.length) {
      for (let i = 0; i < query.ids.length; i += pageSize) {
        const page = kept(await this.get(entity, query.ids.slice(i, i + pageSize)));
        if (page.length) yield page;
      }
      return;
    }
    const from = query.since ? qbDateTime(query.since, 'down') : undefined;
    const to = query.until ? qbDateTime(query.until, 'up') : undefined;
    const filter: Array<[string, unknown]> =
      entity === 'invoice'
        ? [['MaxReturned', pageSize], ...modifiedRange(from, to), ['IncludeLineItems', 'true']]
        : [
            ['MaxReturned', pageSize],
            ['ActiveStatus', 'All'],
            ...(from ? ([['FromModifiedDate', from]] as Array<[string, unknown]>) : []),
            ...(to ? ([['ToModifiedDate', to]] as Array<[string, unknown]>) : []),
            ...(search !== undefined
              ? ([['NameFilter', { MatchCriterion: 'StartsWith', Name: search }]] as Array<[string, unknown]>)
              : []),
          ];
    for await (const rs of this.iterate(entity as Readable, filter, signal)) {
      const items = kept(this.mapRets(entity as Readable, rs).filter(window));
      if (items.length) yield items;
    }
  }

  /** The pages of one query, with an iterator (Start, then Continue until nothing remains). */
  private async *iterate(
    entity: Readable,
    filter: Array<[string, unknown]>,
    signal?: AbortSignal,
  ): AsyncIterable<QbxmlStatus> {
    const readId = randomUUID();
    let iteratorID: string | undefined;
    for (let page = 0; ; page++) {
      const attrs = iteratorID
        ? { '@_requestID': String(page + 1), '@_iterator': 'Continue', '@_iteratorID': iteratorID }
        : { '@_requestID': '1', '@_iterator': 'Start' };
      const rs = await this.query(
        `query:${entity}:${readId}:${page}`,
        { [QUERIES[entity].rq]: { ...attrs, ...Object.fromEntries(filter) } },
        `reading ${entity} page ${page + 1}`,
        signal,
      );
      yield rs;
      if (!rs.iteratorRemainingCount || !rs.iteratorID) return;
      iteratorID = rs.iteratorID;
    }
  }

  /**
   * The search box on customers and invoices: the customer's reference is its AccountNumber, or its
   * FullName when it has none (customerFromRet), and qbXML filters customers by name only — never by
   * AccountNumber. The customers are found in the AccountNumber / FullName index (read by modified
   * date), then read by ListID; invoices are read with EntityFilter naming those customers' ListIDs.
   */
  private async *searchByCustomer(
    entity: 'customer' | 'invoice',
    search: string,
    query: ReadQuery,
    pageSize: number,
    window: (item: SourceItem) => boolean,
    signal?: AbortSignal,
  ): AsyncIterable<SourceItem[]> {
    await this.refreshCustomerIndex();
    const matched = [...this.customerNumbers]
      .filter(([, number]) => startsWithText(number, search))
      .map(([id]) => id);
    if (entity === 'customer') {
      const ids = query.ids ? matched.filter((id) => query.ids!.includes(id)) : matched;
      for (const part of chunked(ids, pageSize)) {
        const page = (await this.get('customer', part)).filter(window);
        if (page.length) yield page;
      }
      return;
    }
    if (matched.length > SEARCH_CUSTOMERS_MAX)
      throw configError(
        `${matched.length} QuickBooks customers start with "${search}" (an invoice search takes at most ${SEARCH_CUSTOMERS_MAX}); type more of the customer's reference`,
      );
    if (!matched.length) return;
    if (query.ids?.length) {
      const wanted = new Set(matched);
      for (const part of chunked(query.ids, pageSize)) {
        const page = (await this.get('invoice', part)).filter((i) =>
          wanted.has(String((i.data as { customerNumber?: unknown } | undefined)?.customerNumber)),
        );
        if (page.length) yield page;
      }
      return;
    }
    const from = query.since ? qbDateTime(query.since, 'down') : undefined;
    const to = query.until ? qbDateTime(query.until, 'up') : undefined;
    for (const part of chunked(matched, SEARCH_CHUNK)) {
      const filter: Array<[string, unknown]> = [
        ['MaxReturned', pageSize],
        ...modifiedRange(from, to),
        ['EntityFilter', { ListID: part }],
        ['IncludeLineItems', 'true'],
      ];
      for await (const rs of this.iterate('invoice', filter, signal)) {
        const items = this.mapRets('invoice', rs).filter(window);
        if (items.length) yield items;
      }
    }
  }

  async get(entity: EntityName, ids: readonly string[]): Promise<SourceItem[]> {
    const q = QUERIES[entity as Readable];
    if (!q) throw configError(`QuickBooks Desktop does not read ${entity}`);
    // A ListID or TxnID of another shape cannot exist, and QuickBooks refuses the whole request for one.
    const asked = q.byId === 'FullName' ? [...ids] : ids.filter(looksLikeQbId);
    if (asked.length === 0) return [];
    const body: Node = { '@_requestID': '1', [q.byId]: asked };
    if (entity === 'invoice') body.IncludeLineItems = 'true';
    const rs = await this.query(
      `get:${entity}:${randomUUID()}`,
      { [q.rq]: body },
      `reading ${entity} ${asked.join(', ')}`,
    );
    const want = new Set(asked);
    return this.mapRets(entity as Readable, rs).filter((i) => want.has(i.id));
  }

  naturalKey(entity: EntityName, data: unknown, _refs?: References): string | undefined {
    const d = data as Record<string, unknown>;
    if (entity === 'customer') return (d.number as string) || undefined;
    if (entity === 'product') return (d.sku as string) || undefined;
    if (entity === 'salesOrder') return (d.number as string) || undefined;
    return undefined;
  }

  /** Brings the AccountNumber / FullName → ListID index up to date (only customers changed since). */
  private async refreshCustomerIndex(): Promise<void> {
    const startedAt = new Date(Date.now() - 1000).toISOString();
    const readId = randomUUID();
    let iteratorID: string | undefined;
    for (let page = 0; ; page++) {
      const attrs = iteratorID
        ? { '@_requestID': '1', '@_iterator': 'Continue', '@_iteratorID': iteratorID }
        : { '@_requestID': '1', '@_iterator': 'Start' };
      const rs = await this.query(
        `query:customer-index:${readId}:${page}`,
        {
          CustomerQueryRq: {
            ...attrs,
            MaxReturned: 1000,
            ActiveStatus: 'All',
            ...(this.indexedUpTo ? { FromModifiedDate: qbDateTime(this.indexedUpTo) } : {}),
            IncludeRetElement: ['ListID', 'FullName', 'AccountNumber'],
          },
        },
        'looking up customers by account number',
      );
      for (const ret of (rs.body.CustomerRet as Node[] | undefined) ?? []) {
        const id = text(ret.ListID);
        if (!id) continue;
        const full = text(ret?.FullName);
        const account = text(ret.AccountNumber);
        if (full) this.customerIndex.set(`name:${full}`, id);
        if (account) this.customerIndex.set(`account:${account}`, id);
        if (account ?? full) this.customerNumbers.set(id, (account ?? full)!);
      }
      if (!rs.iteratorRemainingCount || !rs.iteratorID) break;
      iteratorID = rs.iteratorID;
    }
    this.indexedUpTo = startedAt;
  }

  async lookup(entity: EntityName, keys: readonly string[]): Promise<Map<string, TargetRecord>> {
    const out = new Map<string, TargetRecord>();
    if (keys.length === 0) return out;
    if (entity === 'customer') {
      // qbXML finds customers by ListID, FullName or a name filter — never by AccountNumber; an index
      // of both, refreshed by modified date, finds a customer by the number either way.
      await this.refreshCustomerIndex();
      for (const k of keys) {
        const id = this.customerIndex.get(`account:${k}`) ?? this.customerIndex.get(`name:${k}`);
        if (id) out.set(k, { id });
      }
      return out;
    }
    if (entity === 'product') {
      for (let i = 0; i < keys.length; i += 100) {
        const part = keys.slice(i, i + 100);
        const rs = await this.query(
          `get:product:${randomUUID()}`,
          { ItemQueryRq: { '@_requestID': '1', FullName: part } },
          `looking up items ${part.join(', ')}`,
        );
        for (const kind of PRODUCT_ITEMS)
          for (const ret of (rs.body[kind] as Node[] | undefined) ?? []) {
            const full = text(ret?.FullName);
            if (full && part.includes(full)) out.set(full, { id: full });
          }
      }
      return out;
    }
    if (entity === 'salesOrder') {
      // qbXML cannot find an invoice by PONumber; the invoices written from here are found by the
      // answer their InvoiceAdd left in the mailbox under the order's key.
      const rows = await this.post.mailbox.find(keys.map((k) => writeKey('salesOrder', k)));
      for (const r of rows) {
        if (r.status !== 'answered' || !r.response) continue;
        const ret = (responsesOf(r.response)[0]?.body.InvoiceRet as Node[] | undefined)?.[0];
        const id = ret ? text(ret.TxnID) : undefined;
        if (id) out.set(r.key.slice('add:invoice:'.length), { id });
      }
      return out;
    }
    return out;
  }

  async write(entity: EntityName, items: readonly WriteItem[]): Promise<WriteResult[]> {
    if (entity !== 'customer' && entity !== 'product' && entity !== 'salesOrder')
      throw configError(`QuickBooks Desktop does not write ${entity}`);
    const results: WriteResult[] = [];
    const queued: Array<{ item: WriteItem; key: string; request: string; label: string }> = [];
    for (const item of items) {
      if (item.action === 'update') {
        results.push({
          ref: item.ref,
          ok: true,
          action: 'skipped',
          reason:
            'records already in QuickBooks are never changed from here (the manual: existing ledger records are never touched)',
          ...(item.targetId ? { targetId: item.targetId } : {}),
        });
        continue;
      }
      try {
        let rq: Node;
        let key: string;
        if (entity === 'customer') {
          const c = Customer.parse(item.data);
          rq = { CustomerAddRq: { '@_requestID': '1', ...customerAdd(c) } };
          key = writeKey('customer', c.number);
        } else if (entity === 'product') {
          const p = Product.parse(item.data);
          rq = { ItemNonInventoryAddRq: { '@_requestID': '1', ...itemAdd(p, this.s) } };
          key = writeKey('product', p.sku);
        } else {
          const o = SalesOrder.parse(item.data);
          rq = { InvoiceAddRq: { '@_requestID': '1', ...invoiceAdd(o, item.refs, this.s) } };
          key = writeKey('salesOrder', o.number);
        }
        queued.push({ item, key, request: this.request(rq), label: key.split(':').slice(2).join(':') });
      } catch (e) {
        const error: ErrorData =
          e instanceof Unwritable
            ? e.error
            : {
                code: 'invalid_data',
                category: 'rejected',
                message: `${entity} ${item.ref}: ${(e as Error).message}`,
              };
        results.push({ ref: item.ref, ok: false, error });
      }
    }
    if (queued.length === 0) return results;
    const rows = await this.post.send(queued.map((q) => ({ key: q.key, request: q.request })));
    let notPolled: string | undefined;
    for (const q of queued) {
      const row = rows.get(q.key)!;
      const what = `${entity === 'salesOrder' ? 'invoice for order' : entity} ${q.label}`;
      if (row.status === 'queued' || row.status === 'sent') {
        notPolled ??= await this.post.notPolled();
        // Not the record's fault: it waits (attempts are not spent) and its retry finds this request.
        results.push({
          ref: q.item.ref,
          ok: false,
          error: {
            code: 'timeout',
            category: 'rate_limited',
            retryAfterMs: 60_000,
            message: `${what}: ${notPolled}`,
          },
        });
        continue;
      }
      const rs = row.response ? safeResponses(row.response)[0] : undefined;
      const err = rs ? statusError(rs, what) : failure(row, what);
      if (err || !rs) {
        results.push({ ref: q.item.ref, ok: false, error: err ?? failure(row, what) });
        continue;
      }
      const ret = firstRet(rs.body);
      if (entity === 'customer') {
        const id = text(ret?.ListID) ?? '';
        const full = text(ret?.FullName);
        if (full) this.customerIndex.set(`name:${full}`, id);
        this.customerIndex.set(`account:${q.label}`, id);
        this.customerNumbers.set(id, q.label);
        results.push({ ref: q.item.ref, ok: true, action: 'created', targetId: id });
      } else if (entity === 'product') {
        results.push({
          ref: q.item.ref,
          ok: true,
          action: 'created',
          targetId: text(ret?.FullName) ?? q.label,
        });
      } else {
        const number = text(ret?.RefNumber);
        results.push({
          ref: q.item.ref,
          ok: true,
          action: 'created',
          targetId: text(ret?.TxnID) ?? '',
          ...(number ? { targetNumber: number } : {}),
        });
      }
    }
    return results;
  }

  async close(): Promise<void> {
    this.logger.debug({ connection: this.ctx.connection }, 'QuickBooks Desktop connector closed');
  }
}

/** InvoiceQuery's ModifiedDateRangeFilter, when the read has a window. */
const modifiedRange = (from?: string, to?: string): Array<[string, unknown]> =>
  from || to
    ? [
        [
          'ModifiedDateRangeFilter',
          { ...(from ? { FromModifiedDate: from } : {}), ...(to ? { ToModifiedDate: to } : {}) },
        ],
      ]
    : [];

const safeResponses = (xml: string): QbxmlStatus[] => {
  try {
    return responsesOf(xml);
  } catch {
    return [];
  }
};

function firstRet(body: Node): Node | undefined {
  for (const [k, v] of Object.entries(body)) {
    if (!k.endsWith('Ret')) continue;
    return (Array.isArray(v) ? v[0] : v) as Node;
  }
  return undefined;
}

/** A request that ended without a qbXML answer (a COM error, or handed out and never answered). */
function failure(row: MailItem, what: string): ErrorData {
  if (row.statusCode === -1)
    return {
      code: 'server',
      category: 'transient',
      message: `${what}: ${row.statusMessage ?? 'QuickBooks could not process it'}`,
    };
  return {
    code: 'conflict',
    category: 'rejected',
    message: `${what}: ${row.statusMessage ?? 'no answer from QuickBooks'}`,
  };
}

export function createQuickBooksDesktopConnector(
  settings: Record<string, unknown>,
  ctx: ConnectorContext,
): QuickBooksDesktopConnector {
  return new QuickBooksDesktopConnector(settings, ctx);
}
