import { Decimal } from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RawPayment, RawSalesOrder } from '../../src/connectors/acumatica/types.js';
import type { MagentoOrder } from '../../src/connectors/magento/sales-types.js';
import { COUNTRIES } from '../../src/connectors/magento/sandbox/directory.js';
import type { PlaceOrderInput } from '../../src/connectors/magento/sandbox/index.js';
import type { LogEntry } from '../../src/store/index.js';
import { closeAndCheck, type OrderEnvironment, startOrderEnvironment } from '../support/order-environment.js';

const M2A = 'magento-acumatica.orders';
const val = <T>(w: unknown): T | undefined => (w as { value?: T } | undefined)?.value ?? undefined;
const cents = (n: Decimal.Value | undefined) => new Decimal(n ?? 0).toFixed(2);
const NY = COUNTRIES.US!.available_regions!.find((r) => r.code === 'NY')!;

/**
 * Issue 14, item 4: what happens to a web order after it reached the ERP. Magento → Acumatica over
 * loopback with both sandboxes' webhooks on: the money Magento captured is a prepayment applied to
 * the sales order; a cancellation, a hold, an unhold and a refund reach the linked order — or are
 * refused or ignored, logged with the reason; every webhook delivered twice has one effect.
 */
describe('web orders after they reached Acumatica: cancel, hold, money', () => {
  let env: OrderEnvironment;

  const place = (extra: Partial<PlaceOrderInput> = {}): MagentoOrder =>
    env.magento.placeOrder({
      customerId: 1,
      lines: [
        { sku: 'ITEM00003', qty: 2, taxPercent: '8.875' },
        { sku: 'ITEM00004', qty: 1, taxPercent: '8.875' },
      ],
      address: {
        country_id: 'US',
        region: NY.name,
        region_code: NY.code,
        region_id: Number(NY.id),
        city: 'New York',
        postcode: '10118',
      },
      paymentMethod: 'braintree',
      ...extra,
    });

  const magento = (m: MagentoOrder) => env.magento.orders.get(m.entity_id!)!;
  const acumatica = (m: MagentoOrder): RawSalesOrder => {
    const found = [...env.acumatica.orders.values()].filter(
      (o) => val<string>(o.ExternalRef) === m.increment_id,
    );
    expect(found, `one Acumatica order for ${m.increment_id}`).toHaveLength(1);
    return found[0]!;
  };
  const nbrOf = (m: MagentoOrder) => val<string>(acumatica(m).OrderNbr)!;
  const documents = (m: MagentoOrder, type: 'Prepayment' | 'Refund'): RawPayment[] =>
    [...env.acumatica.payments.values()].filter(
      (p) => val(p.Type) === type && (val<string>(p.PaymentRef) ?? '').startsWith(`${m.increment_id}/`),
    );
  const entries = async (m: MagentoOrder): Promise<LogEntry[]> =>
    (await env.ctx.store.log.list({ flow: M2A, sourceId: String(m.entity_id), limit: 100 })).rows.reverse();
  const lastEntry = async (m: MagentoOrder) => (await entries(m)).at(-1)!;

  const nextSecond = () => new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));

  /** Until every Magento save so far has reached Ledgerlink and the webhook job has drained its inbox. */
  const synced = async (what: string) => {
    await env.magento.webhooksSettled();
    await env.until(
      async () => (await env.ctx.store.inbox.count({ connection: 'magento', status: 'received' })) === 0,
      what,
    );
  };

  /**
   * Every delivery Magento made to Ledgerlink for these orders, sent again, and a polling pass over
   * them: neither writes anything to Acumatica nor adds to the log.
   */
  const repeatedHaveNoEffect = async (
    orders: MagentoOrder[],
    outcome: 'unchanged' | 'skipped' = 'unchanged',
  ) => {
    const hook = `${env.svc.url}/hooks/magento`;
    const ids = new Set(orders.map((o) => o.entity_id));
    const writes = env.acumatica.kit.writeCalls().length;
    const logged = (await Promise.all(orders.map(entries))).flat().length;
    const deliveries = env.magento.webhookLog.filter((d) => {
      const order = (JSON.parse(d.body) as { data?: { order?: { entity_id?: number } } }).data?.order;
      return d.url === hook && d.status === 200 && ids.has(order?.entity_id);
    });
    expect(deliveries.length).toBeGreaterThan(0);
    for (const d of deliveries) {
      const res = await fetch(hook, { method: 'POST', headers: d.headers, body: d.body });
      expect(res.status).toBe(200);
    }
    await synced('the repeated deliveries');
    const again = await env.ctx.engine.runIds(
      M2A,
      orders.map((o) => String(o.entity_id)),
      'manual',
    );
    expect(again.outcomes.map((o) => o.status)).toEqual(orders.map(() => outcome));
    expect(env.acumatica.kit.writeCalls().length, 'Acumatica writes after the repeats').toBe(writes);
    expect((await Promise.all(orders.map(entries))).flat().length, 'log entries after the repeats').toBe(
      logged,
    );
  };

  beforeAll(async () => {
    env = await startOrderEnvironment({
      customers: 20,
      products: 20,
      magentoCustomers: 4,
      patch: { connections: { acumatica: { guestCustomerId: 'C000001' } } },
    });
    // The catalog and the ERP's customers are in the shop first, as in any installation.
    for (const flow of ['acumatica-magento.customers', 'acumatica-magento.products'])
      expect((await env.ctx.engine.run(flow, { trigger: 'batch' })).counts.failed).toBe(0);
  }, 120_000);
  afterAll(() => closeAndCheck(env));

  it('paid at checkout, then refunded in full (Magento closes it): a prepayment pays the Acumatica order, then a refund gives it back and the order is cancelled, as the log says', async () => {
    const m = place({ capture: true });
    expect(cents(m.total_paid)).toBe(cents(m.grand_total));
    await synced('the paid order');
    const nbr = nbrOf(m);
    const [prepayment, ...more] = documents(m, 'Prepayment');
    expect(more, 'one prepayment').toEqual([]);
    // Released: Open or Closed, as its balance goes.
    expect(['Open', 'Closed']).toContain(val(prepayment!.Status));
    expect(prepayment).toMatchObject({
      CustomerID: acumatica(m).CustomerID,
      PaymentMethod: { value: 'CCARD' },
      PaymentRef: { value: `${m.increment_id}/${cents(m.total_paid)}` },
    });
    expect(cents(val(prepayment!.PaymentAmount))).toBe(cents(m.grand_total));
    expect(prepayment!.OrdersToApply?.map((a) => [val(a.OrderNbr), cents(val(a.AppliedToOrder))])).toEqual([
      [nbr, cents(m.grand_total)],
    ]);
    expect(cents(val(acumatica(m).Totals?.UnpaidBalance))).toBe('0.00');
    const created = await lastEntry(m);
    expect(created).toMatchObject({ action: 'create', status: 'success', target_number: nbr });
    expect(created.reason).toContain(
      `prepayment of ${cents(m.grand_total)} USD applied to sales order SO ${nbr} (captured in the shop): prepayment ${val(prepayment!.ReferenceNbr)}, released`,
    );

    env.magento.refundOrder(m.entity_id!);
    expect(magento(m)).toMatchObject({ state: 'closed', total_refunded: m.grand_total });
    await synced('the refund');
    expect(val(acumatica(m).Status)).toBe('Canceled');
    const [refund, ...moreRefunds] = documents(m, 'Refund');
    expect(moreRefunds).toEqual([]);
    expect(['Open', 'Closed']).toContain(val(refund!.Status));
    expect(refund!.DocumentsToApply?.map((a) => [val(a.DocType), val(a.ReferenceNbr)])).toEqual([
      ['Prepayment', val(prepayment!.ReferenceNbr)],
    ]);
    expect(cents(val(acumatica(m).Totals?.UnpaidBalance))).toBe(cents(m.grand_total));
    const cancelled = await lastEntry(m);
    expect(cancelled).toMatchObject({ action: 'update', status: 'success' });
    expect(cancelled.reason).toContain(`refund of ${cents(m.grand_total)} USD from prepayment`);
    expect(cancelled.reason).toContain(
      `web order ${m.increment_id} was refunded in full in the shop (closed): sales order SO ${nbr} cancelled (CancelSalesOrder)`,
    );
    await repeatedHaveNoEffect([m]);
  });

  it('captured later, in two invoices: one prepayment for each capture, and the order owes nothing', async () => {
    const m = place();
    await synced('the unpaid order');
    expect(documents(m, 'Prepayment')).toEqual([]);
    expect(cents(val(acumatica(m).Totals?.UnpaidBalance))).toBe(cents(m.grand_total));

    const first = magento(m).items[0]!;
    env.magento.invoiceOrder(m.entity_id!, {
      capture: true,
      items: [{ order_item_id: first.item_id!, qty: first.qty_ordered! }],
    });
    const part = magento(m).total_paid!;
    await synced('the first capture');
    expect(documents(m, 'Prepayment').map((p) => cents(val(p.PaymentAmount)))).toEqual([cents(part)]);
    expect(cents(val(acumatica(m).Totals?.UnpaidBalance))).toBe(
      cents(new Decimal(m.grand_total).minus(part)),
    );

    env.magento.invoiceOrder(m.entity_id!, { capture: true });
    await synced('the second capture');
    expect(documents(m, 'Prepayment').map((p) => [val(p.PaymentRef), cents(val(p.PaymentAmount))])).toEqual([
      [`${m.increment_id}/${cents(part)}`, cents(part)],
      [`${m.increment_id}/${cents(m.grand_total)}`, cents(new Decimal(m.grand_total).minus(part))],
    ]);
    expect(cents(val(acumatica(m).Totals?.UnpaidBalance))).toBe('0.00');
    await repeatedHaveNoEffect([m]);
  });

  it('invoiced in Acumatica: the invoice reaches Magento, which counts it as paid — and that is not sent back as a prepayment', async () => {
    const m = place({ paymentMethod: 'checkmo' });
    await synced('the unpaid order');
    const nbr = nbrOf(m);
    const shipment = env.acumatica.createShipment(nbr);
    env.acumatica.confirmShipment(shipment);
    env.acumatica.releaseInvoice(env.acumatica.prepareInvoice(shipment));
    await env.until(
      () => [...env.magento.invoices.values()].some((i) => i.order_id === m.entity_id),
      'the Acumatica invoice in Magento',
    );
    expect(cents(magento(m).total_paid)).toBe(cents(m.grand_total));
    await synced('the invoiced order');
    expect(documents(m, 'Prepayment')).toEqual([]);
    expect((await entries(m)).map((e) => e.status)).toEqual(['success']);
  });

  it('cancelled in Magento before anything was paid: the Acumatica order is cancelled', async () => {
    const m = place();
    await synced('the order');
    expect(env.magento.cancelOrder(m.entity_id!)).toBe(true);
    await synced('the cancellation');
    expect(val(acumatica(m).Status)).toBe('Canceled');
    expect(await lastEntry(m)).toMatchObject({
      status: 'success',
      reason: `web order ${m.increment_id} was cancelled in the shop: sales order SO ${nbrOf(m)} cancelled (CancelSalesOrder)`,
    });
    await repeatedHaveNoEffect([m]);
  });

  it('held and released in Magento: the Acumatica order is put on hold, then taken off hold', async () => {
    const m = place();
    await synced('the order');
    env.magento.holdOrder(m.entity_id!);
    await synced('the hold');
    expect(acumatica(m)).toMatchObject({ Hold: { value: true }, Status: { value: 'On Hold' } });
    expect((await lastEntry(m)).reason).toBe(
      `web order ${m.increment_id} was put on hold in the shop: sales order SO ${nbrOf(m)} put on hold`,
    );
    // Magento stamps updated_at to the second: released within the second it was held, the order's
    // webhook body would be the very one of its placement, which the intake drops as a repeat (the
    // polling pass would still catch it).
    await nextSecond();
    env.magento.unholdOrder(m.entity_id!);
    await synced('the release');
    expect(acumatica(m)).toMatchObject({ Hold: { value: false }, Status: { value: 'Open' } });
    expect((await lastEntry(m)).reason).toBe(
      `web order ${m.increment_id} was released from hold in the shop: sales order SO ${nbrOf(m)} taken off hold`,
    );
    await repeatedHaveNoEffect([m]);
  });

  it('cancelled in Magento after Acumatica shipped it: failed, naming the shipment, and Acumatica is left as it is', async () => {
    const m = place();
    await synced('the order');
    const shipment = env.acumatica.createShipment(nbrOf(m));
    expect(val(acumatica(m).Status)).toBe('Shipping');
    await env.acumatica.pushIdle();
    env.magento.cancelOrder(m.entity_id!);
    await synced('the cancellation');
    expect(val(acumatica(m).Status)).toBe('Shipping');
    const failed = await lastEntry(m);
    expect(failed).toMatchObject({ action: 'update', status: 'failed', error_category: 'rejected' });
    expect(failed.reason).toBe(
      `web order ${m.increment_id} was cancelled in the shop, but Acumatica cannot cancel sales order SO ${nbrOf(m)}: it cancels only orders without shipments that are On Hold, Open, Awaiting Payment or Credit Hold, and sales order SO ${nbrOf(m)} is Shipping (shipment ${shipment}); cancel or return the shipment in Acumatica, then retry`,
    );
    expect((await env.ctx.store.records.get(M2A, String(m.entity_id)))?.state).toBe('failed');
    // Delivered again: refused again, and nothing is written to Acumatica.
    const writes = env.acumatica.kit.writeCalls().length;
    await env.ctx.engine.runIds(M2A, [String(m.entity_id)], 'manual');
    expect(env.acumatica.kit.writeCalls().length).toBe(writes);
  });

  it('refunded in part in Magento: a refund of that amount in Acumatica, logged with the amount; the order owes it again', async () => {
    const m = place({ capture: true });
    await synced('the paid order');
    const second = magento(m).items[1]!;
    env.magento.refundOrder(m.entity_id!, {
      items: [{ order_item_id: second.item_id!, qty: 1 }],
      arguments: { shipping_amount: 0 },
    });
    const refunded = magento(m).total_refunded!;
    expect(magento(m).state).toBe('processing');
    await synced('the partial refund');
    expect(documents(m, 'Refund').map((r) => cents(val(r.PaymentAmount)))).toEqual([cents(refunded)]);
    expect(cents(val(acumatica(m).Totals?.UnpaidBalance))).toBe(cents(refunded));
    expect(val(acumatica(m).Status)).toBe('Open');
    const [prepayment] = documents(m, 'Prepayment');
    expect((await lastEntry(m)).reason).toBe(
      `refund of ${cents(refunded)} USD from prepayment ${val(prepayment!.ReferenceNbr)} (refunded in the shop): refund ${val(documents(m, 'Refund')[0]!.ReferenceNbr)}, released`,
    );
    await repeatedHaveNoEffect([m]);
  });

  it('refunded after Acumatica shipped it: only noted, with the amount, as a return to enter in Acumatica', async () => {
    const m = place({ capture: true });
    await synced('the paid order');
    env.acumatica.createShipment(nbrOf(m));
    await env.acumatica.pushIdle();
    const first = magento(m).items[0]!;
    env.magento.refundOrder(m.entity_id!, {
      items: [{ order_item_id: first.item_id!, qty: 1 }],
      arguments: { shipping_amount: 0 },
    });
    const refunded = magento(m).total_refunded!;
    await synced('the refund');
    expect(documents(m, 'Refund')).toEqual([]);
    expect(await lastEntry(m)).toMatchObject({
      status: 'skipped',
      reason: `the shop refunded ${cents(refunded)} USD of web order ${m.increment_id}; sales order SO ${nbrOf(m)} has shipped, so in Acumatica the refund is a return: enter it there (a return order and its credit memo)`,
    });
    await repeatedHaveNoEffect([m]);
  });

  it('with the setting "hold", a cancellation puts the order on hold; with "ignore", it is logged as ignored and Acumatica is left alone', async () => {
    await env.reconfigure({
      connections: { acumatica: { guestCustomerId: 'C000001', webOrderCancellation: 'hold' } },
    });
    const held = place();
    await synced('the order');
    env.magento.cancelOrder(held.entity_id!);
    await synced('the cancellation');
    expect(acumatica(held)).toMatchObject({ Hold: { value: true }, Status: { value: 'On Hold' } });
    expect((await lastEntry(held)).reason).toBe(
      `web order ${held.increment_id} was cancelled in the shop: sales order SO ${nbrOf(held)} put on hold for a person to decide (the connection's setting "When a web order is cancelled" is hold)`,
    );
    await repeatedHaveNoEffect([held]);

    await env.reconfigure({
      connections: { acumatica: { guestCustomerId: 'C000001', webOrderCancellation: 'ignore' } },
    });
    const left = place();
    await synced('the order');
    const writes = env.acumatica.kit.writeCalls().length;
    env.magento.cancelOrder(left.entity_id!);
    await synced('the cancellation');
    expect(env.acumatica.kit.writeCalls().length).toBe(writes);
    expect(val(acumatica(left).Status)).toBe('Open');
    expect(await lastEntry(left)).toMatchObject({
      status: 'skipped',
      reason: `web order ${left.increment_id} was cancelled in the shop; sales order SO ${nbrOf(left)} left as it is: ignored, as the Acumatica connection's setting "When a web order is cancelled" is ignore`,
    });
    // A deliberate skip is asked again with each change (a changed setting then applies), logged once.
    await repeatedHaveNoEffect([left], 'skipped');
  });
});
