import { toAccurateDateTime } from '../dates.js';

export type Rec = Record<string, unknown> & { id: number; lastUpdate: string };

/** The record kinds the sandbox keeps, by their API name. */
export const DOCS = [
  'customer',
  'item',
  'warehouse',
  'branch',
  'tax',
  'unit',
  'vendor',
  'glaccount',
  'sales-invoice',
  'sales-return',
  'sales-receipt',
  'item-transfer',
  'item-adjustment',
  'receive-item',
  'purchase-invoice',
] as const;
export type Doc = (typeof DOCS)[number];

/** The shop of issue 17: three outlets and a central warehouse, one branch, PPN 11 %. */
export const SHOP = {
  databaseId: 1001,
  databaseAlias: 'Toko Kopi Nusantara',
  branch: 'Jakarta',
  warehouses: ['Gudang Utama', 'Outlet Kemang', 'Outlet Senayan', 'Outlet BSD'],
  tax: { name: 'PPN', rate: 11 },
  /** Cash and bank accounts a sales receipt may name (bankNo), and the stock take difference account. */
  accounts: [
    { no: '1101', name: 'Kas Outlet', type: 'CASH_BANK' },
    { no: '1102', name: 'Bank BCA', type: 'CASH_BANK' },
    { no: '1103', name: 'QRIS Settlement', type: 'CASH_BANK' },
    { no: '5101', name: 'Selisih Stok Opname', type: 'EXPENSE' },
    { no: '7101', name: 'Pembulatan Kas', type: 'OTHER_INCOME' },
  ],
  items: [
    { no: 'KOPI-250', name: 'Kopi Arabika 250g', unitPrice: 85000, cost: 52000 },
    { no: 'TEH-100', name: 'Teh Melati 100g', unitPrice: 45000, cost: 25000 },
    { no: 'GULA-1KG', name: 'Gula Aren 1kg', unitPrice: 18500, cost: 12000 },
    { no: 'CUP-12', name: 'Gelas Keramik', unitPrice: 12000, cost: 6000 },
  ],
  customers: [
    { customerNo: 'C-00001', name: 'Pelanggan Umum' },
    { customerNo: 'C-00002', name: 'Elon Mask' },
    { customerNo: 'C-00003', name: 'Steve Jobs' },
  ],
  vendors: [{ vendorNo: 'V-001', name: 'PT Sumber Kopi' }],
} as const;

export interface SeedOptions {
  /** The shop above (default true). */
  shop?: boolean;
  /** Generated records beside the shop's, for paging and the contract suite. */
  customers?: number;
  items?: number;
  transfers?: number;
  receipts?: number;
}

/**
 * One Accurate database in memory: records by kind with ids and lastUpdate stamps (WIB, to the second,
 * from a clock tests can move), stock per item and warehouse, and what every document did to it.
 */
export class DbStore {
  readonly tables = Object.fromEntries(DOCS.map((d) => [d, new Map<number, Rec>()])) as Record<
    Doc,
    Map<number, Rec>
  >;
  /** item no → warehouse → quantity. */
  readonly stock = new Map<string, Map<string, number>>();
  private nextId = 100;
  private seq = new Map<string, number>();
  /** The time records are stamped with (ms); moves forward a second a write unless set. */
  clock = Date.parse('2026-01-05T08:00:00+07:00');

  now(): string {
    return toAccurateDateTime(new Date(this.clock));
  }

  insert(doc: Doc, fields: Record<string, unknown>): Rec {
    const rec = { ...fields, id: this.nextId++, lastUpdate: this.now() } as Rec;
    this.tables[doc].set(rec.id, rec);
    this.clock += 1000;
    return rec;
  }

  update(_doc: Doc, rec: Rec, fields: Record<string, unknown>): Rec {
    Object.assign(rec, fields, { id: rec.id, lastUpdate: this.now() });
    this.clock += 1000;
    return rec;
  }

  /** The next automatic number of a kind (Accurate numbers what is saved without one). */
  autoNumber(prefix: string): string {
    const n = (this.seq.get(prefix) ?? 0) + 1;
    this.seq.set(prefix, n);
    return `${prefix}${String(n).padStart(5, '0')}`;
  }

  find(doc: Doc, field: string, value: unknown): Rec | undefined {
    for (const r of this.tables[doc].values()) if (r[field] === value) return r;
    return undefined;
  }

  stockOf(itemNo: string, warehouse: string): number {
    return this.stock.get(itemNo)?.get(warehouse) ?? 0;
  }

  /**
   * Goods received from a supplier, as a person enters a receive-item in Accurate: the document and
   * its stock effect (each line's quantity into its warehouse).
   */
  receiveGoods(
    number: string,
    vendorNo: string,
    transDate: string,
    lines: ReadonlyArray<{ itemNo: string; quantity: number; warehouseName: string }>,
  ): Rec {
    const rec = this.insert('receive-item', {
      number,
      receiveNumber: number,
      transDate,
      vendorNo,
      detailItem: lines.map((l) => ({ ...l, itemUnitName: 'PCS' })),
    });
    for (const l of lines) this.moveStock(l.itemNo, l.warehouseName, l.quantity);
    return rec;
  }

  moveStock(itemNo: string, warehouse: string, delta: number): void {
    const per = this.stock.get(itemNo) ?? new Map<string, number>();
    per.set(warehouse, (per.get(warehouse) ?? 0) + delta);
    this.stock.set(itemNo, per);
  }
}

export function seed(store: DbStore, o: SeedOptions = {}): void {
  // Reference data always exists: warehouses, branch, tax, unit, accounts.
  for (const name of SHOP.warehouses) store.insert('warehouse', { name, suspended: false });
  store.insert('branch', { name: SHOP.branch });
  store.insert('tax', { taxType: 'PPN', description: SHOP.tax.name, rate: SHOP.tax.rate });
  store.insert('unit', { name: 'PCS' });
  for (const a of SHOP.accounts) store.insert('glaccount', { ...a });
  for (const v of SHOP.vendors) store.insert('vendor', { ...v });
  const tick = () => {
    store.clock += 37_000;
  };
  if (o.shop !== false) {
    for (const i of SHOP.items) {
      tick();
      store.insert('item', { ...i, itemType: 'INVENTORY', unit1Name: 'PCS', suspended: false });
      for (const [k, w] of SHOP.warehouses.entries()) store.moveStock(i.no, w, k === 0 ? 500 : 40);
    }
    for (const c of SHOP.customers) {
      tick();
      store.insert('customer', { ...c, transDate: '01/01/2026', suspended: false });
    }
    store.autoNumber('C-');
    store.autoNumber('C-');
    store.autoNumber('C-');
  }
  for (let i = 1; i <= (o.customers ?? 0); i++) {
    tick();
    store.insert('customer', {
      customerNo: `CUST-${String(i).padStart(4, '0')}`,
      name: `Pelanggan ${i}`,
      email: `pelanggan${i}@example.co.id`,
      billStreet: `Jl. Sudirman No. ${i}`,
      billCity: 'Jakarta',
      billCountry: 'Indonesia',
      transDate: '01/01/2026',
      suspended: false,
    });
  }
  for (let i = 1; i <= (o.items ?? 0); i++) {
    tick();
    const no = `ITEM-${String(i).padStart(4, '0')}`;
    store.insert('item', {
      no,
      name: `Barang ${i}`,
      itemType: 'INVENTORY',
      unitPrice: 1000 * i,
      cost: 600 * i,
      unit1Name: 'PCS',
      suspended: false,
    });
    store.moveStock(no, 'Gudang Utama', 100 + i);
    store.moveStock(no, 'Outlet Kemang', i);
  }
  const anyItem = () => [...store.tables.item.values()][0]?.no ?? 'KOPI-250';
  for (let i = 1; i <= (o.transfers ?? 0); i++) {
    tick();
    const out = i % 2 === 1;
    store.insert('item-transfer', {
      number: `IT-${String(i).padStart(4, '0')}`,
      transDate: '05/01/2026',
      itemTransferType: out ? 'TRANSFER_OUT' : 'TRANSFER_IN',
      warehouseName: out ? 'Gudang Utama' : 'Outlet Senayan',
      referenceWarehouseName: out ? 'Outlet Senayan' : 'Gudang Utama',
      ...(out ? {} : { fromItemTransferNo: `IT-${String(i - 1).padStart(4, '0')}` }),
      detailItem: [{ itemNo: anyItem(), quantity: i, itemUnitName: 'PCS' }],
    });
  }
  for (let i = 1; i <= (o.receipts ?? 0); i++) {
    tick();
    store.insert('receive-item', {
      number: `RI-${String(i).padStart(4, '0')}`,
      receiveNumber: `SJ-${i}`,
      transDate: '05/01/2026',
      vendorNo: 'V-001',
      detailItem: [{ itemNo: anyItem(), quantity: 10 * i, itemUnitName: 'PCS', warehouseName: 'Outlet BSD' }],
    });
  }
}
