import { seededRandom } from '../../sdk/sandbox-kit.js';

export type Row = Record<string, unknown> & { id: number };

/** The resources the sandbox serves, by their path below the API base. */
export const TABLES = [
  'customers',
  'products',
  'price_bands',
  'product_price_views',
  'sales_posted_transactions',
  'customer_sop_invoice_credit_line_views',
  'warehouses',
  'sop_orders',
] as const;
export type Table = (typeof TABLES)[number];

/**
 * Views whose published schema has no id or date_time_created/updated of their own (sales.json
 * customer_sop_invoice_credit_line_view): answered without the stamps every stored row gets.
 */
export const UNSTAMPED_VIEWS: ReadonlySet<Table> = new Set(['customer_sop_invoice_credit_line_views']);

export interface SeedOptions {
  /** The manual's records (A1D001, ABS001; VID003, TAPE002, MISC; invoices of A1D001). Default true. */
  manualRecords?: boolean;
  customers?: number;
  products?: number;
  invoices?: number;
  seed?: number;
}

/** One Sage 200 company: its tables, ids counting up per table, every change stamped date_time_updated. */
export class CompanyStore {
  readonly tables: Record<Table, Map<number, Row>> = Object.fromEntries(
    TABLES.map((t) => [t, new Map<number, Row>()]),
  ) as Record<Table, Map<number, Row>>;
  private readonly next: Record<string, number> = {};
  private nextDocumentNo = 1;

  constructor(readonly site: { siteId: string; siteName: string; companyId: number; companyName: string }) {}

  insert(table: Table, row: Record<string, unknown>, at = new Date()): Row {
    const id = (this.next[table] ?? 0) + 1;
    this.next[table] = id;
    const stamp = at.toISOString();
    const saved = { id, date_time_created: stamp, date_time_updated: stamp, ...row } as Row;
    this.tables[table].set(id, saved);
    return saved;
  }

  find(table: Table, field: string, value: unknown): Row | undefined {
    for (const r of this.tables[table].values()) if (r[field] === value) return r;
    return undefined;
  }

  /** The SOP document number Sage gives a new order: ten digits, counting up. */
  documentNo(): string {
    return String(this.nextDocumentNo++).padStart(10, '0');
  }
}

const BASE = Date.parse('2024-03-01T09:00:00Z');
const at = (minutes: number) => new Date(BASE + minutes * 60_000);

/** Reference data every company has, then the manual's records and generated ones. */
export function seed(store: CompanyStore, o: SeedOptions): void {
  store.insert('warehouses', { name: 'HOME', description: 'Home warehouse' }, at(0));
  const standard = store.insert(
    'price_bands',
    {
      name: 'Standard',
      description: 'Standard price band',
      is_standard_band: true,
      currency_id: 1,
      price_band_type_id: 0,
      price_band_type: 'Universal',
      is_active: true,
      is_time_based: false,
    },
    at(0),
  );
  const customer = (reference: string, name: string, body: Record<string, unknown>, minutes: number) =>
    store.insert(
      'customers',
      {
        reference,
        name,
        short_name: reference.slice(0, 8),
        balance: 0,
        on_hold: false,
        account_status_type: 'AccountStatusActive',
        currency_id: 1,
        credit_limit: 0,
        ...body,
      },
      at(minutes),
    );
  const product = (code: string, name: string, price: number, minutes: number, cost?: number) => {
    const p = store.insert(
      'products',
      {
        code,
        name,
        description: name,
        allow_sales_order: true,
        product_group_id: 1,
        product_status_type: 'ProductStatusActive',
        ...(cost !== undefined ? { standard_cost: cost } : {}),
      },
      at(minutes),
    );
    store.insert(
      'product_price_views',
      {
        product_price_id: p.id,
        product_id: p.id,
        product_code: code,
        product_name: name,
        product_stock_unit_name: 'Each',
        price_band_id: standard.id,
        price_band_name: 'Standard',
        product_price_use_standard: false,
        product_price_price: price,
        currency_id: 1,
        currency_name: 'Pound Sterling',
        currency_symbol: '£',
      },
      at(minutes),
    );
    return p;
  };
  const invoice = (
    customerRow: Row,
    reference: string,
    date: string,
    goods: number,
    tax: number,
    outstanding: number,
    minutes: number,
    second = '',
  ) =>
    store.insert(
      'sales_posted_transactions',
      {
        customer_id: customerRow.id,
        trader_transaction_type: 'TradingAccountEntryTypeInvoice',
        reference,
        second_reference: second,
        queried: ' ',
        transaction_date: `${date}T00:00:00Z`,
        posted_date: `${date}T00:00:00Z`,
        due_date: `${date.slice(0, 8)}28T00:00:00Z`,
        document_goods_value: goods,
        document_tax_value: tax,
        document_gross_value: Math.round((goods + tax) * 100) / 100,
        document_outstanding_value: outstanding,
        exchange_rate: 1,
      },
      at(minutes),
    );

  /**
   * A posted SOP invoice's lines as customer_sop_invoice_credit_line_views shows them (one profit
   * analysis entry each): net and tax per line, as Sage computed them.
   */
  const invoiceLines = (
    posted: Row,
    customerRow: Row,
    lines: Array<{ product: Row; quantity: number; net: number; tax: number }>,
  ) => {
    const invoiceId = posted.id + 1000;
    for (const [i, l] of lines.entries()) {
      const lineId = invoiceId * 100 + i + 1;
      store.insert(
        'customer_sop_invoice_credit_line_views',
        {
          customer_id: customerRow.id,
          customer_reference: customerRow.reference,
          customer_name: customerRow.name,
          sop_invoice_credit_id: invoiceId,
          sop_invoice_credit_type: 'Invoice',
          sop_invoice_credit_document_no: posted.reference,
          sop_invoice_credit_document_date: posted.transaction_date,
          sop_invoice_credit_document_status: 'Complete',
          sop_invoice_credit_exchange_rate: 1,
          sop_invoice_credit_date_time_updated: posted.date_time_updated,
          sop_invoice_credit_line_id: lineId,
          sop_invoice_credit_line_invoice_credit_date: posted.transaction_date,
          sop_invoice_credit_line_total_value: l.net,
          sop_invoice_credit_line_tax_value: l.tax,
          sop_invoice_credit_line_date_time_updated: posted.date_time_updated,
          invoice_line_profit_analysis_id: lineId,
          invoice_line_profit_analysis_line_quantity: l.quantity,
          product_id: l.product.id,
          product_code: l.product.code,
          product_name: l.product.name,
          product_description: l.product.description,
          product_group_id: l.product.product_group_id,
        },
        new Date(String(posted.date_time_updated)),
      );
    }
  };

  if (o.manualRecords !== false) {
    const a1 = customer(
      'A1D001',
      'A1 Design',
      {
        credit_limit: 1000,
        balance: 382.59,
        main_address: {
          address_1: '67a Station',
          city: 'Blackpool',
          county: 'Lancashire',
          postcode: 'BP12 7HT',
          country: 'United Kingdom',
          contact_name: 'Jim Thomas',
        },
        contacts: [
          {
            id: 1,
            name: 'Jim Thomas',
            first_name: 'Jim',
            last_name: 'Thomas',
            default_telephone: '01742 876 234',
            is_default: true,
          },
        ],
      },
      0,
    );
    customer(
      'ABS001',
      'ABS Garag',
      {
        credit_limit: 4000,
        balance: 2533.31,
        main_address: {
          address_1: 'Unit 34',
          city: 'Hebburn',
          postcode: 'NE31 1VB',
          country: 'United Kingdom',
        },
      },
      1,
    );
    const vid = product('VID003', '32mb PCI Video Card', 55, 2, 33);
    const tape = product('TAPE002', 'Adhesive Tape – Brown (50mm x 66m)', 2.8, 2, 1.68);
    const misc = product('MISC', 'Miscellaneous', 0, 3);
    // The manual's Sage invoice, a SOP invoice: Net 325.60, VAT 56.99 at 17.5 % per line (28.88 +
    // 10.78 + 17.33; 56.98 on the net total); and a second one, paid, entered in the sales ledger
    // (no SOP lines).
    const penny = invoice(a1, '0000000101', '2024-02-12', 325.6, 56.99, 382.59, 4, 'Your order ORD-0990');
    invoiceLines(penny, a1, [
      { product: vid, quantity: 3, net: 165, tax: 28.88 },
      { product: tape, quantity: 22, net: 61.6, tax: 10.78 },
      { product: misc, quantity: 3, net: 99, tax: 17.33 },
    ]);
    invoice(a1, '0000000102', '2024-02-20', 110, 19.25, 0, 5);
  }

  // Generated records for volume: timestamps shared by threes, so inclusive windows are exercised.
  const random = seededRandom(o.seed ?? 1);
  const generated: Row[] = [];
  for (let i = 1; i <= (o.customers ?? 0); i++) {
    const n = String(i).padStart(5, '0');
    generated.push(
      customer(
        `C${n}`,
        `Customer ${n}`,
        {
          credit_limit: 500 + Math.round(random() * 100) * 50,
          main_address: {
            address_1: `${i} High Street`,
            city: 'Leeds',
            postcode: 'LS1 1AA',
            country: 'United Kingdom',
          },
        },
        100 + Math.floor(i / 3),
      ),
    );
  }
  for (let i = 1; i <= (o.products ?? 0); i++) {
    const n = String(i).padStart(5, '0');
    product(`P${n}`, `Product ${n}`, Math.round(100 + random() * 9900) / 100, 200 + Math.floor(i / 3));
  }
  for (let i = 1; i <= (o.invoices ?? 0); i++) {
    const owner =
      generated[(i - 1) % Math.max(1, generated.length)] ?? customer('INV00001', 'Invoice owner', {}, 0);
    if (!generated.length) generated.push(owner);
    const goods = Math.round(100 + random() * 99_900) / 100;
    const tax = Math.round(goods * 20) / 100;
    invoice(
      owner,
      `G${String(i).padStart(9, '0')}`,
      '2024-03-01',
      goods,
      tax,
      i % 2 ? tax + goods : 0,
      300 + Math.floor(i / 3),
    );
  }
}
