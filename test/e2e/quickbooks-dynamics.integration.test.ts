import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type DynamicsSandbox, startDynamicsSandbox } from '../../src/connectors/dynamics/sandbox/index.js';
import {
  type QuickBooksSandbox,
  startQuickBooksSandbox,
} from '../../src/connectors/quickbooks/sandbox/index.js';
import { sandboxRegistry } from '../../src/connectors/sandboxes.js';
import { type Context, openContext } from '../../src/runtime/context.js';
import { batchBetween, nothingWritten } from '../support/batch-run.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';

/**
 * Seed 004 end to end between QuickBooks Online and Dynamics 365, both sandboxes over loopback: the
 * accounts' customers, products and invoices reach the CRM, the CRM's ready orders come back as
 * QuickBooks invoices with the order marked uploaded and given the invoice number, in one batch run
 * in dependency order; a second batch writes nothing.
 */

type Row = Record<string, unknown>;

describe.each(['sqlite', 'postgres'] as const)('QuickBooks Online ↔ Dynamics 365 on %s', (dialect) => {
  let qbo: QuickBooksSandbox;
  let crm: DynamicsSandbox;
  let db: TestDatabase;
  let ctx: Context;

  const batch = () => batchBetween(ctx, 'quickbooks,dynamics', 20);
  const all = (entity: 'Customer' | 'Item' | 'Invoice'): Row[] =>
    [...qbo.store.tables[entity].values()] as Row[];
  const writes = () => ({
    qbo: qbo.kit.writeCalls().length,
    crm: crm.kit.writeCalls().length,
  });

  beforeAll(async () => {
    qbo = await startQuickBooksSandbox({ customers: 6, products: 6 });
    crm = await startDynamicsSandbox({});
    db = await createTestDatabase(dialect);
    const dir = mkdtempSync(join(tmpdir(), 'ledgerlink-qbo-crm-'));
    const configPath = join(dir, 'ledgerlink.yaml');
    const fast = { retryBaseSeconds: 0.05, retryCapSeconds: 0.5 };
    writeFileSync(
      configPath,
      stringify({
        database: db.url,
        connections: {
          quickbooks: {
            connector: 'quickbooks',
            settings: { ...qbo.settings(), timeoutMs: 5000, throttleWaitSeconds: 0 },
          },
          dynamics: {
            connector: 'dynamics',
            // QuickBooks' references are full names: the account number column is widened for them.
            settings: {
              ...sandboxRegistry.dynamics!.settings(crm),
              timeoutMs: 5000,
              accountNumberLength: 100,
            },
          },
        },
        flows: Object.fromEntries(
          [
            'quickbooks-dynamics.customers',
            'quickbooks-dynamics.products',
            'quickbooks-dynamics.invoices',
            'dynamics-quickbooks.customers',
            'dynamics-quickbooks.products',
            'dynamics-quickbooks.orders',
          ].map((f) => [f, { ...fast }]),
        ),
      }),
    );
    ctx = await openContext({ configPath });
  }, 120_000);

  afterAll(async () => {
    await ctx?.close();
    await Promise.all([qbo?.close(), crm?.close()]);
    await db?.drop();
  });

  it('one batch: customers and products first, then invoices to the CRM and ready orders to the accounts', async () => {
    const { code, runs, failures } = await batch();
    expect(failures).toEqual([]);
    expect(code).toBe(0);
    const order = runs.map((r) => r.flow);
    expect(order.indexOf('quickbooks-dynamics.customers')).toBeLessThan(
      order.indexOf('quickbooks-dynamics.invoices'),
    );
    expect(order.indexOf('quickbooks-dynamics.products')).toBeLessThan(
      order.indexOf('quickbooks-dynamics.invoices'),
    );
    expect(order.indexOf('dynamics-quickbooks.customers')).toBeLessThan(
      order.indexOf('dynamics-quickbooks.orders'),
    );

    // Every QuickBooks customer is an account of the configured relationship type, by its full name.
    const accounts = crm.rows('accounts');
    for (const c of all('Customer')) {
      const account = accounts.find((a) => a.accountnumber === c.FullyQualifiedName);
      expect(account, String(c.FullyQualifiedName)).toBeDefined();
      expect(account?.customertypecode).toBe(3);
    }
    // Every product, with a price list item.
    const products = crm.rows('products');
    for (const item of all('Item')) {
      expect(
        products.find((p) => p.productnumber === item.FullyQualifiedName),
        String(item.Name),
      ).toBeDefined();
    }
    // Every invoice, numbered <account>-<invoice no>, to the cent.
    const invoices = crm.rows('invoices');
    for (const inv of all('Invoice')) {
      const customer = all('Customer').find((c) => c.Id === (inv.CustomerRef as Row | undefined)?.value);
      const number = `${customer?.FullyQualifiedName}-${inv.DocNumber}`;
      const made = invoices.find((i) => i.invoicenumber === number);
      expect(made, number).toBeDefined();
      expect(made?.name).toBe(number);
      expect(new Decimal(String(made?.totalamount)).equals(new Decimal(String(inv.TotalAmt))), number).toBe(
        true,
      );
    }

    // The CRM's ready orders are QuickBooks invoices now, and the orders say so.
    for (const number of ['ORD-1001-1KWBHX', 'ORD-1002']) {
      const order = crm.find('salesorders', 'ordernumber', number);
      expect(order?.statuscode, number).toBe(200001);
      const invoiceNumber = order?.new_invoicenumber;
      expect(invoiceNumber, number).toBeTruthy();
      const invoice = all('Invoice').find((i) => i.DocNumber === invoiceNumber);
      expect(invoice, number).toBeDefined();
      expect(String(invoice?.PrivateNote)).toContain(number);
    }
    // ORD-1001: VID003 ×3 at 55, TAPE002 ×22 at 2.80, the write-in "test Product" ×3 at 33 on MISC.
    const ord1 = crm.find('salesorders', 'ordernumber', 'ORD-1001-1KWBHX');
    const inv1 = all('Invoice').find((i) => i.DocNumber === ord1?.new_invoicenumber);
    const lines = ((inv1?.Line as Row[]) ?? []).filter((l) => l.DetailType === 'SalesItemLineDetail');
    expect(
      lines.map((l) => {
        const d = l.SalesItemLineDetail as Row;
        return [(d.ItemRef as Row).name, String(d.Qty), String(d.UnitPrice)];
      }),
    ).toEqual([
      ['VID003', '3', '55'],
      ['TAPE002', '22', '2.8'],
      ['MISC', '3', '33'],
    ]);
    expect(lines[2]?.Description).toBe('test Product');
  });

  it('a second batch writes nothing', async () => {
    const before = writes();
    const { code, runs } = await batch();
    expect(code).toBe(0);
    expect(nothingWritten(runs)).toEqual(runs.map((r) => [r.flow, 0, 0, 0]));
    expect(writes()).toEqual(before);
    // The CRM's orders are read by change tracking: the flow's cursor is Dataverse's delta link.
    expect(await ctx.store.cursors.get('dynamics-quickbooks.orders')).toMatch(/^token:http.*deltatoken=/);
  });
});
