import { describe, expect, it } from 'vitest';
import {
  type MoneyDoc,
  type OrderState,
  type PlanInput,
  planOrderChanges,
  prepaymentRef,
  refundRef,
  type WantedOrder,
} from './order-lifecycle.js';

const open: OrderState = {
  type: 'SO',
  nbr: 'SO000034',
  status: 'Open',
  hold: false,
  customerId: 'C000001',
  currency: 'USD',
  paymentMethod: 'CCARD',
  unpaid: '107.50',
  shipments: [],
  invoiced: false,
};

type Patch = Partial<Omit<PlanInput, 'wanted' | 'state'>> & {
  wanted?: Partial<WantedOrder>;
  state?: Partial<OrderState>;
};

const plan = (patch: Patch) =>
  planOrderChanges({
    fields: ['lifecycle'],
    docs: [],
    policy: 'cancel',
    release: true,
    heldByUs: undefined,
    ...patch,
    wanted: { number: '000000012', currency: 'USD', ...patch.wanted },
    state: { ...open, ...patch.state },
  });

const kinds = (p: ReturnType<typeof planOrderChanges>) =>
  p.steps.map((s) => (s.kind === 'hold' ? `hold:${s.hold}` : s.kind));

const prepayment = (ref: string, amount: string, status = 'Open'): MoneyDoc => ({
  type: 'Prepayment',
  ref,
  paymentRef: prepaymentRef('000000012', amount),
  amount,
  status,
});

describe('what a web order’s later life does to its Acumatica sales order', () => {
  describe('a cancellation, by the connection’s policy', () => {
    it('cancel: CancelSalesOrder on an Open or held order; nothing on one Canceled already', () => {
      for (const status of ['Open', 'On Hold', 'Credit Hold', 'Awaiting Payment']) {
        const p = plan({
          wanted: { lifecycle: 'canceled' },
          state: { status, hold: status === 'On Hold' },
        });
        expect(kinds(p), status).toEqual(['cancel']);
        expect(p.written).toEqual(['lifecycle']);
        expect(p.refusals).toEqual([]);
      }
      const again = plan({ wanted: { lifecycle: 'canceled' }, state: { status: 'Canceled' } });
      expect(kinds(again)).toEqual([]);
      // Already so: settled without a word (the connector answers unchanged).
      expect(again).toMatchObject({ notes: [], refusals: [], ignored: [], written: ['lifecycle'] });
    });

    it('cancel: an order with a shipment, or shipped, is refused naming why and what to do', () => {
      const p = plan({
        wanted: { lifecycle: 'canceled' },
        state: { status: 'Shipping', shipments: ['000007'] },
      });
      expect(p.steps).toEqual([]);
      expect(p.written).toEqual([]);
      expect(p.refusals).toEqual([
        'web order 000000012 was cancelled in the shop, but Acumatica cannot cancel sales order SO SO000034: it cancels only orders without shipments that are On Hold, Open, Awaiting Payment or Credit Hold, and sales order SO SO000034 is Shipping (shipment 000007); cancel or return the shipment in Acumatica, then retry',
      ]);
      // An Open order with a shipment not confirmed yet is refused all the same.
      expect(
        plan({ wanted: { lifecycle: 'canceled' }, state: { shipments: ['000008'] } }).refusals,
      ).toHaveLength(1);
      expect(plan({ wanted: { lifecycle: 'closed' }, state: { status: 'Completed' } }).refusals[0]).toMatch(
        /^web order 000000012 was refunded in full in the shop \(closed\), but Acumatica cannot cancel/,
      );
    });

    it('hold: the order is put on hold instead; refused once it has shipped; nothing when held already', () => {
      const p = plan({ policy: 'hold', wanted: { lifecycle: 'canceled' } });
      expect(kinds(p)).toEqual(['hold:true']);
      expect(p.steps[0]?.note).toBe(
        'web order 000000012 was cancelled in the shop: sales order SO SO000034 put on hold for a person to decide (the connection\'s setting "When a web order is cancelled" is hold)',
      );
      expect(
        plan({
          policy: 'hold',
          wanted: { lifecycle: 'canceled' },
          state: { hold: true, status: 'On Hold' },
        }).steps,
      ).toEqual([]);
      expect(
        plan({
          policy: 'hold',
          wanted: { lifecycle: 'closed' },
          state: { status: 'Completed', shipments: ['000002'] },
        }).refusals,
      ).toHaveLength(1);
    });

    it('ignore: nothing is written and the field stays pending, with the reason', () => {
      const p = plan({ policy: 'ignore', wanted: { lifecycle: 'canceled' } });
      expect(p.steps).toEqual([]);
      expect(p.written).toEqual([]);
      expect(p.ignored).toEqual([
        'web order 000000012 was cancelled in the shop; sales order SO SO000034 left as it is: ignored, as the Acumatica connection\'s setting "When a web order is cancelled" is ignore',
      ]);
    });
  });

  describe('a hold and its release', () => {
    it('on_hold: the Hold check box; refused on an order that shipped or was cancelled', () => {
      expect(kinds(plan({ wanted: { lifecycle: 'on_hold' } }))).toEqual(['hold:true']);
      expect(
        kinds(plan({ wanted: { lifecycle: 'on_hold' }, state: { hold: true, status: 'On Hold' } })),
      ).toEqual([]);
      for (const status of ['Shipping', 'Completed', 'Canceled'])
        expect(plan({ wanted: { lifecycle: 'on_hold' }, state: { status } }).refusals, status).toHaveLength(
          1,
        );
    });

    it('open: a hold this flow put on is taken off; one it did not put on (or does not know) stays', () => {
      const held = { hold: true, status: 'On Hold' };
      expect(kinds(plan({ wanted: { lifecycle: 'open' }, state: held, heldByUs: true }))).toEqual([
        'hold:false',
      ]);
      for (const heldByUs of [false, undefined]) {
        const p = plan({ wanted: { lifecycle: 'open' }, state: held, heldByUs });
        expect(p.steps).toEqual([]);
        expect(p.written).toEqual(['lifecycle']);
        expect(p.notes).toEqual([
          'web order 000000012 is open in the shop; sales order SO SO000034 stays on hold: Ledgerlink did not put it on hold',
        ]);
      }
      // No lifecycle at all reads as open; an open order stays as it is, a cancelled one is not reopened.
      expect(plan({}).steps).toEqual([]);
      expect(plan({ state: { status: 'Canceled' } }).notes[0]).toMatch(/is Canceled and stays so/);
    });
  });

  describe('money: what the shop captured and gave back', () => {
    const money = (patch: Patch) => plan({ fields: ['paidTotal', 'refundedTotal'], ...patch });

    it('captured: a prepayment of what no prepayment of ours holds yet, keyed by the running total', () => {
      const p = money({ wanted: { paid: '107.50', refunded: '0' } });
      expect(p.steps).toEqual([
        {
          kind: 'prepayment',
          amount: '107.50',
          paymentRef: '000000012/107.50',
          paymentMethod: 'CCARD',
          description: 'web order 000000012: captured 107.50 USD',
          note: 'prepayment of 107.50 USD applied to sales order SO SO000034 (captured in the shop)',
        },
      ]);
      expect(p.written).toEqual(['paidTotal', 'refundedTotal']);
      // A second capture: only the difference, under its own key; all recorded: nothing.
      const later = money({
        wanted: { paid: '150.00' },
        docs: [prepayment('000045', '107.50')],
        state: { unpaid: '42.50' },
      });
      expect(later.steps).toMatchObject([
        { kind: 'prepayment', amount: '42.50', paymentRef: '000000012/150.00' },
      ]);
      expect(money({ wanted: { paid: '107.50' }, docs: [prepayment('000045', '107.50')] }).steps).toEqual([]);
    });

    it('after Acumatica invoiced the order, what the shop counts as paid is that invoice come back: no prepayment', () => {
      const p = money({
        wanted: { paid: '107.50' },
        state: { status: 'Completed', shipments: ['000007'], invoiced: true },
      });
      expect(p).toMatchObject({
        steps: [],
        notes: [],
        refusals: [],
        written: ['paidTotal', 'refundedTotal'],
      });
    });

    it('never more than the order owes, never on a cancelled order, never without a payment method', () => {
      const capped = money({ wanted: { paid: '120.00' }, state: { unpaid: '100.00' } });
      expect(capped.steps).toMatchObject([{ kind: 'prepayment', amount: '100.00' }]);
      expect(capped.notes).toEqual([
        "20.00 USD more was captured than sales order SO SO000034 owes; not recorded (check the order's total)",
      ]);
      const paidBySomeone = money({ wanted: { paid: '107.50' }, state: { unpaid: '0' } });
      expect(paidBySomeone.steps).toEqual([]);
      expect(paidBySomeone.written).toContain('paidTotal');
      expect(money({ wanted: { paid: '5' }, state: { status: 'Canceled' } }).refusals[0]).toMatch(
        /Acumatica takes no payment for a cancelled order/,
      );
      expect(money({ wanted: { paid: '5' }, state: { paymentMethod: undefined } }).refusals[0]).toMatch(
        /valueMaps\.paymentMethod/,
      );
    });

    it('refunded before shipping: a refund of our prepayments, the rest of each first; after shipping: noted as a return', () => {
      const docs: MoneyDoc[] = [
        prepayment('000045', '60.00'),
        prepayment('000046', '47.50'),
        {
          type: 'Refund',
          ref: '000050',
          paymentRef: refundRef('000000012', '50'),
          amount: '50.00',
          status: 'Closed',
          from: [{ type: 'Prepayment', ref: '000045', amount: '50.00' }],
        },
      ];
      const p = money({
        wanted: { paid: '107.50', refunded: '80.00' },
        docs,
        state: { unpaid: '50.00' },
      });
      expect(p.steps).toMatchObject([
        {
          kind: 'refund',
          amount: '30.00',
          paymentRef: '000000012/R80.00',
          from: [
            { type: 'Prepayment', ref: '000045', amount: '10.00' },
            { type: 'Prepayment', ref: '000046', amount: '20.00' },
          ],
        },
      ]);
      const shipped = money({
        wanted: { paid: '107.50', refunded: '10.00' },
        docs: [prepayment('000045', '107.50')],
        state: { status: 'Shipping', shipments: ['000007'], unpaid: '0' },
      });
      expect(shipped.steps).toEqual([]);
      expect(shipped.written).toEqual(['paidTotal', 'refundedTotal']);
      expect(shipped.notes).toEqual([
        'the shop refunded 10.00 USD of web order 000000012; sales order SO SO000034 has shipped, so in Acumatica the refund is a return: enter it there (a return order and its credit memo)',
      ]);
      expect(money({ wanted: { refunded: '10.00' } }).notes[0]).toMatch(/holds no prepayment of it/);
    });

    it('refunded in full and closed: the refund comes before the cancellation, which needs the money back', () => {
      const p = plan({
        fields: ['lifecycle', 'refundedTotal'],
        wanted: { lifecycle: 'closed', paid: '107.50', refunded: '107.50' },
        docs: [prepayment('000045', '107.50')],
        state: { unpaid: '0' },
      });
      expect(kinds(p)).toEqual(['refund', 'cancel']);
    });

    it('a prepayment or refund recorded earlier but not released is released first (when the setting says so)', () => {
      const docs = [prepayment('000045', '50.00', 'Balanced')];
      expect(kinds(money({ wanted: { paid: '107.50' }, docs, state: { unpaid: '57.50' } }))).toEqual([
        'release',
        'prepayment',
      ]);
      expect(kinds(money({ wanted: { paid: '50.00' }, docs, release: false }))).toEqual([]);
    });
  });
});
