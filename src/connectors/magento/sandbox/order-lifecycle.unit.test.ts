import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import type { MagentoOrder } from '../sales-types.js';
import { invoiceOrder } from './invoices.js';
import { cancelOrder, holdOrder, refundOrder, unholdOrder } from './order-lifecycle.js';
import { Refusal } from './orders.js';
import { placeOrder } from './place-order.js';
import { SandboxStore } from './store.js';

function store(): SandboxStore {
  const s = new SandboxStore();
  s.seed({ seed: 3, customers: 2, products: 3 });
  return s;
}

/** Two lines, 8.875 % tax, 5.00 shipping: the figures below are Magento's for this cart. */
function order(s: SandboxStore, capture = false): MagentoOrder {
  return placeOrder(s, {
    customerId: 1,
    lines: [
      { sku: 'MAG00001', qty: 2, price: '10.00', taxPercent: '8.875' },
      { sku: 'MAG00002', qty: 1, price: '4.00', taxPercent: '8.875' },
    ],
    capture,
  });
}

const money = (o: MagentoOrder) => ({
  state: o.state,
  status: o.status,
  paid: new Decimal(o.total_paid ?? 0).toFixed(2),
  due: new Decimal(o.total_due ?? 0).toFixed(2),
  refunded: new Decimal(o.total_refunded ?? 0).toFixed(2),
});

describe("sandbox order lifecycle: Magento's hold, cancel and credit memo", () => {
  it('hold keeps the state to go back to; unhold restores it; neither where Magento refuses', () => {
    const s = store();
    const id = order(s).entity_id!;
    const held = holdOrder(s, id) as MagentoOrder;
    expect(held).toMatchObject({ state: 'holded', status: 'holded', hold_before_state: 'new' });
    expect((holdOrder(s, id) as Refusal).body.message).toBe('A hold action is not available.');
    // A held order can be neither canceled nor invoiced.
    expect(cancelOrder(s, id)).toBe(false);
    expect(invoiceOrder(s, id, {})).toBeInstanceOf(Refusal);
    const back = unholdOrder(s, id) as MagentoOrder;
    expect(back).toMatchObject({ state: 'new', status: 'pending' });
    expect(back.hold_before_state).toBeUndefined();
    expect((unholdOrder(s, id) as Refusal).body.message).toBe('You cannot remove the hold.');
  });

  it('cancel of an unpaid order: canceled, the whole total canceled, nothing due moves', () => {
    const s = store();
    const id = order(s).entity_id!;
    expect(cancelOrder(s, id)).toBe(true);
    const o = s.orders.get(id)!;
    // 2 × 10.00 + 4.00 = 24.00; tax 2.14 (1.78 + 0.36); shipping 5.00.
    expect(money(o)).toEqual({
      state: 'canceled',
      status: 'canceled',
      paid: '0.00',
      due: '31.14',
      refunded: '0.00',
    });
    expect(o.total_canceled).toBe(31.14);
    expect(o.items.map((i) => i.qty_canceled)).toEqual([2, 1]);
    expect(cancelOrder(s, id)).toBe(false);
  });

  it('an order captured at checkout is paid at once, cannot be canceled, and closes when refunded in full', () => {
    const s = store();
    const placed = order(s, true);
    expect(money(placed)).toMatchObject({ state: 'processing', paid: '31.14', due: '0.00' });
    const id = placed.entity_id!;
    expect(cancelOrder(s, id)).toBe(false);
    const memo = refundOrder(s, id, {});
    expect(memo).not.toBeInstanceOf(Refusal);
    expect((memo as { grand_total: number }).grand_total).toBe(31.14);
    expect(money(s.orders.get(id)!)).toEqual({
      state: 'closed',
      status: 'closed',
      paid: '31.14',
      due: '0.00',
      refunded: '31.14',
    });
    expect((refundOrder(s, id, {}) as Refusal).body.message).toMatch(
      /^Creditmemo Document Validation Error\(s\):\nThe order does not allow a creditmemo to be created\.$/,
    );
  });

  it('a partial refund (one item, no shipping) leaves the order open; more than was paid is refused', () => {
    const s = store();
    const id = order(s).entity_id!;
    invoiceOrder(s, id, { capture: true });
    const itemId = s.orders.get(id)!.items[1]!.item_id!;
    const memo = refundOrder(s, id, {
      items: [{ order_item_id: itemId, qty: 1 }],
      arguments: { shipping_amount: 0 },
    });
    // 4.00 + 0.355 tax rounded as invoiced (0.36).
    expect((memo as { grand_total: number }).grand_total).toBe(4.36);
    const o = s.orders.get(id)!;
    expect(money(o)).toMatchObject({ paid: '31.14', refunded: '4.36' });
    expect(o.state).not.toBe('closed');
    const tooMuch = refundOrder(s, id, { items: [], arguments: { adjustment_positive: 100 } }) as Refusal;
    expect(tooMuch.body.message).toContain('The most money available to refund is 26.78.');
  });
});
