import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WriteItem, WriteResult } from '../sdk/contract.js';
import { fieldHash } from '../sdk/field-hash.js';
import { settingsSchema } from '../sdk/manifest.js';
import { type AcumaticaConnector, acumaticaConnector } from './index.js';
import { ENDPOINT_VERSIONS } from './manifest.js';
import { type AcumaticaSandbox, SANDBOX_CREDENTIALS, startAcumaticaSandbox } from './sandbox/index.js';

const usd = (amount: string) => ({ amount, currency: 'USD' });
const val = <T>(w: unknown): T | undefined => (w as { value?: T } | undefined)?.value ?? undefined;

/** A web order as the engine hands it to Acumatica: 2 × 20.00 + 4.00, 8.875 % tax, 5.00 freight. */
const order = (number: string, patch: Record<string, unknown> = {}) => ({
  number,
  status: 'processing',
  customerNumber: '17',
  guest: false,
  orderDate: '2026-03-02',
  currency: 'USD',
  paymentMethod: 'CCARD',
  lines: [
    {
      lineNumber: 1,
      sku: 'ITEM00001',
      quantity: '2',
      unit: 'EA',
      unitPrice: usd('20.00'),
      total: usd('40.00'),
    },
    {
      lineNumber: 2,
      sku: 'ITEM00002',
      quantity: '1',
      unit: 'EA',
      unitPrice: usd('4.00'),
      total: usd('4.00'),
    },
  ],
  shippingTotal: usd('5.00'),
  taxLines: [{ code: 'NYSTATE', rate: '8.875', taxable: usd('44.00'), tax: usd('3.91') }],
  taxTotal: usd('3.91'),
  orderTotal: usd('52.91'),
  lifecycle: 'open',
  paidTotal: usd('0'),
  refundedTotal: usd('0'),
  updatedAt: '2026-03-02T10:00:00Z',
  ...patch,
});

const refs = { customer: { '17': 'C000001' }, product: { ITEM00001: 'ITEM00001', ITEM00002: 'ITEM00002' } };

/**
 * The Acumatica connector's side of a web order's later life, on both endpoint versions, against the
 * sandbox with every exchange checked against the published swagger: the prepayment of the money
 * captured, its refund, CancelSalesOrder (202, then 204), the Hold check box, and what is refused.
 */
for (const version of ENDPOINT_VERSIONS) {
  describe(`web order lifecycle on Acumatica Default/${version}`, () => {
    let sb: AcumaticaSandbox;
    let c: AcumaticaConnector;

    const connect = (extra: Record<string, unknown> = {}) =>
      acumaticaConnector.create(
        settingsSchema(acumaticaConnector.manifest.connectionFields).parse({
          baseUrl: sb.url,
          username: SANDBOX_CREDENTIALS.username,
          password: SANDBOX_CREDENTIALS.password,
          company: SANDBOX_CREDENTIALS.company,
          endpointVersion: version,
          timeoutMs: 5000,
          ...extra,
        }),
        { connection: 'acumatica', logger: pino({ level: 'silent' }) },
      ) as AcumaticaConnector;

    const write = async (item: Omit<WriteItem, 'ref'>, connector = c): Promise<WriteResult> => {
      const [r] = await connector.write('salesOrder', [{ ref: 'r', refs, ...item }]);
      return r!;
    };
    const create = async (data: Record<string, unknown>) => {
      const r = await write({ action: 'create', data });
      if (!r.ok || r.action !== 'created') throw new Error(JSON.stringify(r));
      return r;
    };
    const update = (
      nbr: string,
      data: Record<string, unknown>,
      fields: string[],
      lastWritten?: Record<string, string>,
    ) => write({ action: 'update', targetId: nbr, data, fields, ...(lastWritten ? { lastWritten } : {}) });
    const payments = (number: string, type: string) =>
      [...sb.payments.values()].filter(
        (p) => val(p.Type) === type && (val<string>(p.PaymentRef) ?? '').startsWith(`${number}/`),
      );

    beforeAll(async () => {
      sb = await startAcumaticaSandbox({ customers: 2, products: 4, conformance: true, seed: 5 });
      c = connect();
    });
    afterAll(async () => {
      await c.close();
      await sb.close();
      expect(sb.kit.violations, 'exchanges that depart from the published swagger').toEqual([]);
    });

    it('created paid: the order and a released prepayment applied to it, in two calls plus the release', async () => {
      const before = sb.kit.writeCalls().length;
      const r = await create(order('200000001', { paidTotal: usd('52.91') }));
      const o = sb.orders.get(r.targetId)!;
      expect(val(o.Totals?.UnpaidBalance)).toBe(0);
      const [p, ...more] = payments('200000001', 'Prepayment');
      expect(more).toEqual([]);
      expect(p).toMatchObject({
        CustomerID: { value: 'C000001' },
        PaymentMethod: { value: 'CCARD' },
        PaymentAmount: { value: 52.91 },
        PaymentRef: { value: '200000001/52.91' },
      });
      expect(['Open', 'Closed']).toContain(val(p!.Status));
      expect(r.reason).toBe(
        `created ${r.targetId}; prepayment of 52.91 USD applied to sales order SO ${r.targetId} (captured in the shop): prepayment ${val(p!.ReferenceNbr)}, released`,
      );
      // PUT SalesOrder, PUT Payment, POST ReleasePayment (then its status is read).
      expect(sb.kit.writeCalls().length - before).toBe(3);
    });

    it('refunded in full and closed: a refund of the prepayment, released, then CancelSalesOrder; again: already so', async () => {
      const { targetId: nbr } = await create(order('200000002', { paidTotal: usd('52.91') }));
      const closed = order('200000002', {
        paidTotal: usd('52.91'),
        refundedTotal: usd('52.91'),
        lifecycle: 'closed',
      });
      const r = await update(nbr, closed, ['lifecycle', 'refundedTotal']);
      expect(r).toMatchObject({ ok: true, action: 'updated', pending: [] });
      const [refund] = payments('200000002', 'Refund');
      expect(refund?.DocumentsToApply?.map((a) => [val(a.DocType), val(a.AmountPaid)])).toEqual([
        ['Prepayment', 52.91],
      ]);
      expect(val(sb.orders.get(nbr)!.Status)).toBe('Canceled');
      expect(val(sb.orders.get(nbr)!.Totals?.UnpaidBalance)).toBe(52.91);
      // The same change asked again (a lost answer): nothing is written twice.
      const writes = sb.kit.writeCalls().length;
      expect(await update(nbr, closed, ['lifecycle', 'refundedTotal'])).toMatchObject({
        ok: true,
        action: 'unchanged',
      });
      expect(sb.kit.writeCalls().length).toBe(writes);
    });

    it("a cancellation Acumatica refuses — a payment that is not Ledgerlink's still on the order — fails with Acumatica's words", async () => {
      const { targetId: nbr } = await create(order('200000003'));
      sb.createPayment({ customerId: 'C000001', amount: 10, orderNbr: nbr });
      const r = await update(nbr, order('200000003', { lifecycle: 'canceled' }), ['lifecycle']);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error).toMatchObject({ category: 'rejected', code: 'conflict' });
      expect(r.error.message).toMatch(
        new RegExp(
          `^cancelling sales order SO ${nbr} failed: Acumatica could not complete the CancelSalesOrder of SalesOrder SO ${nbr}: The SO ${nbr} sales order cannot be cancelled because the Payment \\d+ is applied to it`,
        ),
      );
      expect(val(sb.orders.get(nbr)!.Status)).toBe('Open');
    });

    it('held, then released: the Hold check box; a hold a person put on is left', async () => {
      const { targetId: nbr } = await create(order('200000004'));
      const held = await update(nbr, order('200000004', { lifecycle: 'on_hold' }), ['lifecycle']);
      expect(held).toMatchObject({ ok: true, action: 'updated' });
      expect(val(sb.orders.get(nbr)!.Status)).toBe('On Hold');
      const open = order('200000004', { lifecycle: 'open' });
      // Without knowing it put the hold on, the connector leaves it.
      expect(await update(nbr, open, ['lifecycle'])).toMatchObject({ ok: true, action: 'skipped' });
      expect(val(sb.orders.get(nbr)!.Status)).toBe('On Hold');
      const released = await update(nbr, open, ['lifecycle'], { lifecycle: fieldHash('on_hold') });
      expect(released).toMatchObject({ ok: true, action: 'updated' });
      expect(val(sb.orders.get(nbr)!.Status)).toBe('Open');
    });

    it('cancelled before it reached Acumatica: not created, skipped with the reason', async () => {
      const r = await write({ action: 'create', data: order('200000005', { lifecycle: 'canceled' }) });
      expect(r).toEqual({
        ref: 'r',
        ok: true,
        action: 'skipped',
        reason: 'web order 200000005 was cancelled in the shop before it reached Acumatica; not created',
      });
      expect([...sb.orders.values()].filter((o) => val(o.ExternalRef) === '200000005')).toEqual([]);
    });

    it('settings: hold instead of cancel; prepayments left unreleased, then released when allowed', async () => {
      const holding = connect({ webOrderCancellation: 'hold', releasePayments: false });
      try {
        const { targetId: nbr } = await create(order('200000006'));
        const r = await write(
          {
            action: 'update',
            targetId: nbr,
            data: order('200000006', { lifecycle: 'canceled', paidTotal: usd('20.00') }),
            fields: ['lifecycle', 'paidTotal'],
          },
          holding,
        );
        expect(r).toMatchObject({ ok: true, action: 'updated', pending: [] });
        expect(val(sb.orders.get(nbr)!.Status)).toBe('On Hold');
        const [p] = payments('200000006', 'Prepayment');
        expect(val(p!.Status)).toBe('Balanced');
        // Released once the setting allows, when the money is next looked at.
        const r2 = await update(nbr, order('200000006', { paidTotal: usd('30.00') }), ['paidTotal']);
        expect(r2).toMatchObject({ ok: true, action: 'updated' });
        expect(payments('200000006', 'Prepayment').map((x) => [val(x.PaymentAmount), val(x.Status)])).toEqual(
          [
            [20, expect.stringMatching(/^(Open|Closed)$/)],
            [10, expect.stringMatching(/^(Open|Closed)$/)],
          ],
        );
      } finally {
        await holding.close();
      }
    });
  });
}
