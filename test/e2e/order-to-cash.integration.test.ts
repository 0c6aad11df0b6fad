import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { DIALECTS } from '../support/databases.js';
import { closeAndCheck, type OrderEnvironment, startOrderEnvironment } from '../support/order-environment.js';

const A2M = 'acumatica-magento.orders';
const val = <T>(w: { value?: T | null } | undefined): T | undefined => w?.value ?? undefined;

/**
 * The seed's walk-through (001), end to end over loopback HTTP with real-time triggers: a person
 * works in Acumatica's screens (the sandbox's helpers); Acumatica pushes each change to Ledgerlink's
 * webhook intake; Ledgerlink syncs what the order sync preferences let through to Magento.
 */
describe.each(DIALECTS)('order to cash, Acumatica → Magento in real time (%s store)', (dialect) => {
  let env: OrderEnvironment;
  let orderNbr: string;
  let paymentNbr: string;
  let shipmentNbr: string;
  let invoiceNbr: string;

  const record = (flow: string, id: string) => env.ctx.store.records.get(flow, id);
  const stateOf = async (flow: string, id: string) => (await record(flow, id))?.state;
  const magentoOrder = () => [...env.magento.orders.values()].find((o) => o.ext_order_id === orderNbr);

  beforeAll(async () => {
    env = await startOrderEnvironment({ customers: 20, products: 20, dialect });
  });
  afterAll(() => closeAndCheck(env));

  it('an unpaid order matches none of the sync preferences: skipped, and the log says which failed and why', async () => {
    orderNbr = env.acumatica.createSalesOrder({
      customerId: 'C000003',
      lines: [
        { inventoryId: 'ITEM00004', qty: 2 },
        { inventoryId: 'ITEM00007', qty: 1, discount: '1.50' },
      ],
      shipVia: 'FLATRATE',
      paymentMethod: 'CHECK',
      taxIds: ['NYSTATE'],
    });
    await env.until(async () => (await stateOf(A2M, orderNbr)) === 'skipped', 'the order to be skipped');
    const unpaid = val(env.acumatica.orders.get(orderNbr)?.Totals?.UnpaidBalance as { value?: number });
    expect((await record(A2M, orderNbr))?.reason).toBe(
      `no sync condition holds: "unpaid balance is 0.00" is false (the unpaid balance is ${unpaid} USD), "status is Completed" is false (the status is Open), "picked up by the customer (ship via WILLCALL)" is false (it ships via FLATRATE)`,
    );
    expect(magentoOrder()).toBeUndefined();
  });

  it('a payment brings the unpaid balance to 0.00: the order syncs, customer and products first, and each shows the other’s number', async () => {
    const total = val(env.acumatica.orders.get(orderNbr)?.OrderTotal as { value?: number })!;
    paymentNbr = env.acumatica.createPayment({
      customerId: 'C000003',
      amount: total,
      orderNbr,
      method: 'CHECK',
      ref: 'CHK-1001',
    });
    await env.until(async () => (await stateOf(A2M, orderNbr)) === 'processed', 'the order to sync');
    const m = magentoOrder()!;
    expect(m).toBeDefined();
    // The customer and the two products were synced first, by their own flows.
    expect((await record('acumatica-magento.customers', 'C000003'))?.state).toBe('processed');
    expect(Number(m.customer_id)).toBe(
      Number((await record('acumatica-magento.customers', 'C000003'))?.target_id),
    );
    for (const sku of ['ITEM00004', 'ITEM00007'])
      expect((await record('acumatica-magento.products', sku))?.state).toBe('processed');
    // Totals to the cent, the shipping and payment methods mapped.
    expect(m.grand_total).toBe(total);
    // Magento counts payment by invoice: the order waits for the ERP's invoices to carry the money.
    expect([m.total_paid, m.total_due]).toEqual([0, total]);
    expect(m.tax_amount).toBe(val(env.acumatica.orders.get(orderNbr)?.TaxTotal as { value?: number }));
    expect(m.extension_attributes?.shipping_assignments?.[0]?.shipping?.method).toBe('flatrate_flatrate');
    expect(m.payment?.method).toBe('checkmo');
    // Magento shows the Acumatica number; Acumatica shows the Magento number.
    expect(m.ext_order_id).toBe(orderNbr);
    expect(val(env.acumatica.orders.get(orderNbr)?.ExternalRef as { value?: string })).toBe(m.increment_id);
    expect((await record(A2M, orderNbr))?.target_number).toBe(m.increment_id);
  });

  it('a confirmed shipment becomes a Magento shipment with its carrier and tracking number', async () => {
    shipmentNbr = env.acumatica.createShipment(orderNbr, { trackingNumbers: ['1Z999AA10123456784'] });
    await env.until(
      async () => (await stateOf('acumatica-magento.shipments', shipmentNbr)) === 'skipped',
      'the open shipment to be skipped',
    );
    env.acumatica.confirmShipment(shipmentNbr);
    await env.until(
      async () => (await stateOf('acumatica-magento.shipments', shipmentNbr)) === 'processed',
      'the shipment to sync',
    );
    const m = magentoOrder()!;
    const shipments = [...env.magento.shipments.values()].filter((s) => s.order_id === m.entity_id);
    expect(shipments).toHaveLength(1);
    expect(shipments[0]?.tracks?.map((t) => [t.track_number, t.carrier_code])).toEqual([
      ['1Z999AA10123456784', 'flatrate'],
    ]);
    expect(shipments[0]?.items?.reduce((n, i) => n + Number(i.qty), 0)).toBe(3);
  });

  it('a released invoice becomes a Magento invoice, and the order is complete', async () => {
    invoiceNbr = env.acumatica.prepareInvoice(shipmentNbr);
    env.acumatica.releaseInvoice(invoiceNbr);
    await env.until(
      async () => (await stateOf('acumatica-magento.invoices', invoiceNbr)) === 'processed',
      'the invoice to sync',
    );
    const m = magentoOrder()!;
    const invoices = [...env.magento.invoices.values()].filter((i) => i.order_id === m.entity_id);
    expect(invoices).toHaveLength(1);
    expect(invoices[0]?.grand_total).toBe(m.grand_total);
    expect(m.state).toBe('complete');
    // Paid once: before the fix the order was created paid and the invoice paid it again (2×).
    expect([m.total_invoiced, m.total_paid, m.total_due]).toEqual([m.grand_total, m.grand_total, 0]);
  });

  it('the released payment is noted on the Magento order', async () => {
    env.acumatica.releasePayment(paymentNbr);
    await env.until(
      async () => (await stateOf('acumatica-magento.payments', paymentNbr)) === 'processed',
      'the payment to sync',
    );
    const comments = magentoOrder()!.status_histories?.map((h) => h.comment) ?? [];
    expect(comments.some((c) => c?.includes(`Payment ${paymentNbr}`))).toBe(true);
  });

  it('an order that waited on a customer without an e-mail goes through once the customer has one', async () => {
    const customer = 'C000006';
    const setEmail = (email: string | null) =>
      env.acumatica.touch('customer', [customer], (r) => {
        const c = r as { Email?: { value: string }; MainContact: { Email?: { value: string } } };
        if (email === null) {
          delete c.Email;
          delete c.MainContact.Email;
        } else c.MainContact.Email = { value: email };
      });
    setEmail(null);
    await env.until(
      async () => (await stateOf('acumatica-magento.customers', customer)) === 'failed',
      'the customer without an e-mail to fail',
    );
    // Entered now, the order copies the customer's contact: it has no e-mail either.
    const nbr = env.acumatica.createSalesOrder({
      customerId: customer,
      lines: [{ inventoryId: 'ITEM00004', qty: 1 }],
      shipVia: 'FLATRATE',
      paymentMethod: 'CHECK',
      taxIds: ['NYSTATE'],
    });
    const total = val(env.acumatica.orders.get(nbr)?.OrderTotal as { value?: number })!;
    env.acumatica.createPayment({
      customerId: customer,
      amount: total,
      orderNbr: nbr,
      method: 'CHECK',
      ref: 'CHK-2',
    });
    await env.until(async () => (await stateOf(A2M, nbr)) === 'waiting', 'the order to wait on its customer');
    expect((await record(A2M, nbr))?.waiting_on).toMatch(/customer/);

    setEmail('found.later@example.com');
    await env.until(async () => (await stateOf(A2M, nbr)) === 'processed', 'the order to go through', 60_000);
    // Before the fix it failed for good: "Magento needs the customer's e-mail address; the order has none".
    const m = [...env.magento.orders.values()].find((o) => o.ext_order_id === nbr)!;
    expect(m.customer_email).toBe('found.later@example.com');
    expect(Number(m.customer_id)).toBe(
      Number((await record('acumatica-magento.customers', customer))?.target_id),
    );
  });

  it('ledgerlink log --record tells the whole story of the order under either system’s number', async () => {
    const m = magentoOrder()!;
    const steps = (rows: Array<{ flow: string; status: string; source_id: string }>) =>
      rows.map((r) => `${r.flow} ${r.source_id} ${r.status}`).reverse();
    // In the order things happened; the unreleased payment's skip and the order's sync come from one
    // save in Acumatica, so either may be logged first.
    const expected = [
      `${A2M} ${orderNbr} skipped`,
      `acumatica-magento.payments ${paymentNbr} skipped`,
      `${A2M} ${orderNbr} success`,
      `acumatica-magento.shipments ${shipmentNbr} skipped`,
      `acumatica-magento.shipments ${shipmentNbr} success`,
      `acumatica-magento.invoices ${invoiceNbr} success`,
      `acumatica-magento.payments ${paymentNbr} success`,
    ];
    const inOrder = (got: string[]) => {
      expect([...got].sort()).toEqual([...expected].sort());
      expect(got.slice(3)).toEqual(expected.slice(3));
      expect(got[0]).toBe(expected[0]);
    };
    for (const id of [orderNbr, m.increment_id!])
      inOrder(steps((await env.ctx.store.log.list({ record: id })).rows));
    const success = (await env.ctx.store.log.list({ record: orderNbr, status: ['success'] })).rows;
    for (const r of success) expect(r.target_id).toBeTruthy();
    expect(success.find((r) => r.flow === A2M)).toMatchObject({
      source_id: orderNbr,
      target_id: String(m.entity_id),
      target_number: m.increment_id,
    });
    // The entry shows the order that was sent, and every call of the attempt (the comment after it).
    const created = (await env.ctx.store.log.get(success.find((r) => r.flow === A2M)!.id))!;
    expect(JSON.parse(created.request!)).toMatchObject({
      method: 'POST',
      url: expect.stringMatching(/\/V1\/orders$/),
    });
    const calls = JSON.parse(created.calls!) as Array<{ method: string; url: string }>;
    expect(calls.map((c) => `${c.method} ${c.url.replace(/^.*\/V1\//, '')}`)).toContain(
      `POST orders/${m.entity_id}/comments`,
    );
    // The same story from the command a person types.
    const cli = await runCli(['log', '--record', orderNbr, '--json', '-c', env.configPath]);
    expect(cli.code, cli.stderr).toBe(0);
    const out = JSON.parse(cli.stdout) as {
      entries: Array<{ flow: string; status: string; source_id: string }>;
    };
    inOrder(steps(out.entries));
  });
});
