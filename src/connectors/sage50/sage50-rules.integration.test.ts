import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Customer, Invoice, Product, SalesOrder } from '../../model/index.js';
import type { SourceItem } from '../sdk/contract.js';
import type { Sage50Connector } from './connector.js';
import { dec } from './mappers.js';
import type { OdbcClient } from './odbc.js';
import { addAuditTransaction } from './sandbox/index.js';
import { connectionString, INSTANT_DRIVER, readSettings } from './settings.js';
import { connect, type Dialect, hostedFor } from './test-support.js';

/**
 * Sage 50's rules, each through a real ODBC driver manager (unixODBC) over the hosted schema, on
 * SQLite (libsqliteodbc) and PostgreSQL (psqlodbc): what is read, how the audit trail drives a batch,
 * and how a CRM order becomes a product invoice — the penny test to the penny.
 */

const GBP = (amount: string) => ({ amount, currency: 'GBP' });

/** The manual's order: VID003 3 × 55.00, TAPE002 22 × 2.80, a write-in "test Product" 3 × 33.00. */
const ORD_1001: SalesOrder = {
  number: 'ORD-1001-1KWBHX',
  status: 'ready',
  customerNumber: 'A1D001',
  guest: false,
  contactName: 'Ian Cairns',
  contactPhone: '01742 876 234',
  takenBy: 'George Holt',
  orderDate: '2026-01-12',
  currency: 'GBP',
  lines: [
    { lineNumber: 1, sku: 'VID003', quantity: '3', unit: 'Each', unitPrice: GBP('55'), total: GBP('165') },
    {
      lineNumber: 2,
      sku: 'TAPE002',
      quantity: '22',
      unit: 'Each',
      unitPrice: GBP('2.8'),
      total: GBP('61.6'),
    },
    {
      lineNumber: 3,
      sku: 'test Product',
      writeIn: true,
      description: 'test Product',
      quantity: '3',
      unit: 'Each',
      unitPrice: GBP('33'),
      total: GBP('99'),
    },
  ],
  taxLines: [],
  taxTotal: GBP('0'),
  orderTotal: GBP('325.6'),
  updatedAt: '2026-01-12T10:00:00.000Z',
};

const all = async (c: Sage50Connector, entity: 'customer' | 'product' | 'invoice') => {
  const out: SourceItem[] = [];
  for await (const page of c.read(entity, {})) out.push(...page);
  return out;
};
const byId = (items: SourceItem[], id: string) => items.find((i) => i.id === id)?.data;

describe.each(['sqlite', 'postgres'] as Dialect[])('Sage 50 over ODBC on %s', (dialect) => {
  let h: Awaited<ReturnType<typeof hostedFor>>;
  let c: Sage50Connector;
  let db: OdbcClient;

  beforeAll(async () => {
    h = await hostedFor(dialect);
    db = h.db;
    c = connect(h);
  }, 120_000);
  afterAll(async () => {
    await c?.close();
    await h?.close();
    await h?.drop();
  });

  it('customers are read from SALES_LEDGER with the manual’s figures to the penny', async () => {
    const items = await all(c, 'customer');
    expect(items.map((i) => i.id)).toEqual(['A1D001', 'ABS001']);
    const a1 = byId(items, 'A1D001') as Customer;
    expect(a1).toMatchObject({
      number: 'A1D001',
      name: 'A1 Design',
      creditLimit: GBP('1000'),
      annualRevenue: GBP('5220.54'),
      onHold: false,
      addresses: [
        {
          line1: '67a Station',
          city: 'Blackpool',
          region: 'Lancashire',
          postalCode: 'BP12 7HT',
          country: 'GB',
        },
      ],
    });
    const abs = byId(items, 'ABS001') as Customer;
    expect(abs).toMatchObject({
      name: 'ABS Garag',
      creditLimit: GBP('4000'),
      annualRevenue: GBP('3070.45'),
      addresses: [{ line1: 'Unit 34', city: 'Hebburn', postalCode: 'NE31 1VB' }],
    });
  });

  it('products are read from STOCK; the special codes S1/S2/S3/M are not products', async () => {
    const items = await all(c, 'product');
    expect(items.map((i) => i.id)).toEqual(['MISC', 'TAPE002', 'VID003']);
    expect(byId(items, 'TAPE002') as Product).toMatchObject({
      name: 'Adhesive Tape – Brown (50mm x 66m)',
      listPrice: GBP('2.8'),
      standardCost: GBP('1.5'),
      unit: 'Each',
    });
    expect((byId(items, 'VID003') as Product).name).toBe('32mb PCI Video Card');
  });

  it('a posted invoice is read with its lines; S1 and M lines are write-ins (no product)', async () => {
    const items = await all(c, 'invoice');
    expect(items.map((i) => i.id)).toEqual(['1']);
    const inv = byId(items, '1') as Invoice;
    expect(inv).toMatchObject({
      number: '1',
      customerNumber: 'A1D001',
      orderNumbers: ['7667'],
      netTotal: GBP('150'),
      taxTotal: GBP('26.25'),
      total: GBP('176.25'),
      invoiceDate: '2025-11-03',
    });
    expect(
      inv.lines.map((l) => [l.sku, l.description, l.quantity, l.unitPrice.amount, l.tax.amount]),
    ).toEqual([
      ['VID003', '32mb PCI Video Card', '2', '55', '19.25'],
      [undefined, 'Installation', '1', '40', '7'],
      [undefined, 'Thank you for your order', '0', '0', '0'],
    ]);
  });

  it('Sage Instant Accounts reads the same data, and its edition takes no writes: the order flow stops, saying so', async () => {
    const instant = connect(h, { instant: true });
    expect((await all(instant, 'customer')).map((i) => i.id)).toEqual(['A1D001', 'ABS001']);
    expect((await instant.check()).map((r) => [r.name, r.ok])).toEqual([['odbc', true]]);
    await expect(
      instant.write('salesOrder', [{ ref: 'o', action: 'create', data: ORD_1001 }]),
    ).rejects.toMatchObject({
      category: 'config',
      message: expect.stringMatching(/Sage Instant Accounts takes no invoices/),
    });
    await instant.close();
  });

  it('search: customers by the start of their account reference, products by stock code, invoices by their account, in any case; a wildcard typed is a character', async () => {
    const found = async (entity: 'customer' | 'product' | 'invoice', text: string) => {
      const out: SourceItem[] = [];
      for await (const page of c.read(entity, { filters: { search: [text] } })) out.push(...page);
      return out.map((i) => i.id).sort();
    };
    expect(await found('customer', 'a1')).toEqual(['A1D001']);
    expect(await found('customer', 'A')).toEqual(['A1D001', 'ABS001']);
    expect(await found('customer', 'ZZ')).toEqual([]);
    expect(await found('customer', '%')).toEqual([]);
    expect(await found('customer', 'A_D')).toEqual([]);
    expect(await found('product', 'ta')).toEqual(['TAPE002']);
    expect(await found('product', 'S')).toEqual([]);
    const invoices = await found('invoice', 'A1D');
    expect(invoices.length).toBeGreaterThan(0);
    expect(await found('invoice', 'ABS')).toEqual([]);
  });

  it('a table or column the data file lacks stops the run as a setup problem naming it, not a retry', async () => {
    const missing = await db.query('SELECT NO_SUCH_COLUMN FROM SALES_LEDGER').catch((e: unknown) => e);
    expect(missing).toMatchObject({ category: 'config', message: expect.stringMatching(/NO_SUCH_COLUMN/i) });
    const table = await db.query('SELECT ACCOUNT_REF FROM NO_SUCH_TABLE').catch((e: unknown) => e);
    expect(table).toMatchObject({ category: 'config', message: expect.stringMatching(/NO_SUCH_TABLE/i) });
  });

  it('reads by ids, and by a RECORD_MODIFY_DATE window', async () => {
    const some = await c.get('customer', ['ABS001', 'NOPE01']);
    expect(some.map((i) => i.id)).toEqual(['ABS001']);
    const later: SourceItem[] = [];
    for await (const p of c.read('customer', { since: '2025-11-04T00:00:00Z' })) later.push(...p);
    expect(later).toEqual([]);
  });

  it('pages through a table in key order through an ODBC cursor, without LIMIT', async () => {
    const small = connect(h, { pageSize: 1 });
    const pages: string[][] = [];
    for await (const p of small.read('product', {})) pages.push(p.map((i) => i.id));
    await small.close();
    expect(pages).toEqual([['MISC'], ['TAPE002'], ['VID003']]);
  });

  describe('the penny test: ORD-1001-1KWBHX becomes a product invoice', () => {
    let number: string;

    beforeAll(async () => {
      const [r] = await c.write('salesOrder', [{ ref: 'ORD-1001-1KWBHX', action: 'create', data: ORD_1001 }]);
      expect(r).toMatchObject({ ok: true, action: 'created' });
      number = (r as { targetNumber: string }).targetNumber;
    });

    it('takes the next invoice number, as a product invoice, not yet posted', async () => {
      expect(number).toBe('2');
      const [inv] = await db.query(
        'SELECT INVOICE_TYPE AS t, INVOICE_TYPE_CODE AS code, INVOICE_OR_CREDIT AS k, POSTED_CODE AS posted FROM INVOICE WHERE INVOICE_NUMBER = 2',
      );
      expect(inv).toEqual({ t: 'Product Invoice', code: 0, k: 'Invoice', posted: 0 });
    });

    it('every line, its VAT per line at 17.5 %, and the totals, to the penny', async () => {
      const lines = await db.query(
        `SELECT STOCK_CODE AS code, DESCRIPTION AS d, CAST(QUANTITY AS VARCHAR(32)) AS q,
         CAST(UNIT_PRICE AS VARCHAR(32)) AS p, CAST(NET_AMOUNT AS VARCHAR(32)) AS net,
         CAST(TAX_AMOUNT AS VARCHAR(32)) AS tax, CAST(GROSS_AMOUNT AS VARCHAR(32)) AS gross
         FROM INVOICE_ITEM WHERE INVOICE_NUMBER = 2 ORDER BY ITEM_NUMBER`,
      );
      const n = (v: unknown) => Number(v).toFixed(2);
      expect(lines.map((l) => [l.code, l.d, n(l.q), n(l.p), n(l.net), n(l.tax), n(l.gross)])).toEqual([
        ['VID003', 'VID003', '3.00', '55.00', '165.00', '28.88', '193.88'],
        ['TAPE002', 'TAPE002', '22.00', '2.80', '61.60', '10.78', '72.38'],
        ['MISC', 'test Product', '3.00', '33.00', '99.00', '17.33', '116.33'],
      ]);
      const [inv] = await db.query(
        `SELECT CAST(INVOICE_NET AS VARCHAR(32)) AS net, CAST(INVOICE_TAX AS VARCHAR(32)) AS tax,
         CAST(INVOICE_GROSS AS VARCHAR(32)) AS gross, CAST(TAX_RATE_1 AS VARCHAR(32)) AS rate FROM INVOICE WHERE INVOICE_NUMBER = 2`,
      );
      expect([inv?.net, inv?.tax, inv?.gross, inv?.rate].map((v) => Number(v).toFixed(2))).toEqual([
        '325.60',
        '56.99',
        '382.59',
        '17.50',
      ]);
    });

    it('the invoice carries the CRM order number, contact, telephone and owner', async () => {
      const [inv] = await db.query(
        'SELECT ACCOUNT_REF AS a, NAME AS name, CUST_ORDER_NUMBER AS o, CONTACT_NAME AS c, CUST_TEL_NUMBER AS t, TAKEN_BY AS b FROM INVOICE WHERE INVOICE_NUMBER = 2',
      );
      expect(inv).toEqual({
        a: 'A1D001',
        name: 'A1 Design',
        o: 'ORD-1001-1KWBHX',
        c: 'Ian Cairns',
        t: '01742 876 234',
        b: 'George Holt',
      });
    });

    it('an order already invoiced is found by its order number (one invoice per order, ever)', async () => {
      const found = await c.lookup('salesOrder', ['ORD-1001-1KWBHX', 'ORD-NONE']);
      expect([...found.entries()]).toEqual([['ORD-1001-1KWBHX', { id: '2' }]]);
      const [r] = await c.write('salesOrder', [
        { ref: 'ORD-1001-1KWBHX', action: 'update', targetId: '2', data: ORD_1001 },
      ]);
      expect(r).toMatchObject({ ok: true, action: 'skipped' });
    });
  });

  it('an item without a product code uses the default product (sage.defaultproduct)', async () => {
    const c2 = connect(h, { defaultProduct: 'TAPE002' });
    const order = { ...ORD_1001, number: 'ORD-DEFAULT', lines: [ORD_1001.lines[2]!] };
    const [r] = await c2.write('salesOrder', [{ ref: 'x', action: 'create', data: order }]);
    await c2.close();
    const n = (r as { targetId: string }).targetId;
    const rows = await db.query(
      'SELECT STOCK_CODE AS s, DESCRIPTION AS d FROM INVOICE_ITEM WHERE INVOICE_NUMBER = ?',
      [Number(n)],
    );
    expect(rows).toEqual([{ s: 'TAPE002', d: 'test Product' }]);
  });

  it('an order for an account Sage 50 does not have fails, naming it, and writes nothing', async () => {
    const before = await db.query('SELECT COUNT(*) AS n FROM INVOICE');
    const [r] = await c.write('salesOrder', [
      { ref: 'o', action: 'create', data: { ...ORD_1001, number: 'ORD-X', customerNumber: 'XXX001' } },
    ]);
    expect(r).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/customer XXX001 is not a Sage 50 account/) },
    });
    const [r2] = await c.write('salesOrder', [
      {
        ref: 'o',
        action: 'create',
        data: { ...ORD_1001, number: 'ORD-Y', lines: [{ ...ORD_1001.lines[0]!, sku: 'NOPE99' }] },
      },
    ]);
    expect(r2).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/product NOPE99 is not a Sage 50 stock code/) },
    });
    expect(await db.query('SELECT COUNT(*) AS n FROM INVOICE')).toEqual(before);
  });

  it('what a CRM order refers to is looked up by account reference and stock code (S1 is no product), reading only', async () => {
    const customers = await c.lookup('customer', ['A1D001', 'XXX001', 'ABS001']);
    expect([...customers.keys()].sort()).toEqual(['A1D001', 'ABS001']);
    expect(customers.get('A1D001')).toEqual({ id: 'A1D001' });
    const products = await c.lookup('product', ['VID003', 'XXXTEST01', 'S1']);
    expect([...products.keys()]).toEqual(['VID003']);
  });

  it('the Sage View lists invoice items and transactions by the start of the account reference, money to the penny', async () => {
    const list = async (name: string, search: string) => {
      const out = [];
      for await (const page of c.listRows(name, { filters: { search: [search] } })) out.push(...page);
      return out;
    };
    const items = await list('invoiceItems', 'a1');
    expect(items.map((r) => [r.id, r.columns.stockCode, r.columns.net])).toEqual([
      ['1/1', 'VID003', { amount: '110', currency: 'GBP' }],
      ['1/2', 'S1', { amount: '40', currency: 'GBP' }],
      ['1/3', 'M', { amount: '0', currency: 'GBP' }],
    ]);
    expect(items.every((r) => r.uploads === undefined)).toBe(true);
    const trans = await list('transactions', 'A1D');
    expect(trans.map((r) => [r.id, r.columns.type, r.columns.date, r.columns.gross, r.uploads])).toEqual([
      [
        '1',
        'SI',
        '2025-11-03',
        { amount: '176.25', currency: 'GBP' },
        { customer: ['A1D001'], invoice: ['1'] },
      ],
    ]);
    expect(await list('transactions', 'ABS')).toEqual([]);
  });

  describe('incremental batches from the audit trail', () => {
    let tokens: Record<'customer' | 'product' | 'invoice', string>;
    const next = async (entity: 'customer' | 'product' | 'invoice') => {
      const r = await c.changedSince(entity, tokens[entity]);
      if (!r) throw new Error('not tracked');
      tokens[entity] = r.token;
      return r.ids;
    };
    let tran = 2;
    const post = async (account: string, invRef: string, opts: { tran?: number; deleted?: boolean } = {}) => {
      tran = opts.tran ?? tran + 1;
      await addAuditTransaction(db, {
        tran,
        type: 'SI',
        account,
        invRef,
        date: '2026-01-13',
        net: '10',
        tax: '1.75',
        gross: '11.75',
        ...(opts.deleted ? { deleted: true } : {}),
        splits: [{ tran: 100 + tran, net: '10', tax: '1.75', gross: '11.75', details: 'x' }],
      });
    };

    beforeAll(async () => {
      tokens = {} as typeof tokens;
      // The first batch has no cursor: every record, and the cursor at the end of the trail.
      expect(await next('customer')).toEqual(['A1D001', 'ABS001']);
      expect(await next('product')).toEqual(['MISC', 'TAPE002', 'VID003']);
      expect(await next('invoice')).toEqual(['1']);
    });

    it('a second batch after no new audit transactions reads nothing', async () => {
      expect(await next('customer')).toEqual([]);
      expect(await next('product')).toEqual([]);
      expect(await next('invoice')).toEqual([]);
    });

    it('a new transaction on one account touches that account only (and its invoice and products)', async () => {
      // Post invoice 2 (the penny test's) on the trail, as Sage does when it is updated to the ledger.
      await db.query('UPDATE INVOICE SET POSTED_CODE = 1 WHERE INVOICE_NUMBER = 2');
      await post('A1D001', '2');
      expect(await next('customer')).toEqual(['A1D001']);
      expect(await next('invoice')).toEqual(['2']);
      expect(await next('product')).toEqual(['MISC', 'TAPE002', 'VID003']);
      await post('ABS001', '');
      expect(await next('customer')).toEqual(['ABS001']);
      expect(await next('invoice')).toEqual([]);
      expect(await next('product')).toEqual([]);
    });

    it('a gap in the transaction numbers skips nothing', async () => {
      await post('ABS001', '', { tran: tran + 5 });
      expect(await next('customer')).toEqual(['ABS001']);
      expect(await next('customer')).toEqual([]);
    });

    it('a deleted-and-re-entered transaction: the re-entry is read, the deletion is not an error', async () => {
      // Sage keeps the deleted transaction (DELETED_FLAG 1) and gives the re-entry a new number.
      await db.query('UPDATE AUDIT_HEADER SET DELETED_FLAG = 1 WHERE TRAN_NUMBER = 1');
      await post('A1D001', '1');
      expect(await next('customer')).toEqual(['A1D001']);
      expect(await next('invoice')).toEqual(['1']);
      expect(await next('product')).toEqual(['VID003']);
    });

    it('customers and products with no transactions are found through RECORD_MODIFY_DATE', async () => {
      await db.query(
        "UPDATE SALES_LEDGER SET CREDIT_LIMIT = 1500, RECORD_MODIFY_DATE = {ts '2026-01-14 08:00:00'} WHERE ACCOUNT_REF = 'ABS001'",
      );
      await db.query(
        "UPDATE STOCK SET SALES_PRICE = 3, RECORD_MODIFY_DATE = {ts '2026-01-14 08:00:00'} WHERE STOCK_CODE = 'TAPE002'",
      );
      expect(await next('customer')).toEqual(['ABS001']);
      expect(await next('product')).toEqual(['TAPE002']);
      expect(await next('customer')).toEqual([]);
      expect(await next('product')).toEqual([]);
    });

    it('a cleared audit trail (transactions moved to AUDIT_HISTORY_HEADER) is not a restored file', async () => {
      const moved = `TRAN_NUMBER, TYPE, "DATE", ACCOUNT_REF, INV_REF, DETAILS, NET_AMOUNT, TAX_AMOUNT, GROSS_AMOUNT, RECORD_CREATE_DATE, RECORD_MODIFY_DATE`;
      const kept = { ...tokens };
      await db.query(`INSERT INTO AUDIT_HISTORY_HEADER (${moved}) SELECT ${moved} FROM AUDIT_HEADER`);
      await db.query('DELETE FROM AUDIT_SPLIT');
      await db.query('DELETE FROM AUDIT_HEADER');
      expect(await next('customer')).toEqual([]);
      expect(await next('invoice')).toEqual([]);
      // Put the trail back for what follows.
      await db.query(`INSERT INTO AUDIT_HEADER (${moved}) SELECT ${moved} FROM AUDIT_HISTORY_HEADER`);
      await db.query('DELETE FROM AUDIT_HISTORY_HEADER');
      expect(tokens.customer).toBe(kept.customer);
    });

    it('a restored older data file (numbers go backwards) stops the batch with a clear reason', async () => {
      const kept = tokens.customer;
      await db.query('DELETE FROM AUDIT_HEADER WHERE TRAN_NUMBER > 3');
      await db.query('DELETE FROM AUDIT_SPLIT WHERE HEADER_NUMBER > 3');
      await expect(c.changedSince('customer', kept)).rejects.toMatchObject({
        category: 'config',
        message: expect.stringMatching(/an older data file has been restored/),
      });
      // Numbers grow again past the cursor, but transaction <cursor> is another one: still refused.
      const { tran: at } = JSON.parse(kept) as { tran: number };
      await post('ABS001', '', { tran: at });
      await db.query(
        `UPDATE AUDIT_HEADER SET RECORD_CREATE_DATE = {ts '2026-02-01 00:00:00'} WHERE TRAN_NUMBER = ${at}`,
      );
      await post('ABS001', '', { tran: at + 1 });
      await expect(c.changedSince('customer', kept)).rejects.toMatchObject({
        category: 'config',
        message: expect.stringMatching(/is not the one this flow processed/),
      });
    });
  });
});

describe('Sage 50 amounts', () => {
  it('a DOUBLE read as text keeps its 15 significant digits and loses float noise past them', () => {
    expect(dec('0.30000000000000004')).toBe('0.3');
    expect(dec('5220.54')).toBe('5220.54');
    expect(dec('1234567890.12345')).toBe('1234567890.12345');
    expect(dec('')).toBe('0');
  });
});

describe('Sage 50 settings', () => {
  it('the connection string is built from sage.folder, sage.user and sage.password', () => {
    expect(
      connectionString(readSettings({ folder: 'C:\\Sage\\ACCDATA', user: 'manager', password: 'p;w' })),
    ).toBe('Driver={Sage Line 50 v30};DIR=C:\\Sage\\ACCDATA;UID=manager;PWD={p;w}');
  });
  it('Sage Instant Accounts is the same connector with its own driver string (sage.instant.connection)', () => {
    const s = readSettings({ folder: 'D:\\ACCDATA', instant: true });
    expect(s.driver).toBe(INSTANT_DRIVER);
    expect(connectionString(s)).toMatch(/^Driver=\{Sage Instant Accounts v30\};DIR=D:\\ACCDATA;/);
  });
  it('a given ODBC connection string wins', () => {
    expect(connectionString(readSettings({ connectionString: 'DSN=SageLine50v30', folder: 'x' }))).toBe(
      'DSN=SageLine50v30',
    );
  });
});

describe('the Sage 50 sandbox (ledgerlink sandbox sage50)', () => {
  it('serves the manual’s data in a SQLite file behind unixODBC, its settings from the registry', async () => {
    const { sandboxRegistry } = await import('../sandboxes.js');
    const entry = sandboxRegistry.sage50!;
    const sb = await entry.start({ port: 0 });
    try {
      const settings = entry.settings(sb);
      expect(settings).toMatchObject({
        writer: 'hosted',
        connectionString: expect.stringMatching(/^Driver=SQLite3;/),
      });
      const c = connect({ settings: () => settings } as never);
      expect((await c.get('customer', ['A1D001'])).map((i) => i.id)).toEqual(['A1D001']);
      await c.close();
      const answer = (await (await fetch(`${sb.url}/_sandbox/sage50`)).json()) as {
        connectionString: string;
      };
      expect(answer.connectionString).toBe(settings.connectionString);
    } finally {
      await sb.close();
    }
  });
});
