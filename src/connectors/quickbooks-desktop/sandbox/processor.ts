import { randomUUID } from 'node:crypto';
import { Decimal } from 'decimal.js';
import { looksLikeQbId } from '../mappers/common.js';
import { type Node, qbxmlResponse, requestsOf, text } from '../qbxml.js';
import {
  ACCOUNTS,
  type Address,
  CompanyFile,
  type CustomerRecord,
  type InvoiceLine,
  type InvoiceRecord,
  type ItemRecord,
  SALES_TAX_ITEM,
  SALES_TAX_RATE,
  TAX_CODES,
} from './company.js';
import { MAX_LENGTH, outOfOrder } from './shapes.js';

/** A qbXML status: code, severity and message as QuickBooks words them (FACTS.md). */
interface Status {
  statusCode: number;
  statusSeverity: 'Info' | 'Warn' | 'Error';
  statusMessage: string;
}
const OK: Status = { statusCode: 0, statusSeverity: 'Info', statusMessage: 'Status OK' };
const NO_MATCH: Status = {
  statusCode: 1,
  statusSeverity: 'Info',
  statusMessage: 'A query request did not find a matching object in QuickBooks',
};
const error = (statusCode: number, statusMessage: string): Status => ({
  statusCode,
  statusSeverity: 'Error',
  statusMessage,
});
const tooLong = (value: string, field: string) =>
  error(3070, `The string "${value}" in the field "${field}" is too long.`);
const invalidRef = (what: string, value: string, txn: string) =>
  error(
    3140,
    `There is an invalid reference to QuickBooks ${what} "${value}" in the ${txn}. QuickBooks error message: Invalid argument. The specified record does not exist in the list.`,
  );

class Refused extends Error {
  constructor(readonly status: Status) {
    super(status.statusMessage);
  }
}

const many = (v: unknown): string[] =>
  v === undefined ? [] : (Array.isArray(v) ? v : [v]).map((x) => text(x) ?? '');
const bool = (v: boolean) => (v ? 'true' : 'false');

/**
 * Runs qbXML request messages against a company file and answers as QuickBooks does: the requests
 * of a message in order (stopOnError stops at the first error), queries with filters and iterators
 * (an iterator lives as long as the Web Connector's session), adds with QuickBooks' own checks.
 */
export class QbxmlProcessor {
  /** Requests that depart from the schema (element order, unknown elements): the conformance record. */
  readonly violations: string[] = [];
  /** Every request run, by name (CustomerAddRq…), in order. */
  readonly ran: string[] = [];
  /** Every request run, with its body (tests check the filters a read sent). */
  readonly received: Array<{ name: string; body: Node }> = [];
  private iterators = new Map<string, { kind: string; rows: Array<[string, Node]> }>();

  constructor(readonly company: CompanyFile) {}

  /** A session ended: QuickBooks forgets its iterators. */
  endSession(): void {
    this.iterators.clear();
  }

  process(xml: string): string {
    let parsed: ReturnType<typeof requestsOf>;
    try {
      parsed = requestsOf(xml);
    } catch (e) {
      throw new Error(
        `QuickBooks found an error when parsing the provided XML text stream: ${(e as Error).message}`,
      );
    }
    const out: Record<string, Node[]> = {};
    let stop = false;
    for (const { name, body } of parsed.requests) {
      const rsName = name.replace(/Rq$/, 'Rs');
      const requestID =
        body['@_requestID'] === undefined ? {} : { '@_requestID': String(body['@_requestID']) };
      if (stop) {
        out[rsName] ??= [];
        out[rsName].push({
          ...requestID,
          '@_statusCode': '3231',
          '@_statusSeverity': 'Error',
          '@_statusMessage': 'The request has not been processed.',
        });
        continue;
      }
      this.ran.push(name);
      this.received.push({ name, body });
      let status: Status = OK;
      let rets: Node = {};
      let extra: Node = {};
      try {
        ({ status, rets, extra } = this.run(name, body));
      } catch (e) {
        if (!(e instanceof Refused)) throw e;
        status = e.status;
      }
      out[rsName] ??= [];
      out[rsName].push({
        ...requestID,
        '@_statusCode': String(status.statusCode),
        '@_statusSeverity': status.statusSeverity,
        '@_statusMessage': status.statusMessage,
        ...extra,
        ...rets,
      });
      if (status.statusSeverity === 'Error' && parsed.onError === 'stopOnError') stop = true;
    }
    const responses: Node = {};
    for (const [k, v] of Object.entries(out)) responses[k] = v.length === 1 ? v[0] : v;
    return qbxmlResponse(responses, parsed.version);
  }

  private check(name: string, node: unknown): void {
    if (!node || typeof node !== 'object') return;
    const why = outOfOrder(name, node as Node);
    if (why) {
      this.violations.push(why);
      // QuickBooks refuses the whole message: the Web Connector reports it as an HRESULT.
      throw new Error(`QuickBooks found an error when parsing the provided XML text stream: ${why}`);
    }
    for (const [k, v] of Object.entries(node as Node)) {
      if (k.startsWith('@_')) continue;
      for (const child of Array.isArray(v) ? v : [v])
        if (child && typeof child === 'object') this.check(k, child);
      const key = k === 'BillAddress' || k === 'ShipAddress' ? undefined : `${name}.${k}`;
      const max = key ? MAX_LENGTH[key] : undefined;
      const value = text(v);
      if (max && value && value.length > max) throw new Refused(tooLong(value, k));
    }
    if (name === 'BillAddress' || name === 'ShipAddress')
      for (const [k, v] of Object.entries(node as Node)) {
        const max = MAX_LENGTH[`Address.${k}`];
        const value = text(v);
        if (max && value && value.length > max) throw new Refused(tooLong(value, k));
      }
  }

  private run(name: string, body: Node): { status: Status; rets: Node; extra: Node } {
    this.check(name, body);
    switch (name) {
      case 'CustomerQueryRq':
        return this.query('customer', body);
      case 'ItemQueryRq':
        return this.query('item', body);
      case 'InvoiceQueryRq':
        return this.query('invoice', body);
      case 'CustomerAddRq':
        return this.customerAdd(body.CustomerAdd as Node);
      case 'ItemNonInventoryAddRq':
        return this.itemAdd(body.ItemNonInventoryAdd as Node);
      case 'InvoiceAddRq':
        return this.invoiceAdd(body.InvoiceAdd as Node);
      default:
        this.violations.push(`unknown request ${name}`);
        throw new Error(
          `QuickBooks found an error when parsing the provided XML text stream: ${name} is not a request this sandbox knows`,
        );
    }
  }

  // ——— queries ———

  private query(
    kind: 'customer' | 'item' | 'invoice',
    body: Node,
  ): { status: Status; rets: Node; extra: Node } {
    const iterator = body['@_iterator'] === undefined ? undefined : String(body['@_iterator']);
    const max = body.MaxReturned === undefined ? undefined : Number(text(body.MaxReturned));
    let rows: Array<[string, Node]>;
    let iteratorID: string | undefined;
    if (iterator === 'Continue') {
      iteratorID = String(body['@_iteratorID'] ?? '');
      const it = this.iterators.get(iteratorID);
      if (!it)
        throw new Refused(
          error(
            3175,
            `There was an error when continuing the query: the iterator "${iteratorID}" is not valid or has ended.`,
          ),
        );
      rows = it.rows;
    } else {
      const found = this.select(kind, body);
      if (found.status) return { status: found.status, rets: group(found.rows), extra: {} };
      rows = found.rows;
      if (iterator === 'Start') iteratorID = `{${randomUUID()}}`;
    }
    const page = max !== undefined ? rows.slice(0, max) : rows;
    const rest = max !== undefined ? rows.slice(max) : [];
    const extra: Node = {};
    if (iteratorID) {
      if (rest.length) this.iterators.set(iteratorID, { kind, rows: rest });
      else this.iterators.delete(iteratorID);
      extra['@_iteratorRemainingCount'] = String(rest.length);
      extra['@_iteratorID'] = iteratorID;
    }
    const keep = many(body.IncludeRetElement);
    const shaped = keep.length ? page.map(([k, n]) => [k, pick(n, keep)] as [string, Node]) : page;
    extra['@_retCount'] = String(shaped.length);
    return { status: shaped.length || iteratorID ? OK : NO_MATCH, rets: group(shaped), extra };
  }

  private select(
    kind: 'customer' | 'item' | 'invoice',
    body: Node,
  ): { rows: Array<[string, Node]>; status?: Status } {
    const c = this.company;
    const ids = many(body[kind === 'invoice' ? 'TxnID' : 'ListID']);
    const names = many(kind === 'invoice' ? body.RefNumber : body.FullName);
    const lines = text(body.IncludeLineItems) === 'true';
    const view = (r: CustomerRecord | ItemRecord | InvoiceRecord): [string, Node] =>
      kind === 'customer'
        ? ['CustomerRet', this.customerRet(r as CustomerRecord)]
        : kind === 'item'
          ? [(r as ItemRecord).kind, this.itemRet(r as ItemRecord)]
          : ['InvoiceRet', this.invoiceRet(r as InvoiceRecord, lines)];
    const all: Array<CustomerRecord | ItemRecord | InvoiceRecord> = [
      ...(kind === 'customer'
        ? c.customers.values()
        : kind === 'item'
          ? c.items.values()
          : c.invoices.values()),
    ];
    if (ids.length || names.length) {
      for (const id of ids)
        if (!looksLikeQbId(id))
          throw new Refused(
            error(
              3000,
              `The given object ID "${id}" in the field "${kind === 'invoice' ? 'txn id' : 'list id'}" is invalid.`,
            ),
          );
      const found: Array<CustomerRecord | ItemRecord | InvoiceRecord> = [];
      const missing: string[] = [];
      for (const id of ids) {
        const r =
          kind === 'customer' ? c.customers.get(id) : kind === 'item' ? c.items.get(id) : c.invoices.get(id);
        if (r) found.push(r);
        else missing.push(id);
      }
      for (const n of names) {
        const r =
          kind === 'customer'
            ? c.customerByName(n)
            : kind === 'item'
              ? c.itemByName(n)
              : [...c.invoices.values()].find((i) => i.RefNumber === n);
        if (r) found.push(r);
        else missing.push(n);
      }
      const rows = found.map(view);
      if (missing.length)
        return {
          rows,
          status: {
            statusCode: 500,
            statusSeverity: 'Warn',
            statusMessage: `The query request has not been fully completed. There was a required element ("${missing[0]}") that could not be found in QuickBooks.`,
          },
        };
      return { rows };
    }
    const range = (kind === 'invoice' ? (body.ModifiedDateRangeFilter as Node | undefined) : body) ?? {};
    const from = text(range.FromModifiedDate);
    const to = text(range.ToModifiedDate);
    const active = text(body.ActiveStatus) ?? 'ActiveOnly';
    const byName = kind === 'invoice' ? undefined : this.nameFilter(body.NameFilter);
    const byEntity = kind === 'invoice' ? this.entityFilter(body.EntityFilter) : undefined;
    const rows = all
      .filter((r) => !byName || byName((r as CustomerRecord | ItemRecord).Name))
      .filter((r) => !byEntity || byEntity(r as InvoiceRecord))
      .filter((r) => !from || r.TimeModified >= Date.parse(from))
      .filter((r) => !to || r.TimeModified <= Date.parse(to))
      .filter(
        (r) =>
          kind === 'invoice' ||
          active === 'All' ||
          (r as CustomerRecord).IsActive === (active === 'ActiveOnly'),
      )
      .sort((a, b) => a.TimeModified - b.TimeModified)
      .map(view);
    return { rows };
  }

  /** NameFilter: the list's names (FullName; the sandbox has no sub-lists) compared without case. */
  private nameFilter(v: unknown): ((name: string) => boolean) | undefined {
    if (!v || typeof v !== 'object') return undefined;
    const f = v as Node;
    const how = text(f.MatchCriterion);
    const want = (text(f.Name) ?? '').toLowerCase();
    if (how !== 'StartsWith' && how !== 'Contains' && how !== 'EndsWith') {
      this.violations.push(`NameFilter: MatchCriterion "${how}" is not StartsWith, Contains or EndsWith`);
      throw new Error(
        `QuickBooks found an error when parsing the provided XML text stream: MatchCriterion "${how}" is not valid`,
      );
    }
    return (name) => {
      const n = name.toLowerCase();
      return how === 'StartsWith'
        ? n.startsWith(want)
        : how === 'EndsWith'
          ? n.endsWith(want)
          : n.includes(want);
    };
  }

  /** EntityFilter: transactions of the customers named by ListID or FullName (the sandbox has no jobs). */
  private entityFilter(v: unknown): ((r: InvoiceRecord) => boolean) | undefined {
    if (!v || typeof v !== 'object') return undefined;
    const f = v as Node;
    const ids = [...many(f.ListID), ...many(f.ListIDWithChildren)];
    for (const id of ids)
      if (!looksLikeQbId(id))
        throw new Refused(error(3000, `The given object ID "${id}" in the field "list id" is invalid.`));
    const names = [...many(f.FullName), ...many(f.FullNameWithChildren)].map((n) => n.toLowerCase());
    const wanted = new Set(ids);
    return (r) =>
      wanted.has(r.CustomerListID) ||
      names.includes((this.company.customers.get(r.CustomerListID)?.Name ?? '').toLowerCase());
  }

  // ——— adds ———

  private customerAdd(a: Node): { status: Status; rets: Node; extra: Node } {
    const c = this.company;
    const name = text(a.Name) ?? '';
    if (!name)
      throw new Refused(
        error(
          3180,
          'There was an error when saving a Customer list, element "". QuickBooks error message: The name field is required.',
        ),
      );
    if (c.customerByName(name) || c.itemByName(name))
      throw new Refused(error(3100, `The name "${name}" of the list element is already in use.`));
    const t = c.now();
    const r: CustomerRecord = {
      ListID: c.newListId(t),
      TimeCreated: t,
      TimeModified: t,
      EditSequence: String(t / 1000),
      Name: name,
      IsActive: text(a.IsActive) !== 'false',
      Balance: '0.00',
      ...opt('CompanyName', text(a.CompanyName)),
      ...opt('FirstName', text(a.FirstName)),
      ...opt('LastName', text(a.LastName)),
      ...opt('BillAddress', address(a.BillAddress)),
      ...opt('ShipAddress', address(a.ShipAddress)),
      ...opt('Phone', text(a.Phone)),
      ...opt('Email', text(a.Email)),
      ...opt('Contact', text(a.Contact)),
      ...opt('AccountNumber', text(a.AccountNumber)),
      ...opt('CreditLimit', text(a.CreditLimit) ? new Decimal(text(a.CreditLimit)!).toFixed(2) : undefined),
    };
    c.customers.set(r.ListID, r);
    return { status: OK, rets: { CustomerRet: this.customerRet(r) }, extra: {} };
  }

  private itemAdd(a: Node): { status: Status; rets: Node; extra: Node } {
    const c = this.company;
    const name = text(a.Name) ?? '';
    if (c.itemByName(name) || c.customerByName(name))
      throw new Refused(error(3100, `The name "${name}" of the list element is already in use.`));
    const sop = (a.SalesOrPurchase as Node | undefined) ?? {};
    const account = text((sop.AccountRef as Node | undefined)?.FullName) ?? '';
    if (!ACCOUNTS.has(account)) throw new Refused(invalidRef('Account', account, 'Item'));
    const tax = text((a.SalesTaxCodeRef as Node | undefined)?.FullName);
    if (tax && !TAX_CODES.has(tax)) throw new Refused(invalidRef('Sales Tax Code', tax, 'Item'));
    const t = c.now();
    const r: ItemRecord = {
      kind: 'ItemNonInventoryRet',
      ListID: c.newListId(t),
      TimeCreated: t,
      TimeModified: t,
      EditSequence: String(t / 1000),
      Name: name,
      IsActive: true,
      SalesTaxCode: tax ?? 'Tax',
      ...opt('Desc', text(sop.Desc)),
      Price: new Decimal(text(sop.Price) ?? '0').toFixed(2),
      IncomeAccount: account,
    };
    c.items.set(r.ListID, r);
    return { status: OK, rets: { ItemNonInventoryRet: this.itemRet(r) }, extra: {} };
  }

  private invoiceAdd(a: Node): { status: Status; rets: Node; extra: Node } {
    const c = this.company;
    const cref = (a.CustomerRef as Node | undefined) ?? {};
    const cid = text(many(cref.ListID)[0]);
    const cname = text(many(cref.FullName)[0]);
    const customer = cid ? c.customers.get(cid) : cname ? c.customerByName(cname) : undefined;
    if (!customer) throw new Refused(invalidRef('Customer', cid ?? cname ?? '', 'Invoice'));
    const lines: InvoiceLine[] = [];
    const adds = (a.InvoiceLineAdd as Node[] | undefined) ?? [];
    for (const [i, l] of adds.entries()) {
      const iref = (l.ItemRef as Node | undefined) ?? {};
      const iid = text(many(iref.ListID)[0]);
      const iname = text(many(iref.FullName)[0]);
      const item = iid ? c.items.get(iid) : iname ? c.itemByName(iname) : undefined;
      if ((iid || iname) && !item) throw new Refused(invalidRef('Item', iid ?? iname ?? '', 'Invoice'));
      const qty = text(l.Quantity);
      const rate = text(l.Rate) ?? item?.Price;
      if (qty && new Decimal(qty).isNegative() && item?.kind === 'ItemInventoryRet')
        throw new Refused(
          error(3250, 'This feature is not enabled or not available in this version of QuickBooks.'),
        );
      const amount =
        text(l.Amount) ??
        new Decimal(qty ?? '1')
          .times(rate ?? '0')
          .toDecimalPlaces(2, Decimal.ROUND_HALF_UP)
          .toFixed(2);
      lines.push({
        TxnLineID: `${c.txnNumber() + 1}-${i + 1}`,
        ...opt('ItemListID', item?.ListID),
        ...opt('Desc', text(l.Desc) ?? item?.Desc),
        ...opt('Quantity', qty),
        ...opt('Rate', rate),
        Amount: new Decimal(amount).toFixed(2),
      });
    }
    const t = c.now();
    const { subtotal, tax } = CompanyFile.totals(lines, c.items);
    const refNumber = text(a.RefNumber) ?? c.refNumber();
    const txnId = c.newTxnId(t);
    const r: InvoiceRecord = {
      TxnID: txnId,
      TimeCreated: t,
      TimeModified: t,
      EditSequence: String(t / 1000),
      TxnNumber: c.txnNumber(),
      CustomerListID: customer.ListID,
      TxnDate: text(a.TxnDate) ?? new Date(t).toISOString().slice(0, 10),
      RefNumber: refNumber,
      ...opt('PONumber', text(a.PONumber)),
      ...opt('Memo', text(a.Memo)),
      Subtotal: subtotal,
      SalesTaxPercentage: SALES_TAX_RATE,
      SalesTaxTotal: tax,
      IsPaid: false,
      lines,
    };
    c.invoices.set(txnId, r);
    customer.Balance = new Decimal(customer.Balance).plus(subtotal).plus(tax).toFixed(2);
    customer.TimeModified = t;
    return { status: OK, rets: { InvoiceRet: this.invoiceRet(r, true) }, extra: {} };
  }

  // ——— the Ret shapes, in the schema's order ———

  customerRet(r: CustomerRecord): Node {
    return clean({
      ListID: r.ListID,
      TimeCreated: this.company.stamp(r.TimeCreated),
      TimeModified: this.company.stamp(r.TimeModified),
      EditSequence: r.EditSequence,
      Name: r.Name,
      FullName: r.Name,
      IsActive: bool(r.IsActive),
      Sublevel: '0',
      CompanyName: r.CompanyName,
      FirstName: r.FirstName,
      LastName: r.LastName,
      BillAddress: r.BillAddress,
      ShipAddress: r.ShipAddress,
      Phone: r.Phone,
      Email: r.Email,
      Contact: r.Contact,
      Balance: r.Balance,
      TotalBalance: r.Balance,
      SalesTaxCodeRef: { FullName: 'Tax' },
      AccountNumber: r.AccountNumber,
      CreditLimit: r.CreditLimit,
    });
  }

  itemRet(r: ItemRecord): Node {
    const core = {
      ListID: r.ListID,
      TimeCreated: this.company.stamp(r.TimeCreated),
      TimeModified: this.company.stamp(r.TimeModified),
      EditSequence: r.EditSequence,
      Name: r.Name,
      FullName: r.Name,
      IsActive: bool(r.IsActive),
      Sublevel: '0',
      SalesTaxCodeRef: { FullName: r.SalesTaxCode },
    };
    if (r.kind === 'ItemInventoryRet')
      return clean({
        ...core,
        SalesDesc: r.Desc,
        SalesPrice: r.Price,
        IncomeAccountRef: { FullName: r.IncomeAccount },
        PurchaseDesc: r.Desc,
        PurchaseCost: r.Cost,
        COGSAccountRef: { FullName: 'Cost of Goods Sold' },
        AssetAccountRef: { FullName: 'Inventory Asset' },
        QuantityOnHand: r.QuantityOnHand ?? '0',
      });
    return clean({
      ...core,
      SalesOrPurchase: clean({ Desc: r.Desc, Price: r.Price, AccountRef: { FullName: r.IncomeAccount } }),
    });
  }

  invoiceRet(r: InvoiceRecord, withLines: boolean): Node {
    const customer = this.company.customers.get(r.CustomerListID);
    const total = new Decimal(r.Subtotal).plus(r.SalesTaxTotal).toFixed(2);
    return clean({
      TxnID: r.TxnID,
      TimeCreated: this.company.stamp(r.TimeCreated),
      TimeModified: this.company.stamp(r.TimeModified),
      EditSequence: r.EditSequence,
      TxnNumber: String(r.TxnNumber),
      CustomerRef: { ListID: r.CustomerListID, FullName: customer?.Name ?? '' },
      ARAccountRef: { FullName: 'Accounts Receivable' },
      TxnDate: r.TxnDate,
      RefNumber: r.RefNumber,
      BillAddress: customer?.BillAddress,
      IsPending: 'false',
      IsFinanceCharge: 'false',
      PONumber: r.PONumber,
      DueDate: r.TxnDate,
      Subtotal: r.Subtotal,
      ItemSalesTaxRef: { FullName: SALES_TAX_ITEM },
      SalesTaxPercentage: r.SalesTaxPercentage,
      SalesTaxTotal: r.SalesTaxTotal,
      AppliedAmount: r.IsPaid ? `-${total}` : '0.00',
      BalanceRemaining: r.IsPaid ? '0.00' : total,
      Memo: r.Memo,
      IsPaid: bool(r.IsPaid),
      IsToBePrinted: 'false',
      IsToBeEmailed: 'false',
      InvoiceLineRet: withLines
        ? r.lines.map((l) => {
            const item = l.ItemListID ? this.company.items.get(l.ItemListID) : undefined;
            return clean({
              TxnLineID: l.TxnLineID,
              ItemRef: item ? { ListID: item.ListID, FullName: item.Name } : undefined,
              Desc: l.Desc,
              Quantity: l.Quantity,
              Rate: l.Rate,
              Amount: l.Amount,
              SalesTaxCodeRef: { FullName: l.SalesTaxCode ?? item?.SalesTaxCode ?? 'Non' },
            });
          })
        : undefined,
    });
  }
}

function opt<K extends string, V>(k: K, v: V | undefined): { [P in K]?: V } {
  return (v === undefined ? {} : { [k]: v }) as { [P in K]?: V };
}

function clean(n: Record<string, unknown>): Node {
  const out: Node = {};
  for (const [k, v] of Object.entries(n)) if (v !== undefined && v !== '') out[k] = v;
  return out;
}

function address(v: unknown): Address | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const n = v as Node;
  const a: Address = {};
  for (const k of ['Addr1', 'Addr2', 'City', 'State', 'PostalCode', 'Country'] as const) {
    const t = text(n[k]);
    if (t) a[k] = t;
  }
  return a;
}

function pick(n: Node, keep: readonly string[]): Node {
  const out: Node = {};
  for (const [k, v] of Object.entries(n)) if (keep.includes(k)) out[k] = v;
  return out;
}

/** Rets grouped by element name, each kind an array, kinds in the order first met. */
function group(rows: Array<[string, Node]>): Node {
  const out: Record<string, Node[]> = {};
  for (const [k, n] of rows) {
    out[k] ??= [];
    out[k].push(n);
  }
  return out;
}
