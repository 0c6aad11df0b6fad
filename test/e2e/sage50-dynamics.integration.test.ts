import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type DynamicsSandbox, startDynamicsSandbox } from '../../src/connectors/dynamics/sandbox/index.js';
import { addAuditTransaction, postInvoice } from '../../src/connectors/sage50/sandbox/index.js';
import { hostedFor } from '../../src/connectors/sage50/test-support.js';
import { sandboxRegistry } from '../../src/connectors/sandboxes.js';
import { type Context, openContext } from '../../src/runtime/context.js';
import { batchBetween, nothingWritten } from '../support/batch-run.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';

/**
 * Seed 004 end to end between Sage 50 and Dynamics 365: Sage 50's tables hosted in SQLite or
 * PostgreSQL behind unixODBC (the connector runs real SQL through a real driver manager), Dynamics
 * as its sandbox over loopback. The accounts' customers, products and posted invoices reach the CRM;
 * the CRM's ready order comes back as a Sage 50 product invoice (the penny test), the order marked
 * uploaded with the invoice number; the order whose account Sage does not have waits, naming it. A
 * second batch with no new audit transactions reads and writes nothing; a new transaction on one
 * account touches that account only.
 */

/** A receipt on ABS001, transaction 7 (a gap after 1: numbers need not be consecutive). */
const RECEIPT = {
  tran: 7,
  type: 'SR',
  account: 'ABS001',
  invRef: '',
  date: '2026-01-15',
  net: '-30',
  tax: '0',
  gross: '-30',
  splits: [{ tran: 20, net: '-30', tax: '0', gross: '-30', details: 'Receipt' }],
};

describe.each(['sqlite', 'postgres'] as const)('Sage 50 ↔ Dynamics 365 on %s', (dialect) => {
  let sage: Awaited<ReturnType<typeof hostedFor>>;
  let crm: DynamicsSandbox;
  let db: TestDatabase;
  let ctx: Context;

  const batch = () => batchBetween(ctx, 'sage50,dynamics', 20);
  const q = (sql: string, params: Array<string | number> = []) => sage.db.query(sql, params);
  const count = async (table: string) => Number((await q(`SELECT COUNT(*) AS n FROM ${table}`))[0]?.n);
  const read = (runs: Awaited<ReturnType<typeof batch>>['runs'], flow: string) =>
    runs.find((r) => r.flow === flow)?.outcomes.map((o) => o.sourceId) ?? [];

  beforeAll(async () => {
    sage = await hostedFor(dialect);
    crm = await startDynamicsSandbox({});
    db = await createTestDatabase(dialect);
    const dir = mkdtempSync(join(tmpdir(), 'ledgerlink-sage50-crm-'));
    const configPath = join(dir, 'ledgerlink.yaml');
    const fast = { retryBaseSeconds: 0.05, retryCapSeconds: 0.5 };
    writeFileSync(
      configPath,
      stringify({
        database: db.url,
        connections: {
          sage50: { connector: 'sage50', settings: sage.settings() },
          dynamics: {
            connector: 'dynamics',
            settings: { ...sandboxRegistry.dynamics!.settings(crm), timeoutMs: 5000 },
          },
        },
        flows: Object.fromEntries(
          [
            'sage50-dynamics.customers',
            'sage50-dynamics.products',
            'sage50-dynamics.invoices',
            'dynamics-sage50.orders',
          ].map((f) => [f, { ...fast }]),
        ),
      }),
    );
    ctx = await openContext({ configPath });
  }, 120_000);

  afterAll(async () => {
    await ctx?.close();
    await crm?.close();
    await sage?.close();
    await sage?.drop();
    await db?.drop();
  });

  let first: Awaited<ReturnType<typeof batch>>;

  it("Scan (§7): the order whose account and product Sage 50 lacks is not uploadable, naming both and what to do; the manual's order is, and nothing is written", async () => {
    const scan = await ctx.engine.scan('dynamics-sage50.orders', {});
    const plans = Object.fromEntries(scan.records.map((r) => [r.label, [r.plan, r.reason ?? null]]));
    expect(plans['ORD-1001-1KWBHX']).toEqual(['create', null]);
    expect(plans['ORD-1002']?.[0]).toBe('fail');
    expect(plans['ORD-1002']?.[1]).toMatch(
      /^sales order ORD-1002: customer XXX001 is not in Sage 50, and no flow brings customers from Dynamics 365: create it in Sage 50 \(or correct the sales order\), then upload again; product XXXTEST01 is not in Sage 50/,
    );
    // Only the uploadable order's lines are listed; what it needs Sage 50 has.
    expect([...new Set(scan.lines.map((l) => l.record))]).toHaveLength(1);
    expect(scan.needs.map((n) => [n.entity, n.ids])).toEqual([
      ['customer', ['A1D001']],
      ['product', ['VID003', 'TAPE002']],
    ]);
    expect(await count('INVOICE')).toBe(1);
  });

  it('one batch runs every flow; the order whose account Sage 50 does not have fails, naming it, and waits', async () => {
    first = await batch();
    expect(first.failures).toEqual([
      expect.stringMatching(/^dynamics-sage50\.orders .*ORD-1002.*customer XXX001 is not in Sage 50/),
    ]);
    expect(await q("SELECT INVOICE_NUMBER AS n FROM INVOICE WHERE CUST_ORDER_NUMBER = 'ORD-1002'")).toEqual(
      [],
    );
    expect(crm.find('salesorders', 'ordernumber', 'ORD-1002')?.statuscode).toBe(200000);
    expect(read(first.runs, 'sage50-dynamics.customers')).toEqual(['A1D001', 'ABS001']);
  });

  it('Sage 50 customers become Dynamics accounts with their credit limit and turnover', () => {
    const accounts = crm.rows('accounts');
    const abs = accounts.find((a) => a.accountnumber === 'ABS001');
    expect(abs?.name).toBe('ABS Garag');
    expect(abs?.address1_postalcode).toBe('NE31 1VB');
    expect(String(abs?.creditlimit)).toBe('4000');
    expect(String(abs?.revenue)).toBe('3070.45');
    const a1 = accounts.find((a) => a.accountnumber === 'A1D001');
    expect(String(a1?.creditlimit)).toBe('1000');
    expect(String(a1?.revenue)).toBe('5220.54');
  });

  it('Sage 50 stock records become Dynamics products; S1 is a line kind, not a product', () => {
    const products = crm.rows('products');
    for (const code of ['VID003', 'TAPE002', 'MISC'])
      expect(
        products.find((p) => p.productnumber === code),
        code,
      ).toBeDefined();
    expect(products.find((p) => p.productnumber === 'S1')).toBeUndefined();
    expect(
      new Decimal(String(products.find((p) => p.productnumber === 'TAPE002')?.price)).equals('2.8'),
    ).toBe(true);
  });

  it('posted invoices reach the CRM numbered <account>-<invoice no>, to the penny; S1 and M lines are write-ins', () => {
    const inv = crm.find('invoices', 'invoicenumber', 'A1D001-1');
    expect(inv, 'A1D001-1').toBeDefined();
    expect(new Decimal(String(inv?.totalamount)).equals('176.25')).toBe(true);
    const details = crm
      .rows('invoicedetails')
      .filter((d) => JSON.stringify(d).includes(String(inv?.invoiceid)));
    expect(details.filter((d) => d.isproductoverridden === true).map((d) => d.productdescription)).toEqual([
      'Installation',
      'Thank you for your order',
    ]);
  });

  it('the penny test: ORD-1001-1KWBHX is a product invoice, every figure Sage’s', async () => {
    const [head] = await q(
      `SELECT ACCOUNT_REF AS a, INVOICE_TYPE AS t, CAST(INVOICE_NET AS VARCHAR(32)) AS net,
       CAST(INVOICE_TAX AS VARCHAR(32)) AS tax, CAST(INVOICE_GROSS AS VARCHAR(32)) AS gross
       FROM INVOICE WHERE CUST_ORDER_NUMBER = 'ORD-1001-1KWBHX'`,
    );
    expect(head).toMatchObject({ a: 'A1D001', t: 'Product Invoice' });
    expect([head?.net, head?.tax, head?.gross].map((v) => new Decimal(String(v)).toFixed(2))).toEqual([
      '325.60',
      '56.99',
      '382.59',
    ]);
    const lines = await q(
      `SELECT STOCK_CODE AS s, DESCRIPTION AS d, CAST(QUANTITY AS VARCHAR(32)) AS qty,
       CAST(UNIT_PRICE AS VARCHAR(32)) AS p, CAST(NET_AMOUNT AS VARCHAR(32)) AS net,
       CAST(TAX_AMOUNT AS VARCHAR(32)) AS tax FROM INVOICE_ITEM WHERE INVOICE_NUMBER = 2 ORDER BY ITEM_NUMBER`,
    );
    const f = (v: unknown) => new Decimal(String(v)).toFixed(2);
    expect(lines.map((l) => [l.s, f(l.qty), f(l.p), f(l.net), f(l.tax)])).toEqual([
      ['VID003', '3.00', '55.00', '165.00', '28.88'],
      ['TAPE002', '22.00', '2.80', '61.60', '10.78'],
      ['MISC', '3.00', '33.00', '99.00', '17.33'],
    ]);
  });

  it('an item without a product code uses sage.defaultproduct (MISC) with its own description', async () => {
    const [misc] = await q(
      'SELECT STOCK_CODE AS s, DESCRIPTION AS d FROM INVOICE_ITEM WHERE INVOICE_NUMBER = 2 AND ITEM_NUMBER = 3',
    );
    expect(misc).toEqual({ s: 'MISC', d: 'test Product' });
  });

  it('the invoice carries the CRM order number, contact, telephone and owner', async () => {
    const [head] = await q(
      `SELECT CUST_ORDER_NUMBER AS o, CONTACT_NAME AS c, CUST_TEL_NUMBER AS tel, TAKEN_BY AS b
       FROM INVOICE WHERE INVOICE_NUMBER = 2`,
    );
    expect(head).toEqual({
      o: 'ORD-1001-1KWBHX',
      c: 'Jim Thomas',
      tel: '01742 876 234',
      b: 'LitwareInc Administrator',
    });
  });

  it('the Sage invoice number goes back to the CRM order, marked uploaded', () => {
    const ord1 = crm.find('salesorders', 'ordernumber', 'ORD-1001-1KWBHX');
    expect(ord1?.statuscode).toBe(200001);
    expect(ord1?.new_invoicenumber).toBe('2');
  });

  it('the penny test the other way: once posted in Sage, the invoice reaches Dynamics with Sage’s VAT per line and its totals', async () => {
    // Sage's Update Ledgers posts invoice 2 (transaction 2); the next batch reads it from the trail.
    await postInvoice(sage.db, 2, { tran: 2, firstSplit: 3 });
    const { runs, failures } = await batch();
    expect(failures).toEqual([]);
    expect(read(runs, 'sage50-dynamics.invoices')).toEqual(['2']);
    const inv = crm.find('invoices', 'invoicenumber', 'A1D001-2');
    expect(inv, 'A1D001-2').toBeDefined();
    const f = (v: unknown) => new Decimal(String(v)).toFixed(2);
    // Dynamics adds up the lines' tax as sent: 56.99, not 56.98 (the VAT of the net total).
    expect([inv?.totallineitemamount, inv?.totaltax, inv?.totalamount].map(f)).toEqual([
      '325.60',
      '56.99',
      '382.59',
    ]);
    const lines = crm
      .rows('invoicedetails')
      .filter((d) => d._invoiceid_value === inv?.invoiceid)
      .sort((a, b) => Number(a.sequencenumber) - Number(b.sequencenumber));
    const product = (id: unknown) => crm.rows('products').find((p) => p.productid === id)?.productnumber;
    expect(
      lines.map((l) => [
        product(l._productid_value),
        f(l.quantity),
        f(l.priceperunit),
        f(l.baseamount),
        f(l.tax),
        f(l.extendedamount),
      ]),
    ).toEqual([
      ['VID003', '3.00', '55.00', '165.00', '28.88', '193.88'],
      ['TAPE002', '22.00', '2.80', '61.60', '10.78', '72.38'],
      ['MISC', '3.00', '33.00', '99.00', '17.33', '116.33'],
    ]);
  });

  it('a second batch after no new audit transactions reads nothing and writes nothing', async () => {
    const before = { crm: crm.kit.writeCalls().length, invoices: await count('INVOICE') };
    const { runs } = await batch();
    expect(nothingWritten(runs)).toEqual(runs.map((r) => [r.flow, 0, 0, 0]));
    for (const flow of ['sage50-dynamics.customers', 'sage50-dynamics.products', 'sage50-dynamics.invoices'])
      expect(read(runs, flow), flow).toEqual([]);
    expect({ crm: crm.kit.writeCalls().length, invoices: await count('INVOICE') }).toEqual(before);
  });

  it('a new transaction on one account touches that account only', async () => {
    // A receipt on ABS001 lowers its balance and turnover is restated; A1D001 changes too, silently
    // (no transaction, no new modify date): it must not be read.
    await q("UPDATE SALES_LEDGER SET TURNOVER_YTD = 3100.45 WHERE ACCOUNT_REF = 'ABS001'");
    await q("UPDATE SALES_LEDGER SET TURNOVER_YTD = 9999.99 WHERE ACCOUNT_REF = 'A1D001'");
    await addAuditTransaction(sage.db, RECEIPT);
    const { runs, failures } = await batch();
    expect(failures).toEqual([]);
    expect(read(runs, 'sage50-dynamics.customers')).toEqual(['ABS001']);
    expect(read(runs, 'sage50-dynamics.products')).toEqual([]);
    expect(read(runs, 'sage50-dynamics.invoices')).toEqual([]);
    const accounts = crm.rows('accounts');
    expect(String(accounts.find((a) => a.accountnumber === 'ABS001')?.revenue)).toBe('3100.45');
    expect(String(accounts.find((a) => a.accountnumber === 'A1D001')?.revenue)).toBe('5220.54');
  });

  it('a restored older data file stops the batch with a clear reason; nothing is read or written, and the cursor stays', async () => {
    await q('DELETE FROM AUDIT_SPLIT WHERE HEADER_NUMBER > 1');
    await q('DELETE FROM AUDIT_HEADER WHERE TRAN_NUMBER > 1');
    const before = crm.kit.writeCalls().length;
    const { runs } = await batch();
    const customers = runs.find((r) => r.flow === 'sage50-dynamics.customers');
    expect(customers?.status).toBe('failed');
    expect(JSON.stringify(customers)).toMatch(/an older data file has been restored/);
    expect(crm.kit.writeCalls().length).toBe(before);
    // The cursor stayed at 7: with the newer file back, the next batch runs and finds nothing new
    // (had it moved back to 1, transaction 7 would be read again).
    await addAuditTransaction(sage.db, RECEIPT);
    const again = await batch();
    expect(again.failures).toEqual([]);
    expect(again.runs.filter((r) => r.flow.startsWith('sage50-')).map((r) => [r.flow, r.status])).toEqual([
      ['sage50-dynamics.customers', 'succeeded'],
      ['sage50-dynamics.products', 'succeeded'],
      ['sage50-dynamics.invoices', 'succeeded'],
    ]);
    expect(read(again.runs, 'sage50-dynamics.customers')).toEqual([]);
  });
});
