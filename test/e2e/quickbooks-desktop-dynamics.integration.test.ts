import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type DynamicsSandbox, startDynamicsSandbox } from '../../src/connectors/dynamics/sandbox/index.js';
import {
  type QuickBooksDesktopSandbox,
  startQuickBooksDesktopSandbox,
} from '../../src/connectors/quickbooks-desktop/sandbox/index.js';
import { sandboxRegistry } from '../../src/connectors/sandboxes.js';
import { type Context, openContext } from '../../src/runtime/context.js';
import { buildServer } from '../../src/server/app.js';
import { batchBetween, nothingWritten } from '../support/batch-run.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';

/**
 * Seed 004 as its own users run it: QuickBooks Desktop (reached only through the Web Connector,
 * which polls Ledgerlink's SOAP service) and Dynamics 365, over loopback. One batch brings the
 * company file's customers, items and invoices to the CRM and the CRM's ready orders into the company
 * file as invoices (queued as qbXML, answered on the Web Connector's polls); a second writes nothing.
 */
const QBD = 'quickbooks-desktop';

describe.each(['sqlite', 'postgres'] as const)('QuickBooks Desktop ↔ Dynamics 365 on %s', (dialect) => {
  let qbd: QuickBooksDesktopSandbox;
  let crm: DynamicsSandbox;
  let db: TestDatabase;
  let ctx: Context;
  let app: FastifyInstance;

  const batch = () => batchBetween(ctx, `${QBD},dynamics`, 30);
  const companyFile = () => ({
    customers: qbd.company.customers.size,
    items: qbd.company.items.size,
    invoices: qbd.company.invoices.size,
  });

  beforeAll(async () => {
    crm = await startDynamicsSandbox({});
    db = await createTestDatabase(dialect);
    const dir = mkdtempSync(join(tmpdir(), 'ledgerlink-qbd-crm-'));
    const configPath = join(dir, 'ledgerlink.yaml');
    const fast = { retryBaseSeconds: 0.05, retryCapSeconds: 0.5 };
    writeFileSync(
      configPath,
      stringify({
        database: db.url,
        connections: {
          [QBD]: {
            connector: QBD,
            settings: { ...sandboxRegistry[QBD]!.settings({ url: '' }), answerWaitSeconds: 10 },
          },
          dynamics: {
            connector: 'dynamics',
            // A customer without an account number is known by its full name: the column is widened for it.
            settings: {
              ...sandboxRegistry.dynamics!.settings(crm),
              timeoutMs: 5000,
              accountNumberLength: 100,
            },
          },
        },
        flows: Object.fromEntries(
          [
            `${QBD}-dynamics.customers`,
            `${QBD}-dynamics.products`,
            `${QBD}-dynamics.invoices`,
            `dynamics-${QBD}.customers`,
            `dynamics-${QBD}.products`,
            `dynamics-${QBD}.orders`,
          ].map((f) => [f, { ...fast }]),
        ),
      }),
    );
    ctx = await openContext({ configPath });
    app = await buildServer({ ctx, version: 'test' });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    // The Web Connector beside QuickBooks polls Ledgerlink's SOAP service for the connection.
    qbd = await startQuickBooksDesktopSandbox({
      customers: 4,
      products: 4,
      webConnectorUrl: `${url}/qbwc/${QBD}`,
    });
  }, 120_000);

  afterAll(async () => {
    await qbd?.close();
    await app?.close();
    await ctx?.close();
    await crm?.close();
    await db?.drop();
  });

  it('one batch through the Web Connector: the company file to the CRM, the ready CRM orders into the company file', async () => {
    const { code, failures } = await batch();
    expect(failures).toEqual([]);
    expect(code).toBe(0);

    // Customers by account number, or by full name when they have none (the manual's §6.1 note).
    const accounts = crm.rows('accounts');
    for (const c of qbd.company.customers.values()) {
      const number = c.AccountNumber || c.Name;
      expect(
        accounts.find((a) => a.accountnumber === number),
        number,
      ).toBeDefined();
    }
    const products = crm.rows('products');
    for (const item of qbd.company.items.values()) {
      expect(
        products.find((p) => p.productnumber === item.Name),
        item.Name,
      ).toBeDefined();
    }
    // The CRM orders are invoices in the company file, carrying the order number; the orders say so.
    for (const number of ['ORD-1001-1KWBHX', 'ORD-1002']) {
      const order = crm.find('salesorders', 'ordernumber', number);
      expect(order?.statuscode, number).toBe(200001);
      const invoice = [...qbd.company.invoices.values()].find(
        (i) => i.RefNumber === order?.new_invoicenumber,
      );
      expect(invoice?.PONumber, number).toBe(number);
    }
    // Every invoice of the company file, those the orders became included, is in the CRM to the cent.
    const invoices = crm.rows('invoices');
    for (const inv of qbd.company.invoices.values()) {
      const customer = qbd.company.customers.get(inv.CustomerListID);
      const number = `${customer?.AccountNumber || customer?.Name}-${inv.RefNumber}`;
      const made = invoices.find((i) => i.invoicenumber === number);
      expect(made, number).toBeDefined();
      const total = new Decimal(inv.Subtotal).plus(inv.SalesTaxTotal);
      expect(
        new Decimal(String(made?.totalamount)).equals(total),
        `${number}: ${made?.totalamount} ≠ ${total}`,
      ).toBe(true);
    }
  });

  it('a second batch writes nothing', async () => {
    const before = { company: companyFile(), crm: crm.kit.writeCalls().length };
    const { code, runs } = await batch();
    expect(code).toBe(0);
    expect(nothingWritten(runs)).toEqual(runs.map((r) => [r.flow, 0, 0, 0]));
    expect({ company: companyFile(), crm: crm.kit.writeCalls().length }).toEqual(before);
  });
});
