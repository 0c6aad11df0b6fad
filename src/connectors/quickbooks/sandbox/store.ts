import { Decimal } from 'decimal.js';
import { seededRandom } from '../../sdk/sandbox-kit.js';
import type { QboAccount, QboCustomer, QboEntity, QboInvoice, QboItem, QboLine } from '../types.js';
import { checkPayload } from '../xsd-check.js';
import { duplicateName, notFound, staleObject, validationFault } from './faults.js';

export type Stored = QboEntity & Record<string, unknown>;

/** A refusal the API answers with a Fault body (HTTP 400 unless said). */
export class Refusal {
  constructor(
    readonly body: Record<string, unknown>,
    readonly status = 400,
  ) {}
}

export type EntityKey = 'Customer' | 'Item' | 'Invoice' | 'Account';

export interface SavedChange {
  entity: EntityKey;
  record: Stored;
  operation: 'Create' | 'Update';
}

/** The US sales tax the sandbox company charges on lines coded TAX (one rate, for predictable totals). */
export const SANDBOX_TAX_RATE = '8.25';

/**
 * One QuickBooks Online company: customers, items, invoices and accounts by Id, each with its SyncToken
 * and MetaData, the rules the API enforces on what is sent (the XSDs, unique names, references that
 * must exist, Amount = Qty × UnitPrice), DocNumber's sequence and the document tax.
 */
export class CompanyStore {
  readonly tables: Record<EntityKey, Map<string, Stored>> = {
    Customer: new Map(),
    Item: new Map(),
    Invoice: new Map(),
    Account: new Map(),
  };
  private nextId = 1;
  private nextDoc = 1001;
  /** Every refusal of what a client sent that the XSD explains (conformance). */
  violations: string[] = [];
  /** Every query statement received, in order (tests check what a read asked for). */
  queries: string[] = [];
  onSave?: (c: SavedChange) => void;
  /** Clock of MetaData times; tests move it to age records. */
  clock = () => new Date();

  constructor(readonly company: { name: string; country: string; realmId: string }) {}

  stamp(): string {
    return this.clock()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
  }

  private id(): string {
    return String(this.nextId++);
  }

  get(entity: EntityKey, id: string): Stored | undefined {
    return this.tables[entity].get(id);
  }

  /** Create (no Id) or update (Id + SyncToken; `sparse` keeps what is not sent) of one record. */
  save(entity: EntityKey, body: Record<string, unknown>): Stored | Refusal {
    const sparse = body.sparse === true;
    const problems = checkPayload(entity, body, sparse || body.Id !== undefined);
    if (problems.length) {
      const p = problems[0]!;
      this.violations.push(`quickbooks request: ${entity}: ${problems.map((x) => x.message).join('; ')}`);
      return new Refusal(
        validationFault(
          'Request has invalid or unsupported property',
          `Property Name:${p.element} ${p.message}`,
          '2010',
          p.element,
        ),
      );
    }
    if (body.Id !== undefined) {
      const id = String(body.Id);
      const current = this.tables[entity].get(id);
      if (!current) return new Refusal(notFound(entity, id));
      if (String(body.SyncToken) !== current.SyncToken)
        return new Refusal(staleObject(id, String(body.SyncToken)));
      const { sparse: _s, ...fields } = body;
      const next = sparse ? { ...current, ...fields } : { ...fields, Id: id };
      return this.commit(entity, next, current, 'Update');
    }
    return this.commit(entity, { ...body }, undefined, 'Create');
  }

  private commit(
    entity: EntityKey,
    rec: Stored,
    before: Stored | undefined,
    operation: SavedChange['operation'],
  ): Stored | Refusal {
    const refusal = this.rules(entity, rec);
    if (refusal) return refusal;
    const at = this.stamp();
    const saved: Stored = {
      ...rec,
      Id: before?.Id ?? this.id(),
      SyncToken: before ? String(Number(before.SyncToken) + 1) : '0',
      MetaData: { CreateTime: before?.MetaData?.CreateTime ?? at, LastUpdatedTime: at },
    };
    delete (saved as { sparse?: unknown }).sparse;
    this.derive(entity, saved);
    this.tables[entity].set(saved.Id!, saved);
    this.onSave?.({ entity, record: saved, operation });
    return saved;
  }

  /** What QuickBooks computes itself: names, active flags, document numbers, totals and tax. */
  private derive(entity: EntityKey, r: Stored): void {
    if (entity === 'Customer') {
      const c = r as QboCustomer;
      c.Active ??= true;
      c.FullyQualifiedName = c.DisplayName;
      c.Balance ??= 0;
      c.Taxable ??= true;
    }
    if (entity === 'Item') {
      const i = r as QboItem & { ParentRef?: { value: string } };
      i.Active ??= true;
      const parent = i.ParentRef
        ? (this.tables.Item.get(i.ParentRef.value) as QboItem | undefined)
        : undefined;
      i.FullyQualifiedName = parent ? `${parent.FullyQualifiedName}:${i.Name}` : i.Name;
    }
    if (entity === 'Invoice') {
      const inv = r as QboInvoice;
      inv.DocNumber ??= String(this.nextDoc++);
      inv.TxnDate ??= this.stamp().slice(0, 10);
      let net = new Decimal(0);
      let taxable = new Decimal(0);
      (inv.Line ?? []).forEach((l, i) => {
        l.Id ??= String(i + 1);
        l.LineNum ??= i + 1;
        if (l.DetailType === 'SalesItemLineDetail') {
          const ref = l.SalesItemLineDetail?.ItemRef;
          const item = ref ? (this.tables.Item.get(ref.value) as QboItem | undefined) : undefined;
          if (ref && item) ref.name = item.Name;
          net = net.plus(l.Amount ?? 0);
          if ((l.SalesItemLineDetail?.TaxCodeRef?.value ?? 'NON') !== 'NON')
            taxable = taxable.plus(l.Amount ?? 0);
        } else if (l.DetailType === 'DiscountLineDetail') net = net.minus(l.Amount ?? 0);
      });
      const tax = taxable.times(SANDBOX_TAX_RATE).dividedBy(100).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
      inv.TxnTaxDetail = {
        TotalTax: tax.toNumber(),
        TaxLine: tax.isZero()
          ? []
          : [
              {
                Amount: tax.toNumber(),
                DetailType: 'TaxLineDetail',
                TaxLineDetail: {
                  TaxRateRef: { value: '3' },
                  PercentBased: true,
                  TaxPercent: Number(SANDBOX_TAX_RATE),
                  NetAmountTaxable: taxable.toNumber(),
                },
              },
            ],
      };
      const total = net.plus(tax).toNumber();
      if (inv.TotalAmt === undefined || inv.Balance === undefined || inv.Balance === inv.TotalAmt)
        inv.Balance = total;
      inv.TotalAmt = total;
      const customer = this.tables.Customer.get(inv.CustomerRef?.value ?? '') as QboCustomer | undefined;
      if (inv.CustomerRef && customer) inv.CustomerRef.name = customer.DisplayName;
    }
  }

  /** The API's business rules (beyond the XSD), each refused as QuickBooks refuses it. */
  private rules(entity: EntityKey, r: Stored): Refusal | undefined {
    const required = (element: string) =>
      new Refusal(
        validationFault(
          'Required param missing, need to supply the required value for the API',
          `Required parameter ${element} is missing in the request`,
          '2020',
          element,
        ),
      );
    if (entity === 'Customer') {
      const c = r as QboCustomer;
      if (!c.DisplayName && !c.GivenName && !c.FamilyName && !c.CompanyName) return required('DisplayName');
      c.DisplayName ??= [c.GivenName, c.FamilyName].filter(Boolean).join(' ') || c.CompanyName;
      const same = this.byName('Customer', 'DisplayName', c.DisplayName!, r.Id);
      if (same) return new Refusal(duplicateName(c.DisplayName!, same.Id!));
    }
    if (entity === 'Item') {
      const i = r as QboItem;
      if (!i.Name) return required('Name');
      if (i.Name.includes(':'))
        return new Refusal(
          validationFault('Invalid Name', 'Name cannot contain a colon (:)', '2050', 'Name'),
        );
      const same = this.byName('Item', 'Name', i.Name, r.Id);
      if (same) return new Refusal(duplicateName(i.Name, same.Id!));
      if (i.Type !== 'Category' && i.Type !== 'Group') {
        if (!i.IncomeAccountRef) return required('IncomeAccountRef');
        if (!this.tables.Account.has(i.IncomeAccountRef.value))
          return new Refusal(notFound('Account', i.IncomeAccountRef.value));
      }
    }
    if (entity === 'Invoice') {
      const inv = r as QboInvoice;
      if (!inv.CustomerRef) return required('CustomerRef');
      if (!this.tables.Customer.has(inv.CustomerRef.value))
        return new Refusal(notFound('Customer', inv.CustomerRef.value));
      if (!inv.Line?.length) return required('Line');
      for (const l of inv.Line as QboLine[]) {
        if (l.DetailType !== 'SalesItemLineDetail') continue;
        const d = l.SalesItemLineDetail;
        if (!d?.ItemRef) return required('ItemRef');
        if (d.ItemRef.value !== 'SHIPPING_ITEM_ID' && !this.tables.Item.has(d.ItemRef.value))
          return new Refusal(notFound('Item', d.ItemRef.value));
        if (d.Qty !== undefined && d.UnitPrice !== undefined) {
          const want = new Decimal(d.Qty).times(d.UnitPrice).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
          if (!want.equals(l.Amount ?? 0))
            return new Refusal(
              validationFault(
                'Amount is not equal to UnitPrice * Qty',
                `Amount is not equal to UnitPrice * Qty. Supplied value:${l.Amount}`,
                '6070',
                'Amount',
              ),
            );
        }
      }
    }
    return undefined;
  }

  private byName(entity: EntityKey, field: string, name: string, except?: string): Stored | undefined {
    const lower = name.toLowerCase();
    for (const r of this.tables[entity].values())
      if (r.Id !== except && String(r[field] ?? '').toLowerCase() === lower) return r;
    return undefined;
  }

  /** Seeds directly (no rules): what a person entered in QuickBooks before we connected. */
  put(entity: EntityKey, body: Record<string, unknown>, at?: string): Stored {
    const stamp = at ?? this.stamp();
    const r: Stored = {
      ...body,
      Id: this.id(),
      SyncToken: '0',
      MetaData: { CreateTime: stamp, LastUpdatedTime: stamp },
    };
    this.derive(entity, r);
    this.tables[entity].set(r.Id!, r);
    return r;
  }

  /** A person editing a record in QuickBooks: SyncToken and LastUpdatedTime move on, and a webhook goes out. */
  edit(entity: EntityKey, id: string, patch: Record<string, unknown>): Stored {
    const r = this.tables[entity].get(id);
    if (!r) throw new Error(`the sandbox has no ${entity} ${id}`);
    const saved = this.commit(entity, { ...r, ...patch }, r, 'Update');
    if (saved instanceof Refusal) throw new Error(JSON.stringify(saved.body));
    return saved;
  }
}

export interface SeedOptions {
  customers?: number;
  products?: number;
  invoices?: number;
  /** The manual's own records (A1D001, ABS001, VID003, TAPE002, MISC, XXXTEST01 and their invoices); default true. */
  manualRecords?: boolean;
  seed?: number;
}

/** The income account new items post to in the sandbox company (as in Intuit's sample company). */
export const SANDBOX_INCOME_ACCOUNT = '79';

export function seed(store: CompanyStore, o: SeedOptions): void {
  const rnd = seededRandom(o.seed ?? 1);
  // Records seeded a minute apart, in the past, so change windows have something to cut.
  const base = Date.now() - 7 * 24 * 3600_000;
  let tick = 0;
  const at = () => new Date(base + tick++ * 60_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const accounts = store.tables.Account;
  const account = (id: string, Name: string, AccountType: string) => {
    const r: QboAccount & Stored = {
      Id: id,
      SyncToken: '0',
      Name,
      AccountType,
      Active: true,
      MetaData: { CreateTime: at(), LastUpdatedTime: at() },
    };
    accounts.set(id, r);
  };
  account(SANDBOX_INCOME_ACCOUNT, 'Sales of Product Income', 'Income');
  account('1', 'Services', 'Income');
  const items: Stored[] = [];
  const customers: Stored[] = [];
  if (o.manualRecords !== false) {
    customers.push(
      store.put(
        'Customer',
        {
          DisplayName: 'A1D001',
          CompanyName: 'A1 Design',
          GivenName: 'Jim',
          FamilyName: 'Thomas',
          PrimaryPhone: { FreeFormNumber: '01742 876 234' },
          PrimaryEmailAddr: { Address: 'accounts@a1design.example' },
          BillAddr: {
            Line1: '67a Station',
            City: 'Blackpool',
            CountrySubDivisionCode: 'Lancashire',
            PostalCode: 'BP12 7HT',
            Country: 'UK',
          },
          Notes: 'Credit limit 1000, turnover 5220.54 (kept in Sage; QuickBooks Online has no such fields)',
        },
        at(),
      ),
      store.put(
        'Customer',
        {
          DisplayName: 'ABS001',
          CompanyName: 'ABS Garag',
          BillAddr: { Line1: 'Unit 34', City: 'Hebburn', PostalCode: 'NE31 1VB', Country: 'United Kingdom' },
          Balance: 2533.31,
          Notes: 'Credit limit 4000, turnover 3070.45 (kept in Sage; QuickBooks Online has no such fields)',
        },
        at(),
      ),
    );
    const item = (
      Name: string,
      Description: string,
      UnitPrice: number,
      PurchaseCost?: number,
      inventory = false,
    ) =>
      store.put(
        'Item',
        {
          Name,
          Description,
          Type: inventory ? 'Inventory' : 'NonInventory',
          UnitPrice,
          ...(PurchaseCost !== undefined ? { PurchaseCost } : {}),
          ...(inventory ? { TrackQtyOnHand: true, QtyOnHand: 40 } : {}),
          Taxable: true,
          IncomeAccountRef: { value: SANDBOX_INCOME_ACCOUNT, name: 'Sales of Product Income' },
        },
        at(),
      );
    items.push(
      item('VID003', '32mb PCI Video Card', 55, 32.5, true),
      item('TAPE002', 'Adhesive Tape - Brown (50mm x 66m)', 2.8, 1.1),
      item('MISC', 'Miscellaneous', 0),
      item('XXXTEST01', 'Test product sold in a 25 Pack', 299, 150),
    );
    const [vid, tape] = items;
    const [a1, abs] = customers;
    const line = (it: Stored, qty: number, price: number, tax = 'TAX'): QboLine => ({
      DetailType: 'SalesItemLineDetail',
      Amount: new Decimal(qty).times(price).toNumber(),
      Description: String(it.Description),
      SalesItemLineDetail: {
        ItemRef: { value: it.Id! },
        Qty: qty,
        UnitPrice: price,
        TaxCodeRef: { value: tax },
      },
    });
    store.put(
      'Invoice',
      {
        CustomerRef: { value: a1!.Id },
        TxnDate: '2024-03-04',
        DueDate: '2024-04-03',
        Line: [
          line(vid!, 3, 55),
          line(tape!, 22, 2.8),
          {
            DetailType: 'DescriptionOnly',
            Description: 'Delivered to the Blackpool site, ask for Jim',
            DescriptionLineDetail: {},
          },
        ],
      },
      at(),
    );
    store.put(
      'Invoice',
      {
        CustomerRef: { value: abs!.Id },
        TxnDate: '2024-03-11',
        DueDate: '2024-04-10',
        Line: [
          line(tape!, 10, 2.8),
          line(vid!, 1, 55, 'NON'),
          { DetailType: 'DescriptionOnly', Description: 'Thank you for your business' },
        ],
      },
      at(),
    );
  }
  for (let i = 1; i <= (o.customers ?? 0); i++)
    customers.push(
      store.put(
        'Customer',
        {
          DisplayName: `CUST${String(i).padStart(4, '0')}`,
          CompanyName: `Customer ${i} Ltd`,
          PrimaryEmailAddr: { Address: `buyer${i}@example.com` },
          BillAddr: {
            Line1: `${i} High Street`,
            City: 'Leeds',
            PostalCode: `LS${1 + (i % 20)} 1AA`,
            Country: 'GB',
          },
        },
        at(),
      ),
    );
  for (let i = 1; i <= (o.products ?? 0); i++)
    items.push(
      store.put(
        'Item',
        {
          Name: `ITEM${String(i).padStart(4, '0')}`,
          Description: `Generated item ${i}`,
          Type: i % 3 === 0 ? 'Inventory' : 'NonInventory',
          UnitPrice: Math.round(rnd() * 10_000) / 100 + 1,
          PurchaseCost: Math.round(rnd() * 5_000) / 100,
          ...(i % 3 === 0 ? { TrackQtyOnHand: true, QtyOnHand: Math.floor(rnd() * 100) } : {}),
          Taxable: true,
          IncomeAccountRef: { value: SANDBOX_INCOME_ACCOUNT },
        },
        at(),
      ),
    );
  for (let i = 1; i <= (o.invoices ?? 0); i++) {
    if (!customers.length || !items.length) break;
    const customer = customers[Math.floor(rnd() * customers.length)]!;
    const lines: QboLine[] = [];
    for (let n = 0; n < 1 + Math.floor(rnd() * 3); n++) {
      const it = items[Math.floor(rnd() * items.length)]!;
      const qty = 1 + Math.floor(rnd() * 5);
      const price = Number(it.UnitPrice ?? 1);
      lines.push({
        DetailType: 'SalesItemLineDetail',
        Amount: new Decimal(qty).times(price).toDecimalPlaces(2).toNumber(),
        SalesItemLineDetail: {
          ItemRef: { value: it.Id! },
          Qty: qty,
          UnitPrice: price,
          TaxCodeRef: { value: rnd() < 0.7 ? 'TAX' : 'NON' },
        },
      });
    }
    if (i % 4 === 0) lines.push({ DetailType: 'DescriptionOnly', Description: `Note on invoice ${i}` });
    store.put(
      'Invoice',
      { CustomerRef: { value: customer.Id }, TxnDate: at().slice(0, 10), Line: lines },
      at(),
    );
  }
}
