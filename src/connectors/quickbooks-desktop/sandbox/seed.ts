import { Decimal } from 'decimal.js';
import { CompanyFile, type CustomerRecord, type InvoiceLine, type ItemRecord } from './company.js';

/** A small deterministic generator (mulberry32), so a seed gives the same company every time. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SeedOptions {
  /** Customers in all (the manual's come first); default: the manual's only. */
  customers?: number;
  /** Items in all (the manual's come first); default: the manual's only. */
  products?: number;
  /** Invoices in all; default 3. */
  invoices?: number;
  seed?: number;
  /** When the oldest record was last modified; records follow one second apart. */
  since?: number;
}

/** The SYNC Uploader manual's own records (its §6 and §7 screens), and a customer without an account number. */
const MANUAL_CUSTOMERS: Array<Partial<CustomerRecord> & { Name: string }> = [
  {
    Name: 'A1 Design',
    AccountNumber: 'A1D001',
    CompanyName: 'A1 Design',
    BillAddress: {
      Addr1: '67a Station',
      City: 'Blackpool',
      State: 'Lancashire',
      PostalCode: 'BP12 7HT',
      Country: 'UK',
    },
    Contact: 'Jim Thomas',
    FirstName: 'Jim',
    LastName: 'Thomas',
    Phone: '01742 876 234',
    CreditLimit: '1000.00',
    Balance: '0.00',
  },
  {
    Name: 'ABS Garag',
    AccountNumber: 'ABS001',
    CompanyName: 'ABS Garag',
    BillAddress: { Addr1: 'Unit 34', City: 'Hebburn', PostalCode: 'NE31 1VB', Country: 'UK' },
    CreditLimit: '4000.00',
    Balance: '2533.31',
  },
  {
    // QuickBooks has account numbers on some customers only: this one is known by its FullName.
    Name: 'Bolton Bakery',
    CompanyName: 'Bolton Bakery Ltd',
    BillAddress: { Addr1: '2 Mill Lane', City: 'Bolton', PostalCode: 'BL1 1AA', Country: 'United Kingdom' },
    Email: 'accounts@boltonbakery.example',
    Balance: '0.00',
  },
];

const MANUAL_ITEMS: Array<Partial<ItemRecord> & { Name: string; kind: ItemRecord['kind'] }> = [
  {
    kind: 'ItemInventoryRet',
    Name: 'VID003',
    Desc: '32mb PCI Video Card',
    Price: '55.00',
    Cost: '32.50',
    QuantityOnHand: '40',
  },
  {
    kind: 'ItemInventoryRet',
    Name: 'TAPE002',
    Desc: 'Adhesive Tape – Brown (50mm x 66m)',
    Price: '2.80',
    Cost: '1.10',
    QuantityOnHand: '500',
  },
  { kind: 'ItemNonInventoryRet', Name: 'MISC', Desc: 'Miscellaneous', Price: '0.00' },
  { kind: 'ItemNonInventoryRet', Name: 'XXXTEST01', Desc: 'Test Product (25 Pack)', Price: '299.00' },
];

export function seedCompany(o: SeedOptions = {}): CompanyFile {
  const company = new CompanyFile();
  const random = rng(o.seed ?? 42);
  const customers = Math.max(o.customers ?? MANUAL_CUSTOMERS.length, 0);
  const products = Math.max(o.products ?? MANUAL_ITEMS.length, 0);
  const invoices = Math.max(o.invoices ?? 3, 0);
  const total = customers + products + invoices;
  // Every record a second apart, the newest a minute ago: "modified since" has distinct stamps.
  let at = o.since ?? Math.floor(Date.now() / 1000) * 1000 - (total + 60) * 1000;
  const tick = () => (at += 1000);

  for (let i = 0; i < customers; i++) {
    const m = MANUAL_CUSTOMERS[i];
    const t = tick();
    const name = m?.Name ?? `Customer ${String(i + 1).padStart(4, '0')}`;
    const c: CustomerRecord = {
      ListID: company.newListId(t),
      TimeCreated: t,
      TimeModified: t,
      EditSequence: String(t / 1000),
      IsActive: true,
      Balance: '0.00',
      ...(m ?? {
        Name: name,
        CompanyName: `${name} Ltd`,
        // Every fourth generated customer has no account number.
        ...(i % 4 === 3 ? {} : { AccountNumber: `GEN${String(i + 1).padStart(4, '0')}` }),
        BillAddress: { Addr1: `${i + 1} High Street`, City: 'Leeds', PostalCode: 'LS1 1AA', Country: 'UK' },
        CreditLimit: new Decimal(Math.floor(random() * 50) * 100).toFixed(2),
        Email: `buyer${i + 1}@example.com`,
      }),
      Name: name,
    };
    company.customers.set(c.ListID, c);
  }
  for (let i = 0; i < products; i++) {
    const m = MANUAL_ITEMS[i];
    const t = tick();
    const name = m?.Name ?? `GEN-ITEM-${String(i + 1).padStart(4, '0')}`;
    const item: ItemRecord = {
      ListID: company.newListId(t),
      TimeCreated: t,
      TimeModified: t,
      EditSequence: String(t / 1000),
      IsActive: true,
      SalesTaxCode: 'Tax',
      IncomeAccount: 'Sales',
      Price: '0.00',
      ...(m ?? {
        kind: i % 3 === 0 ? 'ItemInventoryRet' : i % 3 === 1 ? 'ItemNonInventoryRet' : 'ItemServiceRet',
        Desc: `Generated item ${i + 1}`,
        Price: new Decimal(Math.floor(random() * 20000) / 100 + 1).toFixed(2),
        ...(i % 3 === 0 ? { Cost: '3.25', QuantityOnHand: String(Math.floor(random() * 100)) } : {}),
      }),
      kind:
        m?.kind ??
        (i % 3 === 0 ? 'ItemInventoryRet' : i % 3 === 1 ? 'ItemNonInventoryRet' : 'ItemServiceRet'),
      Name: name,
    };
    company.items.set(item.ListID, item);
  }
  const cs = [...company.customers.values()];
  const its = [...company.items.values()];
  for (let i = 0; i < invoices && cs.length && its.length; i++) {
    const t = tick();
    const customer = cs[i % cs.length]!;
    const lines: InvoiceLine[] = [];
    const n = 1 + (i % 3);
    for (let j = 0; j < n; j++) {
      const item = its[(i + j) % its.length]!;
      const qty = String(1 + ((i + j) % 5));
      const rate = item.Price === '0.00' ? '10.00' : item.Price;
      lines.push({
        TxnLineID: `${i + 1}-${j + 1}`,
        ItemListID: item.ListID,
        Desc: item.Desc,
        Quantity: qty,
        Rate: rate,
        Amount: new Decimal(qty).times(rate).toFixed(2),
      });
    }
    if (i % 5 === 4)
      // A line with no item: a note written on the invoice (a write-in).
      lines.push({
        TxnLineID: `${i + 1}-note`,
        Desc: 'Carriage by arrangement',
        Amount: '12.50',
        SalesTaxCode: 'Tax',
      });
    const { subtotal, tax } = CompanyFile.totals(lines, company.items);
    const txnId = company.newTxnId(t);
    company.invoices.set(txnId, {
      TxnID: txnId,
      TimeCreated: t,
      TimeModified: t,
      EditSequence: String(t / 1000),
      TxnNumber: company.txnNumber(),
      CustomerListID: customer.ListID,
      TxnDate: new Date(t).toISOString().slice(0, 10),
      RefNumber: String(71 + i),
      Subtotal: subtotal,
      SalesTaxPercentage: '17.5',
      SalesTaxTotal: tax,
      IsPaid: i % 2 === 1,
      lines,
    });
  }
  company.nextRef = Math.max(company.nextRef, 71 + invoices);
  return company;
}
