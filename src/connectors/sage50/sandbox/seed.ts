import { Decimal } from 'decimal.js';
import { taxOfLines } from '../../../model/index.js';
import type { OdbcClient } from '../odbc.js';
import { createSchema } from './schema.js';

/** When the manual's records were last changed in the seeded file (before any test's run). */
export const SEEDED_AT = '2025-11-03 09:00:00';
const TS = `{ts '${SEEDED_AT}'}`;

type Value = string | number;

async function insert(db: OdbcClient, table: string, row: Record<string, Value>, stamped: string[] = []) {
  const cols = Object.keys(row);
  const sql = `INSERT INTO ${table} (${[...cols.map((c) => (c === 'DATE' ? '"DATE"' : c)), ...stamped].join(', ')}) VALUES (${[
    ...cols.map(() => '?'),
    ...stamped.map(() => TS),
  ].join(', ')})`;
  await db.query(sql, Object.values(row));
}

const STAMPS = ['RECORD_CREATE_DATE', 'RECORD_MODIFY_DATE'];

/**
 * The SYNC Uploader manual's Sage 50 records, in the hosted schema: customers A1D001 and ABS001;
 * products VID003, TAPE002, MISC (the default product) and S1 (a service line code); and A1D001's
 * posted product invoice 1 (VID003 2 × 55.00, S1 "Installation" 1 × 40.00, M "Thank you for your
 * order"; net 150.00, VAT 26.25 at 17.5 %) with its audit trail: header 1, splits 1 and 2.
 */
export async function seedManualRecords(db: OdbcClient): Promise<void> {
  await createSchema(db);
  await insert(
    db,
    'SALES_LEDGER',
    {
      ACCOUNT_REF: 'A1D001',
      NAME: 'A1 Design',
      ADDRESS_1: '67a Station',
      ADDRESS_2: '',
      ADDRESS_3: 'Blackpool',
      ADDRESS_4: 'Lancashire',
      ADDRESS_5: 'BP12 7HT',
      CONTACT_NAME: 'Ian Cairns',
      TELEPHONE: '01742 876 234',
      E_MAIL: '',
      COUNTRY_CODE: 'GB',
      CREDIT_LIMIT: '1000',
      BALANCE: '176.25',
      TURNOVER_YTD: '5220.54',
      ACCOUNT_ON_HOLD: 0,
      ACCOUNT_STATUS: 0,
    },
    STAMPS,
  );
  await insert(
    db,
    'SALES_LEDGER',
    {
      ACCOUNT_REF: 'ABS001',
      NAME: 'ABS Garag',
      ADDRESS_1: 'Unit 34',
      ADDRESS_2: '',
      ADDRESS_3: 'Hebburn',
      ADDRESS_4: '',
      ADDRESS_5: 'NE31 1VB',
      CONTACT_NAME: '',
      TELEPHONE: '',
      E_MAIL: '',
      COUNTRY_CODE: 'GB',
      CREDIT_LIMIT: '4000',
      BALANCE: '2533.31',
      TURNOVER_YTD: '3070.45',
      ACCOUNT_ON_HOLD: 0,
      ACCOUNT_STATUS: 0,
    },
    STAMPS,
  );
  const stock: Array<[string, string, string, string]> = [
    ['VID003', '32mb PCI Video Card', '55', '35'],
    ['TAPE002', 'Adhesive Tape – Brown (50mm x 66m)', '2.8', '1.5'],
    ['MISC', 'Miscellaneous', '0', '0'],
    ['S1', 'Service item', '0', '0'],
  ];
  // Sage's own departments, and one named after an owner: the department an invoice from a CRM
  // order takes when its owner's name is a department's (the manual, §5).
  for (const [number, name] of [
    [0, 'Default'],
    [1, 'Sales'],
    [2, 'George Holt'],
  ] as const)
    await insert(db, 'DEPARTMENT', { NUMBER: number, NAME: name, REFERENCE: '', RECORD_DELETED: 0 }, STAMPS);
  for (const [code, description, price, cost] of stock)
    await insert(
      db,
      'STOCK',
      {
        STOCK_CODE: code,
        DESCRIPTION: description,
        UNIT_OF_SALE: 'Each',
        NOMINAL_CODE: '4000',
        SALES_PRICE: price,
        LAST_PURCHASE_PRICE: cost,
        TAX_CODE: 'T1',
        INACTIVE_FLAG: 0,
      },
      STAMPS,
    );
  await insert(
    db,
    'INVOICE',
    {
      INVOICE_NUMBER: 1,
      INVOICE_TYPE_CODE: 0,
      INVOICE_TYPE: 'Product Invoice',
      INVOICE_OR_CREDIT: 'Invoice',
      INVOICE_DATE: '2025-11-03',
      ACCOUNT_REF: 'A1D001',
      NAME: 'A1 Design',
      ADDRESS_1: '67a Station',
      ADDRESS_3: 'Blackpool',
      ADDRESS_4: 'Lancashire',
      ADDRESS_5: 'BP12 7HT',
      CONTACT_NAME: 'Ian Cairns',
      TAKEN_BY: 'George',
      CUST_ORDER_NUMBER: '7667',
      CUST_TEL_NUMBER: '01742 876 234',
      ITEMS_NET: '150',
      ITEMS_TAX: '26.25',
      ITEMS_GROSS: '176.25',
      INVOICE_NET: '150',
      INVOICE_TAX: '26.25',
      INVOICE_GROSS: '176.25',
      TAX_RATE_1: '17.5',
      NET_AMOUNT_1: '150',
      TAX_AMOUNT_1: '26.25',
      GLOBAL_TAX_CODE: 'T1',
      POSTED_CODE: 1,
      PAYMENT_DUE_DATE: '2025-12-03',
      RECORD_DELETED: 0,
    },
    STAMPS,
  );
  const items: Array<[number, string, string, string, string, string, string, string]> = [
    [1, 'VID003', '32mb PCI Video Card', '2', '55', '110', '19.25', '129.25'],
    [2, 'S1', 'Installation', '1', '40', '40', '7', '47'],
    [3, 'M', 'Thank you for your order', '0', '0', '0', '0', '0'],
  ];
  for (const [n, code, description, qty, price, net, tax, gross] of items)
    await insert(
      db,
      'INVOICE_ITEM',
      {
        INVOICE_NUMBER: 1,
        ITEM_NUMBER: n,
        ITEMID: n,
        STOCK_CODE: code,
        DESCRIPTION: description,
        UNIT_OF_SALE: 'Each',
        QUANTITY: qty,
        UNIT_PRICE: price,
        DISCOUNT_AMOUNT: '0',
        NOMINAL_CODE: '4000',
        TAX_CODE: 'T1',
        TAX_RATE: '17.5',
        NET_AMOUNT: net,
        TAX_AMOUNT: tax,
        GROSS_AMOUNT: gross,
        RECORD_DELETED: 0,
      },
      STAMPS,
    );
  await addAuditTransaction(db, {
    tran: 1,
    type: 'SI',
    account: 'A1D001',
    invRef: '1',
    date: '2025-11-03',
    net: '150',
    tax: '26.25',
    gross: '176.25',
    splits: [
      { tran: 1, net: '110', tax: '19.25', gross: '129.25', details: '32mb PCI Video Card' },
      { tran: 2, net: '40', tax: '7', gross: '47', details: 'Installation' },
    ],
  });
}

export interface AuditTransaction {
  tran: number;
  type: string;
  account: string;
  invRef: string;
  date: string;
  net: string;
  tax: string;
  gross: string;
  deleted?: boolean;
  splits: Array<{ tran: number; net: string; tax: string; gross: string; details: string }>;
}

/** A transaction on the audit trail as Sage 50 posts it: its header and its splits. */
export async function addAuditTransaction(db: OdbcClient, t: AuditTransaction): Promise<void> {
  await insert(
    db,
    'AUDIT_HEADER',
    {
      TRAN_NUMBER: t.tran,
      TYPE: t.type,
      DATE: t.date,
      ACCOUNT_REF: t.account,
      INV_REF: t.invRef,
      DETAILS: t.splits[0]?.details ?? '',
      DELETED_FLAG: t.deleted ? 1 : 0,
      NET_AMOUNT: t.net,
      TAX_AMOUNT: t.tax,
      GROSS_AMOUNT: t.gross,
      OUTSTANDING: t.gross,
    },
    STAMPS,
  );
  for (const s of t.splits)
    await insert(db, 'AUDIT_SPLIT', {
      TRAN_NUMBER: s.tran,
      HEADER_NUMBER: t.tran,
      TYPE: t.type,
      DATE: t.date,
      ACCOUNT_REF: t.account,
      NOMINAL_CODE: '4000',
      INV_REF: t.invRef,
      DETAILS: s.details,
      TAX_CODE: 'T1',
      DELETED_FLAG: t.deleted ? 1 : 0,
      NET_AMOUNT: s.net,
      TAX_AMOUNT: s.tax,
      GROSS_AMOUNT: s.gross,
    });
}

/** `{ts '…'}` of the base instant plus `minutes`. */
const at = (minutes: number): string =>
  `{ts '${new Date(Date.parse('2025-10-01T00:00:00Z') + minutes * 60_000).toISOString().slice(0, 19).replace('T', ' ')}'}`;

/**
 * Generated records for volume: `n` customers (C00001…), products (P00001…) and posted invoices
 * (one line each, on the audit trail), their RECORD_MODIFY_DATE shared by threes so that inclusive
 * windows are exercised.
 */
export async function seedGenerated(db: OdbcClient, n: number): Promise<void> {
  await createSchema(db);
  for (let i = 1; i <= n; i++) {
    const id = String(i).padStart(5, '0');
    const ts = at(Math.floor(i / 3));
    await db.query(
      `INSERT INTO SALES_LEDGER (ACCOUNT_REF, NAME, ADDRESS_1, ADDRESS_3, ADDRESS_5, COUNTRY_CODE, CREDIT_LIMIT,
        BALANCE, TURNOVER_YTD, ACCOUNT_ON_HOLD, ACCOUNT_STATUS, RECORD_CREATE_DATE, RECORD_MODIFY_DATE)
       VALUES (?, ?, ?, ?, ?, 'GB', ?, '0', ?, 0, 0, ${ts}, ${ts})`,
      [`C${id}`, `Customer ${id}`, `${i} High Street`, 'Leeds', 'LS1 1AA', String(i * 100), `${i}.25`],
    );
    await db.query(
      `INSERT INTO STOCK (STOCK_CODE, DESCRIPTION, UNIT_OF_SALE, NOMINAL_CODE, SALES_PRICE, LAST_PURCHASE_PRICE,
        TAX_CODE, INACTIVE_FLAG, RECORD_CREATE_DATE, RECORD_MODIFY_DATE)
       VALUES (?, ?, 'Each', '4000', ?, ?, 'T1', 0, ${ts}, ${ts})`,
      [`P${id}`, `Product ${id}`, `${i}.10`, `${i}`],
    );
    const net = `${i}.10`;
    const tax = taxOf(net);
    const gross = new Decimal(net).plus(tax).toFixed(2);
    await db.query(
      `INSERT INTO INVOICE (INVOICE_NUMBER, INVOICE_TYPE_CODE, INVOICE_TYPE, INVOICE_OR_CREDIT, INVOICE_DATE,
        ACCOUNT_REF, NAME, INVOICE_NET, INVOICE_TAX, INVOICE_GROSS, POSTED_CODE, RECORD_CREATE_DATE,
        RECORD_MODIFY_DATE, RECORD_DELETED)
       VALUES (?, 0, 'Product Invoice', 'Invoice', '2025-10-01', ?, ?, ?, ?, ?, 1, ${ts}, ${ts}, 0)`,
      [i, `C${id}`, `Customer ${id}`, net, tax, gross],
    );
    await db.query(
      `INSERT INTO INVOICE_ITEM (INVOICE_NUMBER, ITEM_NUMBER, ITEMID, STOCK_CODE, DESCRIPTION, UNIT_OF_SALE,
        QUANTITY, UNIT_PRICE, TAX_CODE, TAX_RATE, NET_AMOUNT, TAX_AMOUNT, GROSS_AMOUNT, RECORD_DELETED)
       VALUES (?, 1, 1, ?, ?, 'Each', '1', ?, 'T1', '17.5', ?, ?, ?, 0)`,
      [i, `P${id}`, `Product ${id}`, net, net, tax, gross],
    );
    await addAuditTransaction(db, {
      tran: i,
      type: 'SI',
      account: `C${id}`,
      invRef: String(i),
      date: '2025-10-01',
      net,
      tax,
      gross: gross,
      splits: [{ tran: i, net, tax, gross: gross, details: `Product ${id}` }],
    });
  }
}

/** VAT at 17.5 % to the penny, half up (test data only). */
function taxOf(net: string): string {
  return taxOfLines([net], '17.5', 'line').total;
}
