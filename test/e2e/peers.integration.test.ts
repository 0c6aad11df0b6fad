import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { RunResult } from '../../src/engine/engine.js';
import { isEngineError } from '../../src/engine/errors.js';
import { type Context, openContext } from '../../src/runtime/context.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { startTryton, type TrytonPeer, trytonAvailability } from '../support/peers/tryton.js';
import { startVendure, type VendurePeer } from '../support/peers/vendure.js';

const FLOWS = {
  customers: 'tryton-vendure.customers',
  products: 'tryton-vendure.products',
  orders: 'vendure-tryton.orders',
  shipments: 'tryton-vendure.shipments',
  invoices: 'tryton-vendure.invoices',
} as const;
const cents = (v: Decimal.Value) => new Decimal(v).toFixed(2);
const available = trytonAvailability();

/**
 * Order to cash between two systems nobody here wrote: Tryton 6.0 (Debian's packages) as the ERP
 * and Vendure 3 (npm) as the shop, both running on loopback. The engine and the model know nothing
 * of either: the same flows, link table, dependencies, conditions, write-back and log as Acumatica ↔
 * Magento.
 */
describe.skipIf(!available.ok)('Tryton ↔ Vendure, the real systems, end to end', () => {
  let tryton: TrytonPeer;
  let vendure: VendurePeer;
  let db: TestDatabase;
  let ctx: Context;
  const sales: Array<{ order: string; sale: number; number: string; shipment: number; invoice: number }> = [];

  /**
   * Waits out any run of the flow still going (a test cut short on a loaded machine leaves one
   * behind; it must not fail the next test as "already running"), then does the work.
   */
  const whenIdle = async <T>(work: () => Promise<T>): Promise<T> => {
    const end = Date.now() + 300_000;
    for (;;) {
      try {
        return await work();
      } catch (e) {
        if (!isEngineError(e) || e.code !== 'flow_busy' || Date.now() > end) throw e;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  };
  const run = (flow: string): Promise<RunResult> =>
    whenIdle(() => ctx.engine.run(flow, { trigger: 'batch' }));
  /** Until no run of the flow is going (a retry asked for meanwhile would wait for it). */
  const idle = async (flow: string) => {
    while ((await ctx.store.runs.running(flow)).length) await new Promise((r) => setTimeout(r, 200));
  };
  const successes = async (flow: string) => (await ctx.store.log.list({ flow, status: ['success'] })).total;

  beforeAll(async () => {
    [tryton, vendure, db] = await Promise.all([startTryton(), startVendure(), createTestDatabase('sqlite')]);
    // The ERP's customers and catalog: 50 of each, with stock; prices at odd cents, so that tax rounding
    // is put to the test (both systems round it per line).
    for (let i = 1; i <= 50; i++)
      await tryton.rpc.createParty({
        name: `Customer ${i}`,
        email: `customer${i}@example.com`,
        phone: `+44 20 7946 ${String(i).padStart(4, '0')}`,
        street: `${i} High Street`,
        city: 'London',
        postalCode: 'EC1A 1BB',
        country: 'GB',
      });
    const products: Array<[number, number]> = [];
    for (let i = 1; i <= 50; i++) {
      const id = await tryton.rpc.createProduct({
        code: `SKU-${String(i).padStart(3, '0')}`,
        name: `Product ${i}`,
        listPrice: cents(new Decimal('4.99').plus(new Decimal(i).times('1.37'))),
        costPrice: '2.00',
      });
      products.push([id, 100]);
    }
    await tryton.rpc.setStock(products);
    const dir = mkdtempSync(join(tmpdir(), 'ledgerlink-peers-'));
    const configPath = join(dir, 'ledgerlink.yaml');
    writeFileSync(
      configPath,
      stringify({
        database: db.url,
        connections: {
          tryton: {
            connector: 'tryton',
            settings: {
              url: tryton.url,
              database: tryton.database,
              username: tryton.user,
              password: tryton.password,
              productCategory: 'Goods (VAT 20%)',
            },
          },
          vendure: {
            connector: 'vendure',
            settings: {
              url: vendure.url,
              username: vendure.superadmin.username,
              password: vendure.superadmin.password,
            },
          },
        },
        flows: Object.fromEntries(
          Object.values(FLOWS).map((f) => [
            f,
            { schedule: null, retryBaseSeconds: 0.05, retryCapSeconds: 0.5 },
          ]),
        ),
      }),
    );
    ctx = await openContext({ configPath });
  }, 900_000);

  afterAll(async () => {
    await ctx?.close();
    await Promise.all([tryton?.close(), vendure?.close()]);
    await db?.drop();
  }, 120_000);

  it('50 customers and 50 products with price and stock reach Vendure; a second run changes nothing', async () => {
    const c = await run(FLOWS.customers);
    const p = await run(FLOWS.products);
    expect(c.counts).toMatchObject({ read: 50, created: 50, failed: 0 });
    expect(p.counts).toMatchObject({ read: 50, created: 50, failed: 0 });
    const variant = await vendure.admin.variant('SKU-007');
    expect(variant).toMatchObject({ price: 1458, stockOnHand: 100 });
    expect((await run(FLOWS.customers)).counts).toMatchObject({ unchanged: 50, created: 0, updated: 0 });
    expect((await run(FLOWS.products)).counts).toMatchObject({ unchanged: 50, created: 0, updated: 0 });
  });

  it('20 Vendure orders (several lines, 20 % tax, shipping) become confirmed, processed Tryton sales to the cent', async () => {
    const customers = (await ctx.store.records.list({ flow: FLOWS.customers, limit: 50 })).rows;
    const shopCustomers = customers.map((r) => r.target_id!);
    const placed = [];
    for (let i = 0; i < 20; i++)
      placed.push(
        await vendure.admin.placeOrder({
          customerId: shopCustomers[i]!,
          lines: Array.from({ length: 2 + (i % 3) }, (_, k) => ({
            sku: `SKU-${String(1 + ((i * 7 + k * 11) % 50)).padStart(3, '0')}`,
            quantity: 1 + ((i + k) % 3),
          })),
        }),
      );
    const r = await run(FLOWS.orders);
    expect(r.counts).toMatchObject({ read: 20, created: 20, failed: 0, waiting: 0 });
    for (const order of placed) {
      const link = await ctx.store.records.get(FLOWS.orders, order.id);
      const [sale] = await tryton.rpc.call<
        Array<{
          state: string;
          number: string;
          reference: string;
          total_amount: string;
          shipments: number[];
          invoices: number[];
        }>
      >(
        'sale.sale',
        'read',
        [Number(link!.target_id)],
        ['state', 'number', 'reference', 'total_amount', 'shipments', 'invoices'],
      );
      expect(sale).toMatchObject({ state: 'processing', reference: order.code });
      expect(cents(sale!.total_amount), order.code).toBe(cents(new Decimal(order.totalWithTax).div(100)));
      expect(sale!.shipments).toHaveLength(1);
      expect(sale!.invoices).toHaveLength(1);
      // Vendure shows the ERP's number, and no two sales share one.
      expect((await vendure.admin.order(order.id)).customFields.erpNumber).toBe(sale!.number);
      expect(sales.map((x) => x.number)).not.toContain(sale!.number);
      sales.push({
        order: order.id,
        sale: Number(link!.target_id),
        number: sale!.number,
        shipment: sale!.shipments[0]!,
        invoice: sale!.invoices[0]!,
      });
    }
    expect((await run(FLOWS.orders)).counts).toMatchObject({ unchanged: 20, created: 0 });
  });

  it('invoices posted and paid in Tryton settle the Vendure orders', async () => {
    for (const s of sales) {
      await tryton.rpc.postInvoice(s.invoice);
      await tryton.rpc.payInvoice(s.invoice);
    }
    const r = await run(FLOWS.invoices);
    expect(r.counts).toMatchObject({ created: 20, failed: 0 });
    for (const s of sales) {
      const o = await vendure.admin.order(s.order);
      expect(o.state, o.code).toBe('PaymentSettled');
      expect(o.payments.reduce((sum, p) => sum + p.amount, 0)).toBe(o.totalWithTax);
    }
    expect((await run(FLOWS.invoices)).counts).toMatchObject({ created: 0, updated: 0, failed: 0 });
  });

  it('shipments done in Tryton become shipped fulfillments in Vendure, with tracking', async () => {
    for (const [i, s] of sales.entries()) await tryton.rpc.shipOut(s.shipment, `TRACK-${1000 + i}`);
    const r = await run(FLOWS.shipments);
    expect(r.counts).toMatchObject({ created: 20, failed: 0 });
    for (const [i, s] of sales.entries()) {
      const o = await vendure.admin.order(s.order);
      expect(o.state, o.code).toBe('Shipped');
      expect(o.fulfillments.map((f) => [f.state, f.trackingCode])).toEqual([
        ['Shipped', `TRACK-${1000 + i}`],
      ]);
    }
    expect((await run(FLOWS.shipments)).counts).toMatchObject({ created: 0, updated: 0, failed: 0 });
  });

  it('a full pass over every flow afterwards changes nothing but the stock the shipments took, and then nothing at all', async () => {
    const first = Object.fromEntries(
      await Promise.all(Object.values(FLOWS).map(async (f) => [f, (await run(f)).counts])),
    );
    // Shipping took stock in Tryton: the products flow carries the new quantities to Vendure.
    expect(first[FLOWS.products]!.updated).toBeGreaterThan(0);
    for (const f of Object.values(FLOWS)) {
      const again = await run(f);
      expect(again.counts, f).toMatchObject({ created: 0, updated: 0, failed: 0 });
    }
    // Every step is in the connector log.
    expect(await successes(FLOWS.customers)).toBe(50);
    expect(await successes(FLOWS.orders)).toBe(20);
    expect(await successes(FLOWS.invoices)).toBe(20);
    expect(await successes(FLOWS.shipments)).toBe(20);
    // One order's story, asked by the shop's order code: the sale, the payment, the fulfillment.
    const code = (await vendure.admin.order(sales[0]!.order)).code;
    const entries = (await ctx.store.log.list({ record: code })).rows.reverse();
    expect(
      entries.map((r) => r.flow),
      entries.map((r) => `${r.flow} ${r.source_id} ${r.status} ${r.action} ${r.reason ?? ''}`).join('\n'),
    ).toEqual([FLOWS.orders, FLOWS.invoices, FLOWS.shipments]);
  });

  it("a Tryton UserError (a product without an account category) fails the order with Tryton's words; after the fix a retry succeeds", async () => {
    const product = await tryton.rpc.createProduct({
      code: 'NOCAT-1',
      name: 'Uncategorised thing',
      listPrice: '10.00',
      category: null,
    });
    await tryton.rpc.setStock([[product, 10]]);
    await whenIdle(() => ctx.engine.runIds(FLOWS.products, [String(product)], 'manual'));
    const customer = (await ctx.store.records.list({ flow: FLOWS.customers, limit: 1 })).rows[0]!.target_id!;
    const order = await vendure.admin.placeOrder({
      customerId: customer,
      lines: [{ sku: 'NOCAT-1', quantity: 1 }],
    });
    const failed = await whenIdle(() => ctx.engine.runIds(FLOWS.orders, [order.id], 'manual'));
    expect(failed.outcomes[0]?.status).toBe('failed');
    expect(failed.outcomes[0]?.reason).toMatch(
      /There is no "Account Category" defined for "Uncategorised thing"/,
    );
    const [template] = await tryton.rpc.call<Array<{ template: number }>>(
      'product.product',
      'read',
      [product],
      ['template'],
    );
    await tryton.rpc.call('product.template', 'write', [template!.template], {
      account_category: tryton.business.goodsCategoryId,
    });
    const record = await ctx.store.records.get(FLOWS.orders, order.id);
    await idle(FLOWS.orders);
    const [retried] = await ctx.engine.retry({ ids: [record!.id] });
    expect(retried && 'counts' in retried ? retried.counts : retried).toMatchObject({
      created: 1,
      failed: 0,
    });
  });
});
