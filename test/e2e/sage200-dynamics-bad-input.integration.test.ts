import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type DynamicsSandbox, startDynamicsSandbox } from '../../src/connectors/dynamics/sandbox/index.js';
import { TABLES } from '../../src/connectors/dynamics/sandbox/schema.js';
import { type Sage200Sandbox, startSage200Sandbox } from '../../src/connectors/sage200/sandbox/index.js';
import { sandboxRegistry } from '../../src/connectors/sandboxes.js';
import { type Context, openContext } from '../../src/runtime/context.js';
import { batchBetween } from '../support/batch-run.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';

/**
 * Bad input from Sage 200, end to end: an account reference longer than the CRM's account number
 * column takes (Sage's references are 8 characters at most, so this CRM's column is narrowed to 6),
 * a stock code with a character the CRM refuses, and a SOP invoice whose lines do not add up to its
 * posted totals. Each is a failed record with its reason; every other record of the batch is synced.
 */
describe('Sage 200 → Dynamics 365: bad input fails record by record', () => {
  let sage: Sage200Sandbox;
  let crm: DynamicsSandbox;
  let db: TestDatabase;
  let ctx: Context;
  const accountNumber = TABLES.accounts!.columns.accountnumber!;
  const width = accountNumber.max;

  beforeAll(async () => {
    accountNumber.max = 6;
    sage = await startSage200Sandbox({ conformance: true });
    sage.store.insert('customers', {
      reference: 'LONGREF1',
      name: 'Long Reference Ltd',
      on_hold: false,
      credit_limit: 250,
    });
    sage.store.insert('products', {
      code: 'TAPE\u0007003',
      name: 'Tape with a bell in its code',
      product_group_id: 1,
    });
    // A SOP invoice whose one line (55.00 + 9.63) is not its posted totals (100.00 + 17.50).
    const abs = sage.store.find('customers', 'reference', 'ABS001')!;
    sage.store.insert('sales_posted_transactions', {
      customer_id: abs.id,
      trader_transaction_type: 'TradingAccountEntryTypeInvoice',
      reference: '0000000201',
      transaction_date: '2024-02-22T00:00:00Z',
      document_goods_value: 100,
      document_tax_value: 17.5,
      document_gross_value: 117.5,
      document_outstanding_value: 117.5,
    });
    sage.store.insert('customer_sop_invoice_credit_line_views', {
      customer_id: abs.id,
      customer_reference: 'ABS001',
      sop_invoice_credit_id: 201,
      sop_invoice_credit_document_no: '0000000201',
      sop_invoice_credit_line_id: 20101,
      sop_invoice_credit_line_total_value: 55,
      sop_invoice_credit_line_tax_value: 9.63,
      invoice_line_profit_analysis_line_quantity: 1,
      product_code: 'VID003',
      product_name: '32mb PCI Video Card',
    });
    crm = await startDynamicsSandbox({});
    db = await createTestDatabase('sqlite');
    const dir = mkdtempSync(join(tmpdir(), 'ledgerlink-sage200-bad-'));
    const configPath = join(dir, 'ledgerlink.yaml');
    writeFileSync(
      configPath,
      stringify({
        database: db.url,
        connections: {
          sage200: { connector: 'sage200', settings: { ...sage.settings(), timeoutMs: 5000 } },
          dynamics: {
            connector: 'dynamics',
            settings: { ...sandboxRegistry.dynamics!.settings(crm), timeoutMs: 5000, accountNumberLength: 6 },
          },
        },
        flows: Object.fromEntries(
          ['sage200-dynamics.customers', 'sage200-dynamics.products', 'sage200-dynamics.invoices'].map(
            (f) => [f, { retryBaseSeconds: 0.05, retryCapSeconds: 0.5 }],
          ),
        ),
      }),
    );
    ctx = await openContext({ configPath });
  }, 120_000);

  afterAll(async () => {
    accountNumber.max = width;
    await ctx?.close();
    expect(sage?.kit.violations ?? []).toEqual([]);
    await Promise.all([sage?.close(), crm?.close()]);
    await db?.drop();
  });

  it('a reference longer than the CRM allows, a stock code with a refused character and an invoice whose lines do not add up each fail with the reason; the rest is synced', async () => {
    const { runs, failures } = await batchBetween(ctx, 'sage200,dynamics', 10);
    expect(failures.sort()).toEqual([
      expect.stringMatching(
        /^sage200-dynamics\.customers LONGREF1.*: account number "LONGREF1" is 8 characters and the accountnumber column of account takes 6/,
      ),
      expect.stringMatching(
        /^sage200-dynamics\.invoices .*invoice 0000000201: its lines' net comes to 55\.00 but its net total is 100\.00; its lines' tax comes to 9\.63 but its tax total is 17\.50/,
      ),
      expect.stringMatching(/^sage200-dynamics\.products .*TAPE.*holds the character U\+0007 at position 5/),
    ]);
    const customers = runs.find((r) => r.flow === 'sage200-dynamics.customers')!;
    const products = runs.find((r) => r.flow === 'sage200-dynamics.products')!;
    expect(customers.counts.failed).toBe(1);
    expect(products.counts.failed).toBe(1);
    // The batch went on: every other account and product is in the CRM.
    const accounts = crm.rows('accounts').map((a) => a.accountnumber);
    expect(accounts).toEqual(expect.arrayContaining(['A1D001', 'ABS001']));
    expect(accounts).not.toContain('LONGREF1');
    const numbers = crm.rows('products').map((p) => p.productnumber);
    expect(numbers).toEqual(expect.arrayContaining(['VID003', 'TAPE002', 'MISC']));
    expect(numbers).not.toContain('TAPE\u0007003');
    const invoices = crm.rows('invoices').map((i) => i.invoicenumber);
    expect(invoices).toEqual(expect.arrayContaining(['A1D001-0000000101', 'A1D001-0000000102']));
    expect(invoices).not.toContain('ABS001-0000000201');
  });
});
