import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AcumaticaSandbox,
  startAcumaticaSandbox,
} from '../../src/connectors/acumatica/sandbox/index.js';
import { sandboxRegistry } from '../../src/connectors/sandboxes.js';
import {
  type SellerCloudSandbox,
  startSellerCloudSandbox,
} from '../../src/connectors/sellercloud/sandbox/index.js';
import type { Context } from '../../src/runtime/context.js';
import { batchBetween, nothingWritten } from '../support/batch-run.js';
import { DIALECTS } from '../support/databases.js';
import { type E2eContext, openE2eContext } from '../support/e2e-context.js';

const ORDERS = 'sellercloud-acumatica.orders';
const val = <T>(w: unknown): T | undefined => (w as { value?: T } | undefined)?.value;

/**
 * Seed 000's SellerCloud side end to end over loopback: SellerCloud's orders (a marketplace's among
 * them) become Acumatica sales orders, customers and products first; a confirmed Acumatica shipment
 * gives the SellerCloud order its tracking per package and marks it shipped; a released invoice is
 * noted on it with its payment state, and noted again once paid; Acumatica's customers reach
 * SellerCloud by e-mail. A second batch writes nothing.
 */
describe.each(DIALECTS)('Acumatica ↔ SellerCloud on %s', (dialect) => {
  let erp: AcumaticaSandbox;
  let hub: SellerCloudSandbox;
  let env: E2eContext;
  let ctx: Context;

  const record = (flow: string, id: string) => ctx.store.records.get(flow, id);

  beforeAll(async () => {
    erp = await startAcumaticaSandbox({ customers: 4, products: 4 });
    hub = await startSellerCloudSandbox({ count: 4 });
    env = await openE2eContext({
      dialect,
      connections: {
        acumatica: { connector: 'acumatica', settings: sandboxRegistry.acumatica!.settings(erp) },
        sellercloud: { connector: 'sellercloud', settings: sandboxRegistry.sellercloud!.settings(hub) },
      },
      valueMaps: {
        taxClass: [{ sellercloud: 'SALESTAX', acumatica: 'NYSTATE' }],
        shippingMethod: [
          { acumatica: 'FLATRATE', sellercloud: 'Standard' },
          { acumatica: 'UPSGROUND', sellercloud: 'UPS Ground' },
        ],
      },
      flows: [
        'sellercloud-acumatica.customers',
        'sellercloud-acumatica.products',
        ORDERS,
        'acumatica-sellercloud.customers',
        'acumatica-sellercloud.shipments',
        'acumatica-sellercloud.invoices',
      ],
    });
    ctx = env.ctx;
  }, 120_000);
  afterAll(async () => {
    await env?.close();
    await hub?.close();
    await erp?.close();
  });

  it('SellerCloud orders become Acumatica sales orders, customers and products first, keeping channel and channel order #', async () => {
    const { failures } = await batchBetween(ctx, 'sellercloud,acumatica', 30);
    expect(failures).toEqual([]);
    for (const o of hub.data.orders.values()) {
      const r = await record(ORDERS, String(o.ID));
      expect(r?.state, `order ${o.ID}`).toBe('processed');
      const so = erp.orders.get(r!.target_id!)!;
      expect(val(so.CustomerOrder)).toBe(String(o.ID));
      expect(val<number>(so.OrderTotal)).toBe(o.GrandTotal);
      expect(so.Details?.length).toBe(o.Items.length);
      // The channel and its own number are kept where a person reads them.
      const description = val<string>(so.Description);
      expect(description).toBe(
        o.OrderSourceOrderID
          ? `Website order ${o.OrderSourceOrderID} (${o.ID})`
          : `${o.Channel === 21 ? 'Wholesale' : 'Local Store'} order ${o.ID}`,
      );
    }
    // The orders' customers went first, by their own flow.
    const customers = new Set([...hub.data.orders.values()].map((o) => String(o.CustomerID)));
    for (const id of customers)
      expect((await record('sellercloud-acumatica.customers', id))?.state).toBe('processed');
  }, 120_000);

  it('a confirmed shipment gives its SellerCloud order tracking per package and marks it shipped; a released invoice is noted, and noted again once paid', async () => {
    const [order] = [...hub.data.orders.values()].filter((o) => (o.Packages?.length ?? 0) === 2);
    expect(order).toBeDefined();
    const nbr = (await record(ORDERS, String(order!.ID)))!.target_id!;
    const shipment = erp.createShipment(nbr, { trackingNumbers: ['1Z-PKG-ONE', '1Z-PKG-TWO'] });
    // Open: skipped with the condition named; nothing reaches SellerCloud.
    let run = await batchBetween(ctx, 'acumatica,sellercloud', 30);
    expect(run.failures).toEqual([]);
    expect((await record('acumatica-sellercloud.shipments', shipment))?.reason).toMatch(
      /"confirmed" is false \(the shipment is Open\)/,
    );
    expect(hub.packageCalls).toHaveLength(0);
    erp.confirmShipment(shipment);
    const invoice = erp.prepareInvoice(shipment);
    erp.releaseInvoice(invoice);
    run = await batchBetween(ctx, 'acumatica,sellercloud', 30);
    expect(run.failures).toEqual([]);
    expect(order!.Packages?.map((p) => p.TrackingNumber)).toEqual(['1Z-PKG-ONE', '1Z-PKG-TWO']);
    expect(order!.ShippingStatus).toBe(3);
    expect(hub.packageCalls.map((c) => [c.OrderID, c.TrackingNumber])).toEqual([
      [order!.ID, '1Z-PKG-ONE'],
      [order!.ID, '1Z-PKG-TWO'],
    ]);
    const total = val<number>(erp.invoices.get(invoice)?.Amount)!;
    const notes = () => (hub.data.notes.get(order!.ID) ?? []).map((n) => n.Note);
    expect(notes()).toEqual([
      expect.stringMatching(new RegExp(`^Invoice ${invoice} \\(invoice, .*\\): Open, total`)),
    ]);
    expect(notes()[0]).toMatch(/unpaid$/);
    expect(notes()[0]).toContain(`total ${total.toFixed(2)} USD`);
    // Paid in Acumatica: the next batch notes the new state once; the one after writes nothing.
    const paid = erp.createPayment({
      customerId: val<string>(erp.orders.get(nbr)?.CustomerID)!,
      amount: val<number>(erp.invoices.get(invoice)?.Balance)!,
      invoiceNbr: invoice,
      method: 'CHECK',
      ref: 'CHK-77',
    });
    erp.releasePayment(paid);
    run = await batchBetween(ctx, 'acumatica,sellercloud', 30);
    expect(run.failures).toEqual([]);
    expect(notes()).toHaveLength(2);
    expect(notes()[1]).toMatch(new RegExp(`^Invoice ${invoice} .*: Closed, .*paid in full$`));
  }, 120_000);

  it('Acumatica customers reach SellerCloud by e-mail; a second batch either way writes nothing', async () => {
    const { failures } = await batchBetween(ctx, 'acumatica,sellercloud', 30);
    expect(failures).toEqual([]);
    const emails = new Set([...hub.data.customers.values()].map((c) => c.Email?.toLowerCase()));
    for (const c of erp.customers.values()) {
      const email = val<string>(c.MainContact?.Email);
      if (email) expect(emails.has(email.toLowerCase()), email).toBe(true);
    }
    // Acumatica's four customers were added; the customers SellerCloud's orders brought to Acumatica
    // were recognised as SellerCloud's own, never created twice.
    expect(hub.data.customers.size).toBe(4 + 4);
    expect(emails.size).toBe(hub.data.customers.size);
    const again = [
      ...(await batchBetween(ctx, 'acumatica,sellercloud', 30)).runs,
      ...(await batchBetween(ctx, 'sellercloud,acumatica', 30)).runs,
    ];
    expect(nothingWritten(again).filter(([, c, u, f]) => c || u || f)).toEqual([]);
  }, 120_000);
});
