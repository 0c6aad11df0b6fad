import { Decimal } from 'decimal.js';

/**
 * A little QuickBooks company file: customers, items and invoices as QuickBooks keeps them (ListID,
 * TxnID, EditSequence, TimeCreated / TimeModified in whole seconds with the machine's offset, a
 * RefNumber sequence), and a sales tax item applied to taxable lines of taxable customers.
 */
export interface Address {
  Addr1?: string;
  Addr2?: string;
  City?: string;
  State?: string;
  PostalCode?: string;
  Country?: string;
}

export interface CustomerRecord {
  ListID: string;
  TimeCreated: number;
  TimeModified: number;
  EditSequence: string;
  Name: string;
  IsActive: boolean;
  CompanyName?: string;
  FirstName?: string;
  LastName?: string;
  BillAddress?: Address;
  ShipAddress?: Address;
  Phone?: string;
  Email?: string;
  Contact?: string;
  Balance: string;
  AccountNumber?: string;
  CreditLimit?: string;
}

export type ItemKind = 'ItemInventoryRet' | 'ItemNonInventoryRet' | 'ItemServiceRet';

export interface ItemRecord {
  kind: ItemKind;
  ListID: string;
  TimeCreated: number;
  TimeModified: number;
  EditSequence: string;
  Name: string;
  IsActive: boolean;
  SalesTaxCode: string;
  Desc?: string;
  Price: string;
  Cost?: string;
  IncomeAccount: string;
  QuantityOnHand?: string;
}

export interface InvoiceLine {
  TxnLineID: string;
  ItemListID?: string;
  Desc?: string;
  Quantity?: string;
  Rate?: string;
  Amount: string;
  SalesTaxCode?: string;
}

export interface InvoiceRecord {
  TxnID: string;
  TimeCreated: number;
  TimeModified: number;
  EditSequence: string;
  TxnNumber: number;
  CustomerListID: string;
  TxnDate: string;
  RefNumber: string;
  PONumber?: string;
  Memo?: string;
  Subtotal: string;
  SalesTaxPercentage: string;
  SalesTaxTotal: string;
  IsPaid: boolean;
  lines: InvoiceLine[];
}

export const SALES_TAX_ITEM = 'Standard Rate';
/** The manual's VAT rate of the day (its product invoice: 17.50 % standard rate). */
export const SALES_TAX_RATE = '17.5';
export const ACCOUNTS = new Set(['Sales', 'Sales - Hardware', 'Sales - Services']);
export const TAX_CODES = new Set(['Tax', 'Non']);

export class CompanyFile {
  readonly customers = new Map<string, CustomerRecord>();
  readonly items = new Map<string, ItemRecord>();
  readonly invoices = new Map<string, InvoiceRecord>();
  private seq = 0x80000001;
  private txn = 0;
  nextRef = 82;
  /** The company file's clock, in ms; a test may move it. */
  clock: () => number = Date.now;
  /** The offset of the machine QuickBooks runs on, as it writes its timestamps. */
  readonly offsetMinutes: number;

  constructor(o: { offsetMinutes?: number } = {}) {
    this.offsetMinutes = o.offsetMinutes ?? 0;
  }

  /** Whole seconds, as QuickBooks keeps them. */
  now(): number {
    return Math.floor(this.clock() / 1000) * 1000;
  }

  newListId(at: number): string {
    return `${(this.seq++).toString(16).toUpperCase()}-${Math.floor(at / 1000)}`;
  }

  newTxnId(at: number): string {
    this.txn++;
    return `${(0x1000 + this.txn).toString(16).toUpperCase()}-${Math.floor(at / 1000)}`;
  }

  refNumber(): string {
    return String(this.nextRef++);
  }

  txnNumber(): number {
    return this.txn;
  }

  customerByName(name: string): CustomerRecord | undefined {
    for (const c of this.customers.values()) if (c.Name.toLowerCase() === name.toLowerCase()) return c;
    return undefined;
  }

  itemByName(name: string): ItemRecord | undefined {
    for (const i of this.items.values()) if (i.Name.toLowerCase() === name.toLowerCase()) return i;
    return undefined;
  }

  /** A timestamp as QuickBooks writes it: local time with the machine's offset. */
  stamp(ms: number): string {
    const local = new Date(ms + this.offsetMinutes * 60_000).toISOString().slice(0, 19);
    const sign = this.offsetMinutes < 0 ? '-' : '+';
    const abs = Math.abs(this.offsetMinutes);
    return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  }

  /** An invoice's amounts: lines at quantity × rate, tax on taxable lines of a taxable customer. */
  static totals(lines: InvoiceLine[], items: Map<string, ItemRecord>): { subtotal: string; tax: string } {
    let subtotal = new Decimal(0);
    let taxable = new Decimal(0);
    for (const l of lines) {
      subtotal = subtotal.plus(l.Amount);
      const code = l.SalesTaxCode ?? (l.ItemListID ? items.get(l.ItemListID)?.SalesTaxCode : undefined);
      if (code === 'Tax') taxable = taxable.plus(l.Amount);
    }
    const tax = taxable.times(SALES_TAX_RATE).dividedBy(100).toDecimalPlaces(2, Decimal.ROUND_HALF_UP);
    return { subtotal: subtotal.toFixed(2), tax: tax.toFixed(2) };
  }
}
